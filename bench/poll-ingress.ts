/**
 * No inbound traffic (HEAVEN_INGRESS=poll) at the default interval: how long
 * a deployment created through the API waits before its script starts
 * (expected: about half the interval, plus the usual start), and what an
 * idle heaven costs GitHub in requests per hour (a delivery log that has not
 * changed answers 304, which GitHub does not count against the rate limit).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { createRepo, script } from "../test/helpers/git-repo.js";
import { startHeaven } from "../test/helpers/heaven-server.js";
import { percentile } from "./helpers/stats.js";
import { record } from "./helpers/scoreboard.js";

const IDLE_WINDOW_MS = 30_000;
const MEASURED = 8;

export async function pollIngressBenchmark(dir: string): Promise<void> {
  const github = new FakeGitHub();
  await github.start();
  const startedAt = join(dir, "started-at");
  const origin = createRepo(dir, "origin", {
    "script/deploy": script(`echo "$DEPLOYMENT_ID $(date +%s%3N)" >> '${startedAt}'`),
    ".github/heaven.yml": "required_contexts: []\n",
  });
  github.addRepo("bench/poll", { dir: origin.dir, defaultBranch: "main", installationId: 77 });
  // No `deliver`: GitHub cannot reach heaven; the default interval (5 s).
  const heaven = await startHeaven({ githubHost: github.host, dataDir: join(dir, "data"), env: { HEAVEN_INGRESS: "poll" } });
  try {
    await heaven.waitForOutput("polling GitHub's delivery log for events");
    const from = github.requests.length;
    await sleep(IDLE_WINDOW_MS);
    const idle = github.requests.slice(from);
    const perHour = (n: number) => Math.round((n * 3_600_000) / IDLE_WINDOW_MS);
    const unchanged = idle.filter((r) => r.status === 304).length;

    const deploy = () => github.createDeployment({ fullName: "bench/poll", ref: "main", environment: "production", creator: { login: "bench" } });
    await github.waitForFinalStatus(await deploy()); // warms the clone cache
    const latencies: number[] = [];
    for (let i = 0; i < MEASURED; i++) {
      await sleep(Math.random() * 5_000); // a deployment arrives at any moment of the interval
      const created = Date.now();
      const id = await deploy();
      await github.waitForFinalStatus(id);
      const line = readFileSync(startedAt, "utf8").split("\n").find((l) => l.startsWith(`${id} `));
      if (line !== undefined) latencies.push(Number(line.split(" ")[1]) - created);
    }
    console.log(
      `no inbound traffic (HEAVEN_INGRESS=poll, every 5 s): deployment created → script runs, ${MEASURED} deployments: ` +
        `median ${(percentile(latencies, 50) / 1000).toFixed(1)} s, max ${(Math.max(...latencies) / 1000).toFixed(1)} s; ` +
        `idle: ${perHour(idle.length)} requests an hour (${perHour(unchanged)} of them 304s, which do not count against the rate limit)`,
    );
    record("poll-ingress", { "created → script, median (s)": percentile(latencies, 50) / 1000, "idle requests an hour": perHour(idle.length), "idle 304s an hour": perHour(unchanged) });
  } finally {
    await heaven.stop();
    await github.stop();
  }
}
