/**
 * A worker SIGKILLed mid-deployment: the surviving processes notice its
 * silence (heartbeats), report its job interrupted exactly once within 15 s,
 * and the lane's next job runs on one of them. A worker that was only
 * frozen, and comes back after its job was taken over, stops that job.
 * Real processes, real PostgreSQL.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { PostgresQueue } from "../../src/queue/postgres-queue.js";
import { startPostgres, type Postgres } from "../helpers/postgres.js";
import { gated, job } from "../helpers/queue-jobs.js";

const WORKER = fileURLToPath(new URL("../helpers/postgres-queue-worker.mjs", import.meta.url));
const BUILT_QUEUE = fileURLToPath(new URL("../../lib/src/queue/postgres-queue.js", import.meta.url));

let postgres: Postgres;
const children: ChildProcess[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await postgres?.stop();
});

/** Starts a worker process; resolves with a way to wait for each line it says. */
function startWorker(databaseUrl: string, timing: Record<string, string> = {}) {
  const child = spawn(process.execPath, [WORKER], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl, ...timing }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const lines: Array<Record<string, string>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(JSON.parse(line) as Record<string, string>);
    for (const wake of waiters.splice(0)) wake();
  });
  const said = async (field: string): Promise<string> => {
    for (;;) {
      const found = lines.find((line) => line[field] !== undefined);
      if (found !== undefined) return found[field] as string;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  return { child, said, exited, lines };
}

it("reports a SIGKILLed worker's job interrupted exactly once within 15 s, and the lane's next job runs on a survivor", async () => {
  expect(existsSync(BUILT_QUEUE)).toBe(true); // the child runs the build: `npm run build` first (npm test does)
  const databaseUrl = await postgres.createDatabase("failover");
  const survivors = await Promise.all([1, 2].map(() => PostgresQueue.open({ connectionString: databaseUrl, concurrency: 2 })));
  try {
    const doomed = startWorker(databaseUrl);
    await doomed.said("ready");
    // Only the doomed worker processes yet: it takes the first job; the second waits behind it in the lane.
    await survivors[0]!.enqueue(job(1));
    await survivors[0]!.enqueue(job(2));
    expect(await doomed.said("started")).toBe("test:1");
    const [a, b] = [gated(), gated()];
    await survivors[0]!.process(a.handlers);
    await survivors[1]!.process(b.handlers);

    doomed.child.kill("SIGKILL");
    expect(await doomed.exited).toBe("SIGKILL");
    const killedAt = Date.now();
    expect(await Promise.race([a.firstInterrupted, b.firstInterrupted])).toBe("test:1");
    expect(Date.now() - killedAt).toBeLessThan(15_000);

    // The lane moves on, on a surviving process.
    const next = await Promise.race([a.started(2).then(() => a), b.started(2).then(() => b)]);
    next.finish(2);
    for (const queue of survivors) await queue.drain(60_000);
    expect([...a.interrupted, ...b.interrupted]).toEqual([{ key: "test:1", processes: [{ pgid: doomed.child.pid }] }]);
    expect([...a.events, ...b.events]).toEqual(["2 start", "2 end"]);
    expect(await survivors[0]!.list()).toEqual([]);
  } finally {
    for (const queue of survivors) {
      await queue.drain(0);
      await queue.close();
    }
  }
}, 40_000);

it("stops the job of a worker that was frozen past the limit and came back, once a survivor has reported it and moved the lane on", async () => {
  expect(existsSync(BUILT_QUEUE)).toBe(true);
  const databaseUrl = await postgres.createDatabase("frozen");
  const heartbeat = { beatMs: 200, deadAfterMs: 3_000 };
  const survivor = await PostgresQueue.open({ connectionString: databaseUrl, concurrency: 2, heartbeat });
  try {
    const frozen = startWorker(databaseUrl, { BEAT_MS: "200", DEAD_AFTER_MS: "3000" });
    await frozen.said("ready");
    await survivor.enqueue(job(1));
    await survivor.enqueue(job(2));
    expect(await frozen.said("started")).toBe("test:1");
    const g = gated();
    await survivor.process(g.handlers);

    frozen.child.kill("SIGSTOP");
    expect(await g.firstInterrupted).toBe("test:1");
    await g.started(2);
    frozen.child.kill("SIGCONT");
    // Back, it finds its job taken over and stops it rather than run beside the lane's next one.
    expect(await frozen.said("aborted")).toBe("test:1");
    g.finish(2);
    await survivor.drain(60_000);
    expect(g.interrupted.map((entry) => entry.key)).toEqual(["test:1"]);
    expect(frozen.lines.filter((line) => line.interrupted !== undefined)).toEqual([]);
  } finally {
    await survivor.drain(0);
    await survivor.close();
  }
}, 40_000);

it("reports a dead worker's job from a process that runs no jobs (the scale-out server) when no worker survives, and runs nothing there", async () => {
  expect(existsSync(BUILT_QUEUE)).toBe(true);
  const databaseUrl = await postgres.createDatabase("no_survivor");
  const heartbeat = { beatMs: 200, deadAfterMs: 3_000 };
  const server = await PostgresQueue.open({ connectionString: databaseUrl, concurrency: 2, heartbeat });
  try {
    const doomed = startWorker(databaseUrl, { BEAT_MS: "200", DEAD_AFTER_MS: "3000" });
    await doomed.said("ready");
    await server.enqueue(job(1));
    await server.enqueue(job(2));
    expect(await doomed.said("started")).toBe("test:1");
    const interrupted: string[] = [];
    let reported!: () => void;
    const once = new Promise<void>((resolve) => (reported = resolve));
    await server.supervise({ interrupted: async (j) => (interrupted.push(j.key), reported()) });

    doomed.child.kill("SIGKILL");
    await once;
    expect(interrupted).toEqual(["test:1"]);
    // Once the report is recorded, the lane's next job waits for a worker: the server takes none.
    const states = async () => (await server.list()).map((entry) => [entry.job.key, entry.state]);
    for (const deadline = Date.now() + 10_000; (await states()).length > 1 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await states()).toEqual([["test:2", "queued"]]);
    expect(interrupted).toEqual(["test:1"]);
  } finally {
    await server.drain(0);
    await server.close();
  }
}, 40_000);
