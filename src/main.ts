/**
 * `npm start`: heaven's server. Applies `.env`, reads settings once, builds
 * the core, and lets Probot run the HTTP server (with its setup page when
 * the app is not registered yet). Signals stop it without losing work.
 * HEAVEN_ROLE picks what the process does (settings.ts): with DATABASE_URL,
 * a server only accepts work and a worker only runs it (README, Scale-out mode).
 */
import pino from "pino";
import { run } from "probot";
import { createCore } from "./create-core.js";
import { observedOctokit } from "./github/octokit.js";
import { GitHubTraffic } from "./metrics/github-traffic.js";
import { startIngress } from "./github/ingress.js";
import { logKey } from "./engine/log-links.js";
import { startRetentionSweep } from "./engine/retention-sweep.js";
import { heavenApp } from "./index.js";
import { webhookLog } from "./server/webhook-log.js";
import { applyDotEnv, loadSettings, SettingsError } from "./settings.js";
import { stopOnSignals } from "./shutdown.js";

/** How long webhooks being handled get to finish at shutdown; what waits stays in the inbox for the next start. */
const INTAKE_STOP_MS = 10_000;

async function main(): Promise<void> {
  applyDotEnv(process.env);
  const settings = loadSettings(process.env);
  // The queue's background errors go to Probot's log once there is one.
  let databaseError = (error: unknown) => console.error(`heaven: PostgreSQL: ${String(error)}`);
  const core = await createCore(settings, { journal: true, abortReason: "heaven's shutdown", onDatabaseError: (error) => databaseError(error) });
  // Every request of the process's Octokit is seen: metrics, and /ready's "GitHub reachable".
  const githubTraffic = new GitHubTraffic();
  const heaven = heavenApp({ ...core.app, githubTraffic, metricsToken: settings.metricsToken, role: settings.role });
  const ours = new Set(process.listeners("SIGINT"));
  const server = await run(heaven.app, { Octokit: observedOctokit((request) => githubTraffic.record(request)), log: webhookLog(process.env) });
  // Probot's own SIGINT handler exits ~100 ms after the signal, racing heaven's shutdown.
  for (const listener of process.listeners("SIGINT")) if (!ours.has(listener)) process.off("SIGINT", listener);
  const { app, outbox, intake, notifications } = await heaven.loaded;
  databaseError = (error) => app.log.error({ err: error }, "a PostgreSQL error in the background (queue, outbox, events or deployment logs)");
  if (settings.databaseUrl !== undefined) app.log.info(`scale-out mode: HEAVEN_ROLE=${settings.role}, queue, outbox, deployment events and logs on PostgreSQL at ${databaseWhere(settings.databaseUrl)}`);
  if (core.imported > 0) app.log.info(`${core.imported} deployments an older heaven left waiting for CI are now in the journal`);
  for (const line of core.skipped) app.log.error(line);
  for (const line of core.notices) app.log.warn(line);
  // Only once heaven listens: a redelivered webhook must find it.
  // A worker handles no webhook, so it asks for no missed ones either.
  const ingress = settings.role === "worker" ? { stop: async () => undefined } : await startIngress(app, settings);
  const sharedLogs = core.logs;
  const retention = startRetentionSweep({
    dataDir: settings.dataDir,
    days: settings.logRetentionDays,
    workspaces: core.workspaces,
    liveLogKeys: async () => new Set((await core.queue.list()).map(({ job }) => logKey(job.request.repository.fullName, job.request.id))),
    sweepShared: sharedLogs === undefined ? undefined : (rule) => sharedLogs.sweep(rule),
    log: (line) => app.log.info(line),
    warn: (line) => app.log.warn(line),
  });
  stopOnSignals(
    {
      queue: core.queue,
      closeServer: async () => {
        await server.stop();
        const left = await intake.stop(INTAKE_STOP_MS);
        if (left > 0) app.log.info(`${left} webhooks answered were not handled yet; the next start handles those the inbox holds`);
        // The deployments have stopped and the log pages are closed: what a log writer still holds is flushed.
        await core.logs?.close();
        await core.events?.close();
      },
      flushOutbox: async (timeoutMs) => {
        const started = Date.now();
        const left = await outbox.flush(timeoutMs);
        await outbox.close();
        // Notifications get what is left of the same wait, then are abandoned (logged by their sinks).
        const rest = Math.max(0, timeoutMs - (Date.now() - started));
        await Promise.race([Promise.all(notifications.map((sink) => sink.idle())), new Promise((resolve) => setTimeout(resolve, rest).unref())]);
        for (const sink of notifications) sink.stop();
        return left;
      },
      stopIngress: async () => {
        await ingress.stop();
        await retention.stop();
      },
      log: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m), error: (m) => app.log.error(m) },
    },
    settings.shutdownGraceSeconds,
  );
}

/** Where the database is, without its credentials. */
function databaseWhere(url: string): string {
  const { host, pathname } = new URL(url);
  return `${host}${pathname}`;
}

/** Probot's rule for its own log: JSON with LOG_FORMAT set (other than pretty), or in production without it. */
function logsJson(env: NodeJS.ProcessEnv): boolean {
  return env.LOG_FORMAT ? env.LOG_FORMAT !== "pretty" : env.NODE_ENV === "production";
}

main().catch((error: unknown) => {
  const message = error instanceof SettingsError ? `invalid settings:\n${error.message}` : undefined;
  if (logsJson(process.env)) {
    // Before Probot has a logger: the same JSON lines as the rest of the log, written before exiting.
    const log = pino({ name: "heaven", messageKey: process.env.LOG_MESSAGE_KEY || "msg" }, pino.destination({ dest: 1, sync: true }));
    if (message === undefined) log.fatal({ err: error }, "heaven could not start");
    else log.fatal(message);
  } else {
    console.error(message === undefined ? error : `heaven: ${message}`);
  }
  process.exit(1);
});
