/**
 * The scale-out queue's costs (issue 13), on a throwaway PostgreSQL cluster
 * (test/helpers/postgres.ts: fsync off, so the disk is not what is timed):
 *
 * - engine overhead: 10,000 no-op jobs over 100 lanes enqueued, then drained,
 *   by the PostgreSQL queue, beside the embedded queue (journal on disk) doing
 *   the same in the same run;
 * - work spread: 600 jobs of 50 ms over 30 lanes drained by 1 and by 3 queue
 *   processes' worth of runners (each its own pool, concurrency 4);
 * - deployments under GitHub's write budget, 1 and 3 workers
 *   (scaleout-deployments.ts);
 * - failover: a worker process SIGKILLed mid-job; how long until a survivor
 *   reports the job interrupted, and until the lane's next job starts there.
 *
 * Skipped, saying so, where PostgreSQL is not installed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DeployQueue, QueueHandlers } from "../src/core/queue.js";
import { EmbeddedQueue } from "../src/queue/embedded-queue.js";
import { PostgresQueue } from "../src/queue/postgres-queue.js";
import { postgresBin, startPostgres, type Postgres } from "../test/helpers/postgres.js";
import { job } from "../test/helpers/queue-jobs.js";
import { record } from "./helpers/scoreboard.js";
import { deploymentsUnderBudget } from "./scaleout-deployments.js";

const WORKER = fileURLToPath(new URL("../../test/helpers/postgres-queue-worker.mjs", import.meta.url));

/** Enqueues `count` jobs over `lanes` lanes, 50 at a time; resolves when all are accepted, with the time it took. */
async function enqueueAll(queue: DeployQueue, count: number, lanes: number, firstId = 1): Promise<number> {
  const started = performance.now();
  for (let batch = 0; batch < count; batch += 50) {
    const ids = Array.from({ length: Math.min(50, count - batch) }, (_, i) => firstId + batch + i);
    await Promise.all(ids.map((id) => queue.enqueue(job(id, `env-${id % lanes}`))));
  }
  return performance.now() - started;
}

/** Handlers that finish each job after `workMs`, and a promise for when `count` have. */
function counting(count: number, workMs: number): { handlers: QueueHandlers; all: Promise<void> } {
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const handlers: QueueHandlers = {
    run: async () => {
      if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
      if (++done === count) finished();
      return { kind: "done" };
    },
    interrupted: async () => undefined,
  };
  return { handlers, all };
}

async function drainTimed(queues: DeployQueue[], count: number, workMs: number): Promise<number> {
  const { handlers, all } = counting(count, workMs);
  const started = performance.now();
  await Promise.all(queues.map((queue) => queue.process(handlers)));
  await all;
  return performance.now() - started;
}

async function overhead(dir: string, database: string): Promise<void> {
  const count = 10_000;
  const embedded = await EmbeddedQueue.open({ journalFile: join(dir, "journal.jsonl"), concurrency: 8 });
  const embeddedEnqueue = await enqueueAll(embedded, count, 100);
  const embeddedDrain = await drainTimed([embedded], count, 0);
  await embedded.drain(0);
  await embedded.close();

  const postgres = await PostgresQueue.open({ connectionString: database, concurrency: 8 });
  const postgresEnqueue = await enqueueAll(postgres, count, 100);
  const postgresDrain = await drainTimed([postgres], count, 0);
  await postgres.drain(0);
  await postgres.close();

  const perSecond = (ms: number) => Math.round(count / (ms / 1000));
  console.log(`scaleout: 10,000 no-op jobs over 100 lanes: enqueue ${perSecond(postgresEnqueue)}/s (embedded ${perSecond(embeddedEnqueue)}/s), drain ${perSecond(postgresDrain)}/s (embedded ${perSecond(embeddedDrain)}/s)`);
  record(
    "scaleout",
    { "enqueue (jobs/s)": perSecond(postgresEnqueue), "drain, no-op jobs (jobs/s)": perSecond(postgresDrain), "engine overhead per job (ms)": Number((postgresDrain / count).toFixed(2)) },
    {
      "enqueue (jobs/s)": { baseline: perSecond(embeddedEnqueue), of: "embedded queue, same run" },
      "drain, no-op jobs (jobs/s)": { baseline: perSecond(embeddedDrain), of: "embedded queue, same run" },
      "engine overhead per job (ms)": { baseline: Number((embeddedDrain / count).toFixed(2)), of: "embedded queue, same run" },
    },
  );
}

