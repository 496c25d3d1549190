/**
 * Writes per deployment under a burst, before and after coalescing: the same
 * burst (60 deployments over 4 environments of one installation,
 * concurrency 3, scripts of 0.3 s) through heaven in process, once with the
 * outbox's coalescing off and once on. Production pacing (1 s apart, 80 a
 * minute, 500 an hour per installation) and Probot's throttling on; the fake
 * GitHub over HTTP.
 */
import { join } from "node:path";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { benchRepo, scriptsDone } from "./helpers/bench-repo.js";
import { createDeployments, deliverBurst, statusTally, writesOf } from "./helpers/deployment-burst.js";
import { startInProcessHeaven } from "./helpers/in-process-heaven.js";
import { seconds, table } from "./helpers/stats.js";
import { record } from "./helpers/scoreboard.js";

const FULL_NAME = "bench/burst";
const DEPLOYMENTS = 60;
const ENVIRONMENTS = ["production", "staging", "qa", "canary"];
const CONCURRENCY = 3;
const SCRIPT_SECONDS = 0.3;
const STATES = ["queued", "pending", "in_progress", "success", "failure", "error", "inactive"];

interface RunResult {
  writes: number;
  byState: Map<string, number>;
  oneFinal: number;
  scriptsDoneAfter: number;
  finalsInAfter: number;
  medianFinalAfter: number;
  coalesced: number;
  failedDeliveries: number;
}

async function burstRun(dir: string, coalesce: boolean): Promise<RunResult> {
  const github = new FakeGitHub();
  await github.start();
  const doneFile = join(dir, "scripts-done");
  benchRepo(github, dir, FULL_NAME, { seconds: SCRIPT_SECONDS, doneFile });
  const heaven = await startInProcessHeaven(github, { dataDir: join(dir, "data"), concurrency: CONCURRENCY, outbox: { coalesce } });
  try {
    // One deployment first: the clone cache and the installation token are warm, as on a running server.
    const [warm] = await createDeployments(github, FULL_NAME, ["warm-up"], 1);
    await github.deliverDeployment(warm as number);
    await github.waitForFinalStatus(warm as number);
    await heaven.outbox.idle();
    const coalescedBefore = heaven.outbox.counts().coalesced;

    const ids = await createDeployments(github, FULL_NAME, ENVIRONMENTS, DEPLOYMENTS);
    const burst = await deliverBurst(github, ids);
    const done = scriptsDone(doneFile);
    const { byState, oneFinal } = statusTally(github, ids);
    const finals = [...burst.finalAfter.values()].sort((a, b) => a - b);
    return {
      writes: writesOf(burst.requests).filter((r) => r.method === "POST").length,
      byState,
      oneFinal,
      scriptsDoneAfter: Math.max(...ids.map((id) => (done.get(id) ?? NaN) - burst.startedAt)),
      finalsInAfter: Math.max(...finals),
      medianFinalAfter: finals[Math.floor(finals.length / 2)] ?? NaN,
      coalesced: heaven.outbox.counts().coalesced - coalescedBefore,
      failedDeliveries: github.failedDeliveries.length,
    };
  } finally {
    await heaven.stop();
    await github.stop();
  }
}

export async function burstCoalescingBenchmark(dir: string): Promise<void> {
  const off = await burstRun(join(dir, "coalescing-off"), false);
  const on = await burstRun(join(dir, "coalescing-on"), true);
  const perDeployment = (n: number) => (n / DEPLOYMENTS).toFixed(2);
  const row = (label: string, f: (r: RunResult) => string) => [label, f(off), f(on)];
  console.log(
    `burst, outbox coalescing off vs on: ${DEPLOYMENTS} deployments over ${ENVIRONMENTS.length} environments of one installation ` +
      `(concurrency ${CONCURRENCY}, scripts of ${SCRIPT_SECONDS} s), pacing 1 s apart / 80 a minute / 500 an hour, Probot's throttling on`,
  );
  console.log(
    table([
      ["", "coalescing off", "coalescing on"],
      row("writes (POSTs) per deployment", (r) => perDeployment(r.writes)),
      ...STATES.filter((state) => off.byState.has(state) || on.byState.has(state)).map((state) => row(`  ${state} statuses per deployment`, (r) => perDeployment(r.byState.get(state) ?? 0))),
      row("intermediate statuses coalesced", (r) => String(r.coalesced)),
      row("deployments with exactly one final status", (r) => `${r.oneFinal}/${DEPLOYMENTS}`),
      row("every script had finished after", (r) => seconds(r.scriptsDoneAfter)),
      row("half of the final statuses in after", (r) => seconds(r.medianFinalAfter)),
      row("every final status in after", (r) => seconds(r.finalsInAfter)),
      row("webhooks not answered 2xx", (r) => String(r.failedDeliveries)),
    ]),
  );
  record(
    "burst-coalescing",
    { "writes per deployment, coalescing on": on.writes / DEPLOYMENTS, "every final status in after, coalescing on (s)": on.finalsInAfter / 1000 },
    {
      "writes per deployment, coalescing on": { baseline: off.writes / DEPLOYMENTS, of: "coalescing off" },
      "every final status in after, coalescing on (s)": { baseline: off.finalsInAfter / 1000, of: "coalescing off" },
    },
  );
}
