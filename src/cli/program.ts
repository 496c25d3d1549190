/**
 * The command line's grammar: every command, its arguments and options, and
 * commander's help built from them (the only help text there is). The work
 * itself is behind `CliHandlers`, loaded only when a command runs, so
 * `--help`, `--version` and completion stay fast and grammar tests run nothing.
 */
import { Command, CommanderError } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { addCompletionCommand } from "./commands/completion.js";
import { addDeployCommand, type DeployArgs } from "./commands/deploy.js";
import { addLogsCommand, type LogsArgs } from "./commands/logs.js";
import { EXIT, EXIT_CODES_HELP } from "./exit-codes.js";
import { addGitHubCommands, gitHubHandlers, type GitHubHandlers } from "./github/commands.js";

export interface CliHandlers extends GitHubHandlers {
  deploy(args: DeployArgs): Promise<number>;
  logs(args: LogsArgs): Promise<number>;
  completion(shell: string, program: Command): Promise<number>;
}

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const defaultHandlers: CliHandlers = {
  ...gitHubHandlers,
  deploy: async (args) => (await import("./deploy-dispatch.js")).dispatchDeploy(args),
  logs: async (args) => (await import("./show-logs.js")).showLogs(args),
  completion: async (shell, program) => (await import("./completion-script.js")).printCompletion(shell, program),
};

/** package.json sits two levels up from src/cli and three from lib/src/cli. */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up += 1, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "unknown";
}

/** `done` receives the exit status of the command that ran. */
export function buildProgram(handlers: CliHandlers, done: (code: number) => void, output?: CliOutput): Command {
  const program = new Command("heaven")
    .description("Deploys a repository with heaven's providers, with or without GitHub.")
    .version(packageVersion(), "-V, --version", "print heaven's version")
    .helpCommand("help [command]", "show help for a command")
    .showHelpAfterError("(heaven help <command> shows its usage)")
    .exitOverride()
    .addHelpText("after", EXIT_CODES_HELP);
  if (output !== undefined) program.configureOutput({ writeOut: output.out, writeErr: output.err });
  // Subcommands made with program.command() inherit the settings above.
  addDeployCommand(program, (args) => handlers.deploy(args).then(done));
  addLogsCommand(program, (args) => handlers.logs(args).then(done));
  addCompletionCommand(program, (shell) => handlers.completion(shell, program).then(done));
  addGitHubCommands(program, handlers, done);
  // Every command's help ends with the exit statuses, the GitHub verbs' too.
  for (const command of program.commands) command.addHelpText("after", EXIT_CODES_HELP);
  return program;
}

/** Parses argv (without node and the script), runs the command, and answers its exit status. */
export async function runCli(argv: string[], handlers: CliHandlers = defaultHandlers, output?: CliOutput): Promise<number> {
  let code: number | undefined;
  const program = buildProgram(handlers, (result) => (code = result), output);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and --version exit 0; a usage error (or no command) is heaven's 2.
    return error.exitCode === 0 ? EXIT.success : EXIT.error;
  }
  return code ?? EXIT.success;
}
