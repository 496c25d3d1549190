/**
 * Burst: 24 deployments to 4 environments at once through the real server
 * (concurrency 4, Probot's throttling on, production pacing): when every
 * script had run, when every final status was in, API calls and writes per
 * deployment.
 */
import { startServerScenario } from "./helpers/server-scenario.js";
import { nowMs } from "./helpers/stats.js";
import { record } from "./helpers/scoreboard.js";

export async function burstBenchmark(dir: string): Promise<void> {
  const { github, heaven, event, scriptStarts, stop } = await startServerScenario(dir, { HEAVEN_CONCURRENCY: "4" });
  try {
    // One deployment first: the clone cache and the installation token are warm, as on a running server.
    const warm = event("production");
    await heaven.webhook("deployment", warm);
    await github.waitForFinalStatus(warm.deployment.id);

    const before = github.requests.length;
    const t0 = nowMs();
    const wallStart = Date.now();
    const burst = Array.from({ length: 24 }, (_, i) => event(["production", "staging", "qa", "canary"][i % 4] as string));
    await Promise.all(burst.map((e) => heaven.webhook("deployment", e)));
    const finals = await Promise.all(burst.map((e) => github.waitForFinalStatus(e.deployment.id)));
    const elapsed = nowMs() - t0;
    const starts = scriptStarts();
    const lastScript = Math.max(...burst.map((e) => starts.get(String(e.deployment.id)) ?? NaN));
    const spent = github.requests.slice(before).filter((r) => r.path.startsWith("/repos/"));
    const writes = spent.filter((r) => r.method !== "GET").length;
    const ok = finals.filter((f) => f.state === "success").length;
    console.log(
      `burst: 24 deployments over 4 environments (concurrency 4): every script had run ${((lastScript - wallStart) / 1000).toFixed(1)} s after the webhooks; ` +
        `${ok}/24 success statuses were in after ${(elapsed / 1000).toFixed(1)} s (writes are paced 1 s apart per installation); ` +
        `${(spent.length / 24).toFixed(2)} API calls and ${(writes / 24).toFixed(2)} writes per deployment ` +
        `(queued statuses are the writes above 2)`,
    );
    record(
      "burst",
      { "scripts all run after (s)": (lastScript - wallStart) / 1000, "final statuses in after (s)": elapsed / 1000, "API requests per deployment": spent.length / 24, "writes per deployment": writes / 24, "success statuses (of 24)": ok },
      { "API requests per deployment": { baseline: 7, of: "Heaven's, a constant" }, "writes per deployment": { baseline: 5, of: "Heaven's, a constant" } },
    );
  } finally {
    await stop();
  }
}
