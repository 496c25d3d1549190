/**
 * `npm start`: heaven's server. Applies `.env`, reads settings once, builds
 * the core, and lets Probot run the HTTP server (with its setup page when
 * the app is not registered yet). Signals stop it without losing work.
 */
import { run } from "probot";
import { createCore } from "./create-core.js";
import { HeavenOctokit } from "./github/octokit.js";
import { startIngress } from "./github/ingress.js";
import { heavenApp } from "./index.js";
import { webhookLog } from "./server/webhook-log.js";
import { applyDotEnv, loadSettings, SettingsError } from "./settings.js";
import { stopOnSignals } from "./shutdown.js";

/** How long webhooks being handled get to finish at shutdown; what waits stays in the inbox for the next start. */
const INTAKE_STOP_MS = 10_000;

async function main(): Promise<void> {
  applyDotEnv(process.env);
  const settings = loadSettings(process.env);
  const core = await createCore(settings, { journal: true, abortReason: "heaven's shutdown" });
  const heaven = heavenApp(core.app);
  const ours = new Set(process.listeners("SIGINT"));
  const server = await run(heaven.app, { Octokit: HeavenOctokit, log: webhookLog(process.env) });
  // Probot's own SIGINT handler exits ~100 ms after the signal, racing heaven's shutdown.
  for (const listener of process.listeners("SIGINT")) if (!ours.has(listener)) process.off("SIGINT", listener);
  const { app, outbox, intake, notifications } = await heaven.loaded;
  if (core.imported > 0) app.log.info(`${core.imported} deployments an older heaven left waiting for CI are now in the journal`);
  for (const line of core.skipped) app.log.error(line);
  for (const line of core.notices) app.log.warn(line);
  // Only once heaven listens: a redelivered webhook must find it.
  const ingress = await startIngress(app, settings);
  stopOnSignals(
    {
      queue: core.queue,
      closeServer: async () => {
        await server.stop();
        const left = await intake.stop(INTAKE_STOP_MS);
        if (left > 0) app.log.info(`${left} webhooks answered were not handled yet; the next start handles those the inbox holds`);
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
      stopIngress: () => ingress.stop(),
      log: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m), error: (m) => app.log.error(m) },
    },
    settings.shutdownGraceSeconds,
  );
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) {
    console.error(`heaven: invalid settings:\n${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
