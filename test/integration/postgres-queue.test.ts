/**
 * The PostgreSQL queue (graphile-worker) keeps the shared DeployQueue
 * contract, against a real throwaway PostgreSQL cluster: one fresh database
 * per test. Then what only a shared database shows: several processes
 * starting together, sharing lanes and wakes, rows a process cannot read,
 * and a running job whose process is gone when another starts.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { PostgresQueue, type PostgresQueueOptions } from "../../src/queue/postgres-queue.js";
import { describeDeployQueueContract } from "../contract/deploy-queue.contract.js";
import { startPostgres, type Postgres } from "../helpers/postgres.js";
import type { QueueHandlers } from "../../src/core/queue.js";
import { gated, job } from "../helpers/queue-jobs.js";

let postgres: Postgres;
let database = "";
let count = 0;

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
});

// Short intervals: a park deadline is noticed within 50 ms; no test here kills a worker.
const fast = (connectionString: string, concurrency: number): PostgresQueueOptions => ({
  connectionString,
  concurrency,
  pollIntervalMs: 50,
  heartbeat: { beatMs: 200, deadAfterMs: 5_000 },
});

describeDeployQueueContract("PostgresQueue", {
  reset: async () => {
    count += 1;
    database = await postgres.createDatabase(`contract_${count}`);
  },
  open: (concurrency) => PostgresQueue.open(fast(database, concurrency)),
  cleanup: async () => undefined,
});

describe("PostgresQueue on a database other processes share", () => {
  /** Another process's hand on the database: what a crash or a damaged row leaves. */
  async function withSql<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** The same gated handlers for several processes, each run tagged with which process ran it. */
  function tagged(handlers: QueueHandlers, name: string, ranOn: Map<string, string>): QueueHandlers {
    return { ...handlers, run: (j, control) => (ranOn.set(j.key, name), handlers.run(j, control)) };
  }

  it("migrates once when several processes start together on an empty database", async () => {
    // A few rounds: a race between starters shows only some of the time.
    for (const round of [1, 2, 3]) {
      const url = await postgres.createDatabase(`starting_together_${round}`);
      const opened = await Promise.allSettled([1, 2, 3].map(() => PostgresQueue.open(fast(url, 1))));
      for (const result of opened) if (result.status === "fulfilled") await result.value.close();
      expect(opened.map((result) => (result.status === "fulfilled" ? "opened" : String(result.reason)))).toEqual(["opened", "opened", "opened"]);
    }
  });

  it("shares lanes between processes: one job of a lane at a time across all, in order, lanes spread over them, each counting its own running", async () => {
    const url = await postgres.createDatabase("shared_lanes");
    const [a, b] = [await PostgresQueue.open(fast(url, 1)), await PostgresQueue.open(fast(url, 1))];
    try {
      const g = gated();
      const ranOn = new Map<string, string>();
      await a.process(tagged(g.handlers, "a", ranOn));
      await b.process(tagged(g.handlers, "b", ranOn));
      await a.enqueue(job(1));
      await b.enqueue(job(2));
      await a.enqueue(job(3, "staging"));
      await Promise.all([g.started(1), g.started(3)]);
      // One worker each: the two lanes run on both processes, and the lane's second job waits.
      expect(new Set([ranOn.get("test:1"), ranOn.get("test:3")])).toEqual(new Set(["a", "b"]));
      expect(g.events.slice().sort()).toEqual(["1 start", "3 start"]);
      // Either sees both running; each counts as its own (what its drain waits for) only the one it runs.
      expect((await b.list()).filter((entry) => entry.state === "running")).toHaveLength(2);
      expect([a.runningHere(), b.runningHere()]).toEqual([1, 1]);
      g.finish(1);
      await g.started(2);
      expect(g.events.indexOf("1 end")).toBeLessThan(g.events.indexOf("2 start"));
      expect(await b.depth()).toBe(0);
    } finally {
      for (const queue of [a, b]) await queue.drain(0);
      for (const queue of [a, b]) await queue.close();
    }
  });

  it("runs a job parked by one process again when another process hears its condition", async () => {
    const url = await postgres.createDatabase("shared_wakes");
    const [worker, server] = [await PostgresQueue.open(fast(url, 1)), await PostgresQueue.open(fast(url, 1))];
    try {
      const g = gated();
      await worker.process(g.handlers);
      await server.enqueue(job(1));
      await g.started(1);
      g.finish(1, { kind: "park", job: job(1), until: Date.now() + 600_000, wakeOn: "ci:octo/app@sha" });
      await server.enqueue(job(2, "staging"));
      await g.started(2); // the parked job holds no worker
      expect(await server.wake("ci:octo/app@sha")).toBe(1);
      g.finish(2);
      await g.started(1);
      expect(g.events).toEqual(["1 start", "1 end", "2 start", "2 end", "1 start"]);
    } finally {
      for (const queue of [worker, server]) await queue.drain(0);
      for (const queue of [worker, server]) await queue.close();
    }
  });

  it("sets aside a job it cannot read, says which and why, and runs the rest of the lane", async () => {
    const url = await postgres.createDatabase("unreadable");
    const queue = await PostgresQueue.open(fast(url, 2));
    try {
      await queue.enqueue(job(1));
      await queue.enqueue(job(2));
      await withSql(url, (sql) => sql.query("update heaven.deploy_jobs set job = job - 'lane' where key = 'test:1'"));
      const g = gated();
      expect(await queue.process(g.handlers)).toEqual({
        interrupted: 0,
        queued: 1,
        parked: 0,
        skipped: ["job test:1: lane: Invalid input: expected string, received undefined; skipped"],
      });
      await g.started(2);
      expect(g.events).toEqual(["2 start"]);
      expect((await queue.list()).map((entry) => entry.job.key)).toEqual(["test:2"]);
    } finally {
      await queue.drain(0);
      await queue.close();
    }
  });

  it("reports a job whose process is gone as interrupted when it starts, with its processes, and runs the lane's next one", async () => {
    const url = await postgres.createDatabase("left_running");
    const queue = await PostgresQueue.open(fast(url, 2));
    try {
      await queue.enqueue(job(1));
      await queue.enqueue(job(2));
      // As a process that crashed mid-run leaves it: running, on a worker that no longer beats.
      await withSql(url, (sql) =>
        sql.query("update heaven.deploy_jobs set state = 'running', worker_id = 'gone', started_at = now(), processes = '[{\"pgid\":4242}]' where key = 'test:1'"),
      );
      const g = gated();
      expect(await queue.process(g.handlers)).toEqual({ interrupted: 1, queued: 1, parked: 0, skipped: [] });
      expect(g.interrupted).toEqual([{ key: "test:1", processes: [{ pgid: 4242 }] }]);
      await g.started(2);
      expect(g.events).toEqual(["2 start"]);
      expect(await queue.enqueue(job(1))).toEqual({ kind: "duplicate" });
    } finally {
      await queue.drain(0);
      await queue.close();
    }
  });
});
