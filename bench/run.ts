/**
 * heaven's benchmarks (`npm run bench`). Numbers, not assertions: run it
 * before and after a change that touches the hot path and compare. Each
 * benchmark lives in its own file (see README.md); this only calls them, each
 * in a fresh directory. `node lib/bench/run.js <name>…` runs only those named.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../test/helpers/git-repo.js";
import { burstBenchmark } from "./burst.js";
import { burstCoalescingBenchmark } from "./burst-coalescing.js";
import { chattyProviderBenchmark } from "./chatty-provider.js";
import { pollIngressBenchmark } from "./poll-ingress.js";
import { prCommandBenchmark } from "./pr-command.js";
import { startLatencyBenchmark } from "./start-latency.js";
import { twoInstallationsBenchmark } from "./two-installations.js";
import { webhookAckBenchmark } from "./webhook-ack.js";

const benchmarks: Array<[string, (dir: string) => Promise<void>]> = [
  ["start-latency", startLatencyBenchmark],
  ["burst", burstBenchmark],
  ["chatty-provider", chattyProviderBenchmark],
  ["webhook-ack", webhookAckBenchmark],
  ["two-installations", twoInstallationsBenchmark],
  ["burst-coalescing", burstCoalescingBenchmark],
  ["poll-ingress", pollIngressBenchmark],
  ["pr-command", prCommandBenchmark],
];

const only = process.argv.slice(2);
const root = tempDir("heaven-bench-");
const began = performance.now();
try {
  for (const [name, benchmark] of benchmarks) {
    if (only.length > 0 && !only.includes(name)) continue;
    const dir = join(root.path, name);
    mkdirSync(dir);
    await benchmark(dir);
  }
  console.log(`(all benchmarks: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
} finally {
  root.remove();
}
