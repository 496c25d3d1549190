/**
 * A preload for the webhook-ack benchmark, not product code: the benchmark
 * starts heaven with `NODE_OPTIONS=--import <this file>` and
 * HEAVEN_BENCH_LOOP_DELAY_FILE set. It samples heaven's event-loop delay
 * (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and the CPU time it
 * uses (all its threads); each SIGUSR2 writes what was measured since the
 * one before to `<file>.<n>` (n = 0, 1, …) and starts over, so the
 * benchmark can bracket a burst. The last window is written when heaven
 * exits, to `<file>.exit`.
 */
import { renameSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  /** Samples in the window. */
  count: number;
  /** CPU time heaven used in the window (user + system, every thread). */
  cpuMs: number;
}

const file = process.env.HEAVEN_BENCH_LOOP_DELAY_FILE;
if (file !== undefined && file !== "") {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const ms = (ns: number) => ns / 1e6;
  let since = process.cpuUsage();
  const write = (name: string) => {
    const cpu = process.cpuUsage(since);
    const delay: LoopDelay = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), count: histogram.count, cpuMs: (cpu.user + cpu.system) / 1000 };
    // Whole or not at all: the benchmark reads it as soon as it exists.
    writeFileSync(`${file}.tmp`, JSON.stringify(delay));
    renameSync(`${file}.tmp`, `${file}.${name}`);
    histogram.reset();
    since = process.cpuUsage();
  };
  let windows = 0;
  process.on("SIGUSR2", () => write(String(windows++)));
  process.on("exit", () => write("exit"));
}
