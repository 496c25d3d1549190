/** Chatty provider: a script printing 100 MB; throughput and heaven's peak RSS growth (logs stream with bounded memory). */
import { join } from "node:path";
import { laneOf } from "../src/core/job.js";
import type { DeploymentOutcome } from "../src/core/outcome.js";
import { createCore } from "../src/create-core.js";
import { loadSettings } from "../src/settings.js";
import { createRepo, script } from "../test/helpers/git-repo.js";
import { nowMs } from "./helpers/stats.js";
import { record } from "./helpers/scoreboard.js";

export async function chattyProviderBenchmark(dir: string): Promise<void> {
  const origin = createRepo(dir, "chatty", {
    "script/deploy": script(`i=0\nwhile [ $i -lt 100 ]; do head -c 1000000 /dev/zero | tr '\\\\0' 'x' | fold -w 99; i=$((i+1)); done`),
  });
  const settings = loadSettings({ HEAVEN_DATA_DIR: join(dir, "chatty-data"), HEAVEN_CONCURRENCY: "1", DEPLOYMENT_TIMEOUT: "600", PATH: process.env.PATH });
  const { deployer, queue } = await createCore({ ...settings, secrets: ["a-secret-to-mask"] }, { journal: false, abortReason: "the benchmark" });
  let finished: (outcome: DeploymentOutcome) => void = () => undefined;
  const done = new Promise<DeploymentOutcome>((resolve) => (finished = resolve));
  await deployer.start({
    sourcesFor: async () => ({ loadConfig: async () => ({ ok: true, file: null }) }),
    sinks: [{ publish: async (_job, event) => void (event.type === "finished" && finished(event.outcome)) }],
    log: { info: () => undefined, error: () => undefined },
  });
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = nowMs();
  await deployer.accept({
    key: "bench:chatty",
    lane: laneOf("bench/chatty", "production"),
    origin: { kind: "local" },
    acceptedAt: Date.now(),
    request: { id: "chatty", repository: { fullName: "bench/chatty", cloneUrl: origin.dir }, environment: "production", ref: "main", sha: origin.sha, task: "deploy", force: true, payloadConfig: undefined, creator: "bench" },
  });
  const outcome = await done;
  clearInterval(sampler);
  await queue.drain(0);
  await queue.close();
  const seconds = (nowMs() - t0) / 1000;
  console.log(
    `chatty provider: 100 MB of output in ${seconds.toFixed(1)} s (${(100 / seconds).toFixed(0)} MB/s), ${outcome.kind}; ` +
      `heaven's RSS grew by at most ${((peak - baseline) / 1024 / 1024).toFixed(1)} MiB (from ${(baseline / 1024 / 1024).toFixed(0)} MiB)`,
  );
  record("chatty-provider", { "100 MB of 100-char lines (MB/s)": 100 / seconds, "RSS growth (MiB)": (peak - baseline) / 1024 / 1024 }, { "RSS growth (MiB)": { goal: "< 50" } });
}
