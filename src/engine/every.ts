/**
 * A round of work now (after `startDelayMs`) and again `intervalMs` after
 * each one ends, never two at once: polling the delivery log, asking for
 * missed webhooks. A round handles its own failures; one that throws
 * anyway does not stop the next.
 */
export interface Repeating {
  /** No further rounds; resolves once a round under way has finished. */
  stop(): Promise<void>;
}

export function every(intervalMs: number, round: () => Promise<void>, options: { startDelayMs?: number } = {}): Repeating {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round()
        .catch(() => undefined)
        .finally(() => schedule(intervalMs));
    }, delayMs);
    // What keeps heaven alive is its server, not a timer waiting for the next round.
    timer.unref();
  };
  schedule(options.startDelayMs ?? 0);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
