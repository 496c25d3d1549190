/**
 * heaven's command line: the break-glass path. `heaven deploy` runs the same
 * pipeline as the server (configuration from the repository, same provider,
 * same timeout, same log) with no GitHub at all, and streams the log to the
 * terminal. Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops the provider's process
 * group, removes the checkout and exits 130.
 * Exit status: 0 success, 1 failure, 2 error, 130 interrupted.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { laneOf } from "../core/job.js";
import { createCore } from "../create-core.js";
import { describeOutcome } from "../decisions/describe-outcome.js";
import { logFilePath, logKey } from "../engine/log-links.js";
import { githubWebUrl } from "../engine/log-meta-sink.js";
import { applyDotEnv, loadSettings, SettingsError } from "../settings.js";
import { notificationSinks } from "../notify/notification-sinks.js";
import { localRepository, resolveLocal } from "./local-sources.js";
import { TerminalSink } from "./terminal-sink.js";

const USAGE = `usage: heaven deploy <repository path or clone URL> <environment> [ref] [--force] [--task <task>]

  Deploys <ref> (default: the repository's default branch) to <environment>
  with the provider configured in .github/heaven.yml on the default branch.
  CI is not checked: there is no GitHub to ask.

  --task <task>   DEPLOY_TASK for the provider: deploy (default) or deploy:<name>; a bare <name> means deploy:<name>
  --force         recorded in the log; the command line never checks CI anyway
  -h, --help      this text

  Settings come from the environment and ./.env: HEAVEN_DATA_DIR, DEPLOYMENT_TIMEOUT, HEAVEN_PASS_ENV (see README).
  Exit status: 0 deployed, 1 the provider failed, 2 heaven could not run it, 130 interrupted (Ctrl-C).`;

const EXIT = { success: 0, failure: 1, error: 2, interrupted: 130 } as const;

function stamp(): string {
  return new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** `migrate` is hubot-deploy's `deploy:migrate`. */
function taskOf(option: string | undefined): string {
  if (option === undefined || option === "") return "deploy";
  return option === "deploy" || option.startsWith("deploy:") ? option : `deploy:${option}`;
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

  applyDotEnv(process.env);
  const settings = loadSettings(process.env);
  const { deployer, queue } = await createCore(settings, { journal: false, abortReason: "an interrupt (Ctrl-C)" });
  const repository = localRepository(target);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`heaven: resolving ${ref ?? "the default branch"} of ${repository.cloneUrl}`);
  const resolved = await resolveLocal(deployer.workspaces, repository, ref);
  if (!resolved.ok) {
    console.error(`heaven: error: ${resolved.message}`);
    return EXIT.error;
  }

  const id = `local-${stamp()}-${randomBytes(3).toString("hex")}`;
  const terminal = new TerminalSink(say);
  const notifications = notificationSinks(settings, { log: { warn: (_o, m) => console.error(`heaven: ${m}`), error: (_o, m) => console.error(`heaven: ${m}`) }, githubHost: githubWebUrl(process.env) });
  await deployer.start({
    sourcesFor: async () => ({ loadConfig: async () => resolved.config }),
    sinks: [terminal, ...notifications],
    log: { info: () => undefined, error: (object, message) => console.error(`heaven: ${message}`, object) },
    echo: say,
  });
  let interrupted: string | undefined;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      interrupted ??= signal;
      void queue.drain(0);
    });
  }
  await deployer.accept({
    key: `local:${id}`,
    lane: laneOf(repository.fullName, environment),
    origin: { kind: "local" },
    acceptedAt: Date.now(),
    request: {
      id,
      repository,
      environment,
      ref: resolved.ref,
      sha: resolved.sha,
      task: taskOf(parsed.values.task),
      force: parsed.values.force === true,
      payloadConfig: undefined,
      creator: process.env.USER ?? "command line",
    },
  });
  const outcome = await terminal.finished;
  await queue.close();
  // Sent in the background: the process must not exit before Slack has heard.
  await Promise.all(notifications.map((sink) => sink.idle()));
  const log = logFilePath(settings.dataDir, logKey(repository.fullName, id));
  if (interrupted !== undefined) {
    console.error(
      `heaven: ${interrupted}: the deployment was stopped (its processes killed, its checkout removed); ` +
        `${environment} may be partly deployed: deploy again. The log is ${log}`,
    );
    return EXIT.interrupted;
  }
  say(`heaven: log: ${log}`);
  const { state } = describeOutcome(outcome);
  return state === "success" ? EXIT.success : state === "failure" ? EXIT.failure : EXIT.error;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof SettingsError ? `heaven: invalid settings:\n${error.message}` : error);
    process.exit(EXIT.error);
  },
);
