/**
 * Start latency: signed webhook → the deploy script's first instruction,
 * through the real server with Probot's throttling on, against the fake
 * GitHub, one deployment at a time. The in_progress write must not sit in
 * between.
 */
import { percentile } from "./helpers/stats.js";
import { startServerScenario } from "./helpers/server-scenario.js";

export async function startLatencyBenchmark(dir: string): Promise<void> {
  const { github, heaven, event, scriptStarts, stop } = await startServerScenario(dir, { HEAVEN_CONCURRENCY: "4" });
  try {
    // The first deployment warms the clone cache; the next ten are measured.
    const latencies: number[] = [];
    for (let i = 0; i < 11; i++) {
      const e = event("production");
      const sent = Date.now();
      await heaven.webhook("deployment", e);
      await github.waitForFinalStatus(e.deployment.id);
      const started = scriptStarts().get(String(e.deployment.id));
      if (i > 0 && started !== undefined) latencies.push(started - sent);
    }
    console.log(
      `start latency (webhook → script runs), 10 warm deployments: median ${percentile(latencies, 50)} ms, p90 ${percentile(latencies, 90)} ms, max ${Math.max(...latencies)} ms`,
    );
  } finally {
    await stop();
  }
}
