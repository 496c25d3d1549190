/**
 * GitHub mode of the command line: the verbs of the pull-request commands
 * (lock, unlock, rollback, wcid, deploys; deploy comes through
 * `deployOnGitHub`) against a repository on GitHub, as the person whose
 * token it is. The command line only creates and reads records; the server
 * does the work.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseLimit } from "../commands/parse-limit.js";
import { parseDuration } from "../../decisions/parse-duration.js";
import type { CliVerb } from "../../github/plan-records.js";

export interface GitHubDeployOptions {
  repo?: string;
  environment: string;
  ref?: string;
  task?: string;
  force?: boolean;
  wait?: boolean;
  json?: boolean;
  /** hubot-deploy's host filter, sent as `payload.hosts`. */
  hosts?: string[];
}

export interface Common {
  repo?: string;
  json?: boolean;
  wait?: boolean;
}

const REPO_HELP = "the repository on GitHub (default: the checkout's origin; GH_HOST for Enterprise Server)";

function withCommon(command: Command, wait: boolean): Command {
  command.option("-R, --repo <owner/repo>", REPO_HELP).addOption(new Option("--json", "print JSON for scripts").default(false));
  if (wait) command.addOption(new Option("--wait", "follow the record's statuses until heaven's final one").default(false));
  return command;
}

/** commander's parser for --for: the durations /lock takes (30m, 2h, 1d). */
function lockDuration(value: string): number {
  const parsed = parseDuration(value);
  if (parsed.kind === "duration") return parsed.seconds;
  throw new InvalidArgumentError(parsed.kind === "invalid" ? `--for ${value}: ${parsed.problem}` : `--for wants a duration like 30m, 2h or 1d, not "${value}"`);
}


/** What the GitHub verbs do, behind the grammar: loaded only when a command runs (program.ts). */
export interface GitHubHandlers {
  act(verb: CliVerb, options: Common): Promise<number>;
  wcid(options: Common): Promise<number>;
  deploys(environment: string | undefined, options: Common & { limit: number }): Promise<number>;
}

export const gitHubHandlers: GitHubHandlers = {
  act: async (verb, options) => (await import("./act.js")).act(verb, options),
  wcid: async (options) => (await import("./questions.js")).whereCanIDeploy(options),
  deploys: async (environment, options) => (await import("./questions.js")).recentDeploys(environment, options),
};

/** `done` receives each command's exit status, as for the local commands. */
export function addGitHubCommands(program: Command, handlers: GitHubHandlers, done: (code: number) => void): void {
  withCommon(program.command("lock"), true)
    .summary("lock an environment on GitHub (a deploy:lock record, as /lock makes)")
    .argument("<environment>", "the environment to lock")
    .option("--reason <text>", "why; shown to whoever tries to deploy")
    .option("--for <duration>", "the lock expires after this long (30m, 2h, 1d); default: the environment's lock_ttl", lockDuration)
    .action(async (environment: string, options: Common & { reason?: string; for?: number }) => {
      const { reason, for: ttlSeconds, ...common } = options;
      done(await handlers.act({ kind: "lock", environment, reason, ttlSeconds }, common));
    });
  withCommon(program.command("unlock"), true)
    .summary("unlock an environment on GitHub (a deploy:unlock record)")
    .argument("<environment>", "the environment to unlock")
    .action(async (environment: string, options: Common) => done(await handlers.act({ kind: "unlock", environment }, options)));
  withCommon(program.command("rollback"), true)
    .summary("deploy the environment's previous successful commit again (a deploy:rollback record)")
    .argument("<environment>", "the environment to roll back")
    .action(async (environment: string, options: Common) => done(await handlers.act({ kind: "rollback", environment }, options)));
  withCommon(program.command("wcid"), false)
    .summary("where can I deploy: each environment's deployed ref, lock and queue")
    .action(async (options: Common) => done(await handlers.wcid(options)));
  withCommon(program.command("deploys"), false)
    .summary("recent deployments on GitHub and their states")
    .argument("[environment]", "only this environment")
    .option("-n, --limit <count>", "how many", parseLimit, 10)
    .action(async (environment: string | undefined, options: Common & { limit: number }) => done(await handlers.deploys(environment, options)));
}

/** `heaven deploy` in GitHub mode: a deployment record for the server; `--wait` follows it. */
export function deployOnGitHub(options: GitHubDeployOptions): Promise<number> {
  const verb = { kind: "deploy" as const, environment: options.environment, ref: options.ref, task: options.task, force: options.force, hosts: options.hosts };
  return gitHubHandlers.act(verb, options);
}
