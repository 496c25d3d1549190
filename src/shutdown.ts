/**
 * Stopping without losing anything, on SIGTERM (a process manager) and
 * SIGINT (Ctrl-C) alike: no new deployment starts, webhooks are still
 * accepted and journaled, running deployments get the grace to finish (then
 * are stopped and reported), the outbox delivers what it can within a short
 * bound and keeps the rest on disk, and the process exits 0. A second signal
 * stops running deployments at once. A watchdog bounds the whole of it.
 */
import type { DeployQueue } from "./core/queue.js";

export interface StoppableParts {
  queue: DeployQueue;
  /** Stops accepting webhooks and serving pages. */
  closeServer(): Promise<void>;
  /** Delivers what it can within `timeoutMs`; returns how many writes stay on disk. */
  flushOutbox(timeoutMs: number): Promise<number>;
  /** Stops reading events from elsewhere than the webhook (redelivery, polling the delivery log). */
  stopIngress(): Promise<void>;
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
}

/** How long the outbox may try to deliver at shutdown before leaving the rest for the next start. */
export const OUTBOX_FLUSH_MS = 10_000;
/** Beyond the grace: the stopped deployments' kill grace, the flush, closing. */
const WATCHDOG_SLACK_MS = 60_000;

export function stopOnSignals(parts: StoppableParts, graceSeconds: number, exit: (code: number) => void = (code) => process.exit(code)): void {
  const stop = createStop(parts, graceSeconds, exit);
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** What a signal does, apart from listening for it (so tests need not send one): the first stops heaven, a second aborts running deployments. */
export function createStop(parts: StoppableParts, graceSeconds: number, exit: (code: number) => void): (signal: string) => Promise<void> {
  let stopping = false;
  return async (signal: string) => {
    if (stopping) {
      parts.log.warn(`${signal} again: stopping running deployments now`);
      void parts.queue.drain(0);
      return;
    }
    stopping = true;
    const watchdog = setTimeout(() => {
      parts.log.error("shutdown did not finish in time; exiting anyway");
      exit(1);
    }, graceSeconds * 1000 + WATCHDOG_SLACK_MS);
    // Not unref'd: once the server is closed, the outbox's timers (unref'd) would be all that is left, and
    // Node would end the process with 0 in the middle of the flush, before the writes it could still make.

    // This process's own: with a shared database, list() also shows what other workers run, which they drain themselves.
    const running = parts.queue.runningHere();
    parts.log.info(
      `${signal}: starting no new deployments; ${running} running ${running === 1 ? "deployment gets" : "deployments get"} up to ${graceSeconds} s to finish (send ${signal} again to stop them now)`,
    );
    await parts.queue.drain(graceSeconds * 1000);
    await parts.stopIngress();
    await parts.closeServer().catch((error: unknown) => parts.log.warn(`could not close the server cleanly: ${String(error)}`));
    await parts.queue.close();
    const left = await parts.flushOutbox(OUTBOX_FLUSH_MS);
    parts.log.info(left > 0 ? `stopped; ${left} GitHub writes stay in the outbox and go out at the next start` : "stopped");
    clearTimeout(watchdog);
    exit(0);
  };
}