async function spread(pgCluster: Postgres): Promise<void> {
  const count = 600;
  const timed = async (processes: number) => {
    const database = await pgCluster.createDatabase(`spread${processes}`);
    const queues = await Promise.all(Array.from({ length: processes }, () => PostgresQueue.open({ connectionString: database, concurrency: 4 })));
    await enqueueAll(queues[0] as PostgresQueue, count, 30);
    const ms = await drainTimed(queues, count, 50);
    await Promise.all(queues.map(async (queue) => (await queue.drain(0), await queue.close())));
    return Number((count / (ms / 1000)).toFixed(1));
  };
  const one = await timed(1);
  const three = await timed(3);
  console.log(`scaleout: 600 jobs of 50 ms over 30 lanes, concurrency 4 each: 1 worker ${one} jobs/s, 3 workers ${three} jobs/s (ideal ${(4 / 0.05).toFixed(0)} and ${(12 / 0.05).toFixed(0)})`);
  record("scaleout", { "50 ms jobs, 3 workers (jobs/s)": three }, { "50 ms jobs, 3 workers (jobs/s)": { baseline: one, of: "1 worker", goal: "≈ 3×" } });
}

/** A worker process of the failover test; `said(pattern)` resolves with the first JSON line it printed that matches. */
function startWorker(database: string) {
  const child: ChildProcess = spawn(process.execPath, [WORKER], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: database }, stdio: ["ignore", "pipe", "inherit"] });
  const lines: Array<Record<string, string>> = [];
  const waiters: Array<() => void> = [];
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
      lines.push(JSON.parse(buffered.slice(0, at)) as Record<string, string>);
      buffered = buffered.slice(at + 1);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const said = async (key: string, value?: string): Promise<void> => {
    while (!lines.some((line) => line[key] !== undefined && (value === undefined || line[key] === value))) await new Promise<void>((wake) => waiters.push(wake));
  };
  return { child, said, saidAlready: (key: string, value: string) => lines.some((line) => line[key] === value) };
}

async function failover(pgCluster: Postgres): Promise<void> {
  const database = await pgCluster.createDatabase("failover");
  const workers = [startWorker(database), startWorker(database)];
  await Promise.all(workers.map((worker) => worker.said("ready")));
  const producer = await PostgresQueue.open({ connectionString: database, concurrency: 1 });
  await producer.enqueue(job(1, "production"));
  await producer.enqueue(job(2, "production"));
  await Promise.race(workers.map((worker) => worker.said("started", "test:1")));
  const victim = workers.find((worker) => worker.saidAlready("started", "test:1")) ?? workers[0];
  const survivor = workers.find((worker) => worker !== victim);
  if (victim === undefined || survivor === undefined) throw new Error("no worker started the job");
  const killed = performance.now();
  victim.child.kill("SIGKILL");
  await survivor.said("interrupted", "test:1");
  const reported = performance.now() - killed;
  await survivor.said("started", "test:2");
  const nextStarted = performance.now() - killed;
  survivor.child.kill("SIGKILL");
  await producer.close();
  console.log(`scaleout: SIGKILL mid-job → interrupted reported by a survivor after ${(reported / 1000).toFixed(1)} s, the lane's next job started after ${(nextStarted / 1000).toFixed(1)} s`);
  record(
    "scaleout",
    { "failover: interrupted reported (s)": Number((reported / 1000).toFixed(1)), "failover: lane's next job started (s)": Number((nextStarted / 1000).toFixed(1)) },
    { "failover: interrupted reported (s)": { goal: "< 15" }, "failover: lane's next job started (s)": { goal: "< 15" } },
  );
}

export async function scaleoutBenchmark(dir: string): Promise<void> {
  if (postgresBin() === undefined) {
    console.log("scaleout: skipped: PostgreSQL is not installed (apt-get install postgresql)");
    return;
  }
  const pgCluster = await startPostgres();
  try {
    await overhead(dir, await pgCluster.createDatabase("overhead"));
    await spread(pgCluster);
    await deploymentsUnderBudget(pgCluster);
    await failover(pgCluster);
  } finally {
    await pgCluster.stop();
  }
}
