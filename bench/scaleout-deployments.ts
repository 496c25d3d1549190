/**
 * Deployments per second with 1 and 3 workers under GitHub's write budget
 * (issue 13): 60 deployments over 10 installations × 2 environments, each
 * 1.5 s of work between an in_progress and a final status, through the
 * PostgreSQL queue and the shared outbox with production pacing (1 s apart,
 * 80 a minute, 500 an hour, per installation). Timed until GitHub has every
 * final status. Beside it, in the same run, 3 workers each delivering their
 * own writes (a file outbox each, as before the shared outbox): faster only
 * by writing to one installation more often than its budget allows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeploymentJob } from "../src/core/job.js";
import { Outbox, type OutboxLog, type OutboxOctokit, type OutboxWrite } from "../src/github/outbox.js";
import { PostgresOutbox, type DeliveringOutbox } from "../src/github/postgres-outbox.js";
import { PostgresQueue } from "../src/queue/postgres-queue.js";
import type { Postgres } from "../test/helpers/postgres.js";
import { job } from "../test/helpers/queue-jobs.js";
import { record } from "./helpers/scoreboard.js";

const DEPLOYMENTS = 60;
const INSTALLATIONS = 10;
const WORK_MS = 1_500;
const quiet: OutboxLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** GitHub taking every write at once, remembering when each installation was written to. */
function fakeGitHub() {
  const writes = new Map<number, number[]>();
  let finals = 0;
  let allFinal!: () => void;
  const done = new Promise<void>((resolve) => (allFinal = resolve));
  const octokitFor = async (installationId: number): Promise<OutboxOctokit> => ({
    request: async (route, params) => {
      if (route.startsWith("GET")) return { status: 200, data: [] };
      writes.set(installationId, [...(writes.get(installationId) ?? []), performance.now()]);
      if (params.state === "success" && ++finals === DEPLOYMENTS) allFinal();
      return { status: 201, data: {} };
    },
    auth: async () => ({ token: "ghs_bench" }),
  });
  /** The shortest time between two writes to one installation: the budget asks for 1,000 ms. */
  const closestMs = () => Math.round(Math.min(...[...writes.values()].flatMap((times) => times.slice(1).map((at, index) => at - times[index]!))));
  return { octokitFor, done, closestMs };
}

function status(deployment: DeploymentJob, state: string): OutboxWrite {
  const id = Number(deployment.request.id);
  return {
    key: `${deployment.key}:${state}`,
    group: deployment.key,
    installationId: 1 + (id % INSTALLATIONS),
    supersedable: state === "in_progress",
    route: "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    params: { owner: "octo", repo: `app-${id % INSTALLATIONS}`, deployment_id: id, state },
  };
}

async function timed(database: string, workers: number, shared: boolean, dir: string): Promise<{ perSecond: number; closestMs: number }> {
  const github = fakeGitHub();
  const outboxes: DeliveringOutbox[] = [];
  for (let index = 0; index < workers; index += 1) {
    outboxes.push(
      shared
        ? await PostgresOutbox.open({ connectionString: database, octokitFor: github.octokitFor, log: quiet, onError: () => undefined, pollMs: 200 })
        : (await Outbox.open({ file: join(dir, `outbox-${workers}-${index}.jsonl`), octokitFor: github.octokitFor, log: quiet })).outbox,
    );
  }
  const queues = await Promise.all(outboxes.map(() => PostgresQueue.open({ connectionString: database, concurrency: 4 })));
  const started = performance.now();
  await Promise.all(
    queues.map((queue, index) =>
      queue.process({
        run: async (deployment) => {
          const outbox = outboxes[index]!;
          await outbox.add(status(deployment, "in_progress"));
          await new Promise((resolve) => setTimeout(resolve, WORK_MS));
          await outbox.add(status(deployment, "success"));
          return { kind: "done" };
        },
        interrupted: async () => undefined,
      }),
    ),
  );
  // Lanes: one per repository and environment, as heaven's.
  for (let id = 1; id <= DEPLOYMENTS; id += 1) await queues[0]!.enqueue(job(id, `${id % INSTALLATIONS}-${id % 2 === 0 ? "production" : "staging"}`));
  await github.done;
  const seconds = (performance.now() - started) / 1000;
  for (const queue of queues) await queue.drain(0);
  for (const queue of queues) await queue.close();
  for (const outbox of outboxes) await outbox.close();
  return { perSecond: Number((DEPLOYMENTS / seconds).toFixed(2)), closestMs: github.closestMs() };
}

export async function deploymentsUnderBudget(pgCluster: Postgres): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "heaven-bench-budget-"));
  try {
    const one = await timed(await pgCluster.createDatabase("budget1"), 1, true, dir);
    const three = await timed(await pgCluster.createDatabase("budget3"), 3, true, dir);
    const unshared = await timed(await pgCluster.createDatabase("budget3files"), 3, false, dir);
    console.log(
      `scaleout: ${DEPLOYMENTS} deployments of ${WORK_MS} ms over ${INSTALLATIONS} installations, production pacing: 1 worker ${one.perSecond}/s, 3 workers ${three.perSecond}/s ` +
        `(writes to one installation ≥ ${three.closestMs} ms apart); 3 workers each delivering their own: ${unshared.perSecond}/s, writes as close as ${unshared.closestMs} ms (over the budget)`,
    );
    record(
      "scaleout",
      { "deployments/s, 3 workers, GitHub budget": three.perSecond, "closest writes to one installation, 3 workers (ms)": three.closestMs },
      {
        "deployments/s, 3 workers, GitHub budget": { baseline: one.perSecond, of: "1 worker" },
        "closest writes to one installation, 3 workers (ms)": { baseline: unshared.closestMs, of: "3 workers, an outbox each (before)", goal: "≥ 1000" },
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
