/**
 * heaven's command line: the break-glass path. `heaven deploy` runs the same
 * pipeline as the server (configuration from the repository, same provider,
 * same timeout) with no GitHub at all, and streams the log to the terminal.
 * Exit status: 0 success, 1 failure, 2 error.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createDeployer } from "../create-deployer.js";
import { loadSettings, SettingsError } from "../settings.js";
import { localRepository, resolveLocal } from "./local-sources.js";

const USAGE = `usage: heaven deploy <repository path or clone URL> <environment> [ref] [--force] [--task <task>]

  Deploys <ref> (default: the repository's default branch) to <environment>
  with the provider configured in .github/heaven.yml on the default branch.
  CI is not checked: there is no GitHub to ask.

  --task <task>   DEPLOY_TASK for the provider (default: deploy)
  --force         recorded in the log; the command line never checks CI anyway
  -h, --help      this text

  Settings come from the environment: HEAVEN_DATA_DIR, DEPLOYMENT_TIMEOUT, HEAVEN_PASS_ENV (see README).
  Exit status: 0 deployed, 1 the provider failed, 2 heaven could not run it.`;

const EXIT = { success: 0, failure: 1, error: 2 } as const;

function stamp(): string {
  return new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { force: { type: "boolean" }, task: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    console.error(`heaven: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.error;
  }
  const [command, target, environment, ref, ...extra] = parsed.positionals;
  if (parsed.values.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (command !== "deploy" || target === undefined || environment === undefined || extra.length > 0) {
    console.error(USAGE);
    return EXIT.error;
  }

  const settings = loadSettings(process.env);
  const { deployer } = await createDeployer(settings);
  const repository = localRepository(target);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`heaven: resolving ${ref ?? "the default branch"} of ${repository.cloneUrl}`);
  const resolved = await resolveLocal(deployer.workspaces, repository, ref);
  if (!resolved.ok) {
    console.error(`heaven: error: ${resolved.message}`);
    return EXIT.error;
  }

  const result = await deployer.submit({
    request: {
      id: `local-${stamp()}-${randomBytes(3).toString("hex")}`,
      repository,
      environment,
      ref: resolved.ref,
      sha: resolved.sha,
      task: parsed.values.task ?? "deploy",
      force: parsed.values.force === true,
      payloadConfig: undefined,
      creator: process.env.USER ?? "command line",
    },
    sources: { loadConfig: async () => resolved.config },
    reporter: {
      queued: (description) => say(`heaven: queued: ${description}`),
      waiting: (description) => say(`heaven: waiting: ${description}`),
      started: (report) => say(`heaven: ${report.description}`),
      finished: async () => undefined,
    },
    echo: say,
  });
  return result.state === "success" ? EXIT.success : result.state === "failure" ? EXIT.failure : EXIT.error;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof SettingsError ? `heaven: invalid settings:\n${error.message}` : error);
    process.exit(EXIT.error);
  },
);
