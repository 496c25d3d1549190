/**
 * heaven's benchmarks (`npm run bench`). Numbers, not assertions: run it
 * before and after a change that touches the hot path and compare. Each
 * benchmark lives in its own file (see README.md); this only calls them, each
 * in a fresh directory. `node lib/bench/run.js <name>…` runs only those named.
 * At the end it prints the scoreboard (every figure a benchmark recorded,
 * beside its baseline and goal) and writes it to bench/results.json.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "../test/helpers/git-repo.js";
import { burstBenchmark } from "./burst.js";
import { burstCoalescingBenchmark } from "./burst-coalescing.js";
import { checkoutCacheBenchmark } from "./checkout-cache.js";
import { chattyProviderBenchmark } from "./chatty-provider.js";
import { logPageBenchmark } from "./log-page.js";
import { logThroughputBenchmark } from "./log-throughput.js";
import { pollIngressBenchmark } from "./poll-ingress.js";
import { prCommandBenchmark } from "./pr-command.js";
import { scoreboardTable, writeResults } from "./helpers/scoreboard.js";
import { scaleoutBenchmark } from "./scaleout.js";
import { startOverheadBenchmark } from "./start-overhead.js";
import { twoInstallationsBenchmark } from "./two-installations.js";
import { webhookAckBenchmark } from "./webhook-ack.js";

const benchmarks: Array<[string, (dir: string) => Promise<void>]> = [
  ["start-overhead", startOverheadBenchmark],
  ["checkout-cache", checkoutCacheBenchmark],
  ["burst", burstBenchmark],
  ["chatty-provider", chattyProviderBenchmark],
  ["log-throughput", logThroughputBenchmark],
  ["log-page", logPageBenchmark],
  ["webhook-ack", webhookAckBenchmark],
  ["two-installations", twoInstallationsBenchmark],
  ["burst-coalescing", burstCoalescingBenchmark],
  ["poll-ingress", pollIngressBenchmark],
  ["pr-command", prCommandBenchmark],
  ["scaleout", scaleoutBenchmark],
];

const only = process.argv.slice(2);
// Beside the sources (bench/), from lib/bench/run.js.
const RESULTS = fileURLToPath(new URL("../../bench/results.json", import.meta.url));
const root = tempDir("heaven-bench-");
const began = performance.now();
const ran: string[] = [];
try {
  for (const [name, benchmark] of benchmarks) {
    if (only.length > 0 && !only.includes(name)) continue;
    const dir = join(root.path, name);
    mkdirSync(dir);
    await benchmark(dir);
    ran.push(name);
  }
  console.log(`(all benchmarks: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
  console.log(`\nscoreboard (also in ${RESULTS}):\n${scoreboardTable()}`);
  writeResults(RESULTS, ran);
} finally {
  root.remove();
}
