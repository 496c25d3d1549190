/**
 * heaven's benchmarks (`npm run bench`). Numbers, not assertions: run it
 * before and after a change that touches the hot path and compare.
 *
 * 1. start latency: signed webhook → the deploy script's first instruction,
 *    through the real server with Probot's throttling on, against the fake
 *    GitHub. The in_progress write must not sit in between.
 * 2. burst: 24 deployments to 4 environments at once; wall time, API calls
 *    and writes per deployment.
 * 3. chatty provider: a script printing 100 MB; heaven's peak RSS growth.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { laneOf } from "../src/core/job.js";
import type { DeploymentOutcome } from "../src/core/outcome.js";
import { createCore } from "../src/create-core.js";
import { loadSettings } from "../src/settings.js";
import { createRepo, script, tempDir } from "../test/helpers/git-repo.js";
import { webhookExample } from "../test/helpers/examples.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { startHeaven } from "../test/helpers/heaven-server.js";

const nowMs = () => Number(process.hrtime.bigint() / 1_000_000n);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

async function serverBenchmarks(dir: string): Promise<void> {
  const github = new FakeGitHub();
  await github.start();
  const heaven = await startHeaven({ githubHost: github.host, dataDir: join(dir, "data"), env: { HEAVEN_CONCURRENCY: "4" } });
  try {
    const startedAt = join(dir, "started-at");
    // `date +%s%3N`: wall-clock milliseconds, comparable with Date.now() here.
    const origin = createRepo(dir, "origin", { "script/deploy": script(`echo "$DEPLOYMENT_ID $(date +%s%3N)" >> '${startedAt}'`) });
    github.repo("Codertocat/Hello-World").config = "required_contexts: []\n";
    let id = 1;
    const event = (environment: string) => {
      const e = webhookExample("deployment", (x) => x.installation !== undefined && x.deployment.environment === "production");
      e.repository.clone_url = `file://${origin.dir}`;
      Object.assign(e.deployment, { id: id++, sha: origin.sha, environment });
      return e;
    };

    // 1. start latency, one deployment at a time (the first warms the clone cache).
    const latencies: number[] = [];
    const inProgressLag: number[] = [];
    for (let i = 0; i < 11; i++) {
      const e = event("production");
      const sent = Date.now();
      await heaven.webhook("deployment", e);
      await github.waitForFinalStatus(e.deployment.id);
      const line = readFileSync(startedAt, "utf8").trim().split("\n").find((l) => l.startsWith(`${e.deployment.id} `));
      if (i > 0 && line !== undefined) latencies.push(Number(line.split(" ")[1]) - sent);
      const statuses = github.statusesOf(e.deployment.id).map((s) => s.state);
      if (i > 0) inProgressLag.push(statuses[0] === "in_progress" ? 1 : 0);
    }
    console.log(`start latency (webhook → script runs), 10 warm deployments: median ${percentile(latencies, 50)} ms, p90 ${percentile(latencies, 90)} ms, max ${Math.max(...latencies)} ms`);

    // 2. burst
    const before = github.requests.length;
    const t0 = nowMs();
    const wallStart = Date.now();
    const burst = Array.from({ length: 24 }, (_, i) => event(["production", "staging", "qa", "canary"][i % 4] as string));
    await Promise.all(burst.map((e) => heaven.webhook("deployment", e)));
    const finals = await Promise.all(burst.map((e) => github.waitForFinalStatus(e.deployment.id)));
    const elapsed = nowMs() - t0;
    const burstIds = new Set(burst.map((e) => String(e.deployment.id)));
    const lastScript = Math.max(
      ...readFileSync(startedAt, "utf8").trim().split("\n").map((l) => l.split(" ")).filter(([i]) => burstIds.has(i as string)).map(([, ms]) => Number(ms)),
    );
    const spent = github.requests.slice(before).filter((r) => r.path.startsWith("/repos/"));
    const writes = spent.filter((r) => r.method !== "GET").length;
    const ok = finals.filter((f) => f.state === "success").length;
    console.log(
      `burst: 24 deployments over 4 environments (concurrency 4): every script had run ${((lastScript - wallStart) / 1000).toFixed(1)} s after the webhooks; ` +
        `${ok}/24 success statuses were in after ${(elapsed / 1000).toFixed(1)} s (writes are spaced 1 s apart per process); ` +
        `${(spent.length / 24).toFixed(2)} API calls and ${(writes / 24).toFixed(2)} writes per deployment ` +
        `(queued statuses are the writes above 2)`,
    );
  } finally {
    await heaven.stop();
    await github.stop();
  }
}

async function chattyBenchmark(dir: string): Promise<void> {
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
}

const dir = tempDir("heaven-bench-");
try {
  await serverBenchmarks(dir.path);
  await chattyBenchmark(dir.path);
} finally {
  dir.remove();
}
