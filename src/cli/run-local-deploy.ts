/**
 * The local mode of `heaven deploy`: the same pipeline as the server
 * (configuration, provider, timeout, log, masking) with no GitHub at all,
 * the log streaming to the terminal. Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops
 * the provider's process group, removes the checkout and exits 130.
 */
import { randomBytes } from "node:crypto";
import { copyFile } from "node:fs/promises";
import { providers } from "../../providers/index.js";
import type { ConfigRead } from "../core/sources.js";
import { laneOf } from "../core/job.js";
import { createCore } from "../create-core.js";
import { describeOutcome } from "../decisions/describe-outcome.js";
import { CONFIG_FILE, resolveConfig } from "../decisions/resolve-config.js";
import { logFilePath, logKey } from "../engine/log-links.js";
import { githubWebUrl } from "../engine/log-meta-sink.js";
import { notificationSinks } from "../notify/notification-sinks.js";
import type { Settings } from "../settings.js";
import type { AppEntry } from "./apps-file.js";
import { EXIT } from "./exit-codes.js";
import { printDryRun } from "./print-dry-run.js";
import { resolveLocal, type LocalRepository } from "./local-sources.js";
import { ProgressLine } from "./progress-line.js";
import { TerminalSink } from "./terminal-sink.js";

export interface LocalDeploy {
  settings: Settings;
  repository: LocalRepository;
  /** The apps.yml entry it was named by, and the file. */
  app: { entry: AppEntry; source: string } | undefined;
  environment: string;
  ref: string | undefined;
  task: string | undefined;
  force: boolean;
  hosts: string[] | undefined;
  dryRun: boolean;
  /** --log: where a copy of the log goes when the deployment ends. */
  logCopy: string | undefined;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** `migrate` is hubot-deploy's `deploy:migrate`. */
function taskOf(option: string | undefined): string {
  if (option === undefined || option === "") return "deploy";
  return option === "deploy" || option.startsWith("deploy:") ? option : `deploy:${option}`;
}

/**
 * The repository's own `.github/heaven.yml` decides, as on the server; the
 * app's entry fills what it leaves open, as hubot-deploy's payload.config
 * does. A repository without one is configured by its apps.yml entry alone.
 */
function chooseConfig(read: ConfigRead, deploy: LocalDeploy): { read: ConfigRead; source: string; fromApps: boolean } {
  const app = deploy.app;
  if (app === undefined) return { read, source: `${CONFIG_FILE} of ${deploy.repository.cloneUrl}`, fromApps: false };
  const label = `${app.source}: app "${app.entry.name}"`;
  if (read.ok && read.file === null) return { read: { ok: true, file: app.entry.config }, source: label, fromApps: true };
  return { read, source: `${CONFIG_FILE} of ${deploy.repository.cloneUrl}, filled by ${label} as hubot-deploy's payload.config`, fromApps: false };
}

export async function runLocalDeploy(deploy: LocalDeploy): Promise<number> {
  const { settings, repository, environment } = deploy;
  const progress = new ProgressLine(process.stdout);
  const say = (line: string) => progress.line(line);
  const { deployer, queue } = await createCore(settings, { journal: false, abortReason: "an interrupt (Ctrl-C)" });
  say(`heaven: resolving ${deploy.ref ?? "the default branch"} of ${repository.cloneUrl}`);
  const resolved = await resolveLocal(deployer.workspaces, repository, deploy.ref);
  if (!resolved.ok) {
    progress.stop();
    console.error(`heaven: error: ${resolved.message}`);
    return EXIT.error;
  }
  const config = chooseConfig(resolved.config, deploy);
  const id = `local-${stamp()}-${randomBytes(3).toString("hex")}`;
  const request = {
    id,
    repository,
    environment,
    ref: resolved.ref,
    sha: resolved.sha,
    task: taskOf(deploy.task),
    force: deploy.force,
    payloadConfig: deploy.app?.entry.payloadConfig,
    creator: process.env.USER ?? "command line",
    hosts: deploy.hosts,
  };
  if (config.fromApps || deploy.dryRun) {
    // Checked here so an apps.yml mistake is named as one, not as the repository's file.
    const file = config.read.ok ? config.read.file : undefined;
    const checked = config.read.ok
      ? resolveConfig({ file, payloadConfig: request.payloadConfig, environment, providers, defaultTimeoutSeconds: settings.defaultTimeoutSeconds })
      : { ok: false as const, error: config.read.error };
    if (!checked.ok) {
      progress.stop();
      console.error(`heaven: error: ${config.fromApps ? checked.error.replaceAll(CONFIG_FILE, config.source) : checked.error}`);
      return EXIT.error;
    }
    if (deploy.dryRun) {
      progress.stop();
      return printDryRun({ request, config: checked.config, listed: checked.listed, source: config.source, settings });
    }
  }

  const terminal = new TerminalSink(say);
  const warn = (_object: unknown, message: string) => progress.error(`heaven: ${message}`);
  const notifications = notificationSinks(settings, { log: { warn, error: warn }, githubHost: githubWebUrl(process.env) });
  await deployer.start({
    sourcesFor: async () => ({ loadConfig: async () => config.read }),
    sinks: [terminal, ...notifications],
    log: { info: () => undefined, error: (object, message) => progress.error(`heaven: ${message} ${JSON.stringify(object)}`) },
    echo: say,
  });
  let interrupted: string | undefined;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      interrupted ??= signal;
      void queue.drain(0);
    });
  }
  say(`heaven: deployment ${id}`);
  await deployer.accept({ key: `local:${id}`, lane: laneOf(repository.fullName, environment), origin: { kind: "local" }, acceptedAt: Date.now(), request });
  const outcome = await terminal.finished;
  await queue.close();
  // Sent in the background: the process must not exit before Slack has heard.
  await Promise.all(notifications.map((sink) => sink.idle()));
  progress.stop();
  const log = logFilePath(settings.dataDir, logKey(repository.fullName, id));
  const copied = deploy.logCopy === undefined ? undefined : await copyLog(log, deploy.logCopy);
  if (interrupted !== undefined) {
    console.error(
      `heaven: ${interrupted}: the deployment was stopped (its processes killed, its checkout removed); ` +
        `${environment} may be partly deployed: deploy again. The log is ${log}`,
    );
    return EXIT.interrupted;
  }
  say(`heaven: log: ${log}${copied === undefined ? "" : ` (copied to ${copied})`}`);
  say(`heaven: deployment ${id}: heaven logs ${id} prints it again`);
  const { state } = describeOutcome(outcome);
  return state === "success" ? EXIT.success : state === "failure" ? EXIT.failure : EXIT.error;
}

async function copyLog(log: string, to: string): Promise<string | undefined> {
  try {
    await copyFile(log, to);
    return to;
  } catch (error) {
    console.error(`heaven: could not copy the log to ${to}: ${(error as Error).message}`);
    return undefined;
  }
}
