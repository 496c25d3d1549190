/**
 * Deployment events between processes over a real PostgreSQL (one fresh
 * database per test, two relays on it standing for two heaven processes):
 * what one publishes reaches the other's sinks in order and whole, a
 * process never hears its own events back, a failing sink does not stop
 * the relay, a lost LISTEN connection delays events without losing them,
 * and a closed relay delivers nothing more.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import type { DeploymentEvent, EventSink } from "../../src/core/events.js";
import type { DeploymentJob } from "../../src/core/job.js";
import { PostgresEventRelay } from "../../src/engine/postgres-event-relay.js";
import { startPostgres, type Postgres } from "../helpers/postgres.js";
import { deferred, job } from "../helpers/queue-jobs.js";

let postgres: Postgres;
let count = 0;
const opened: PostgresEventRelay[] = [];
let errors: unknown[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((relay) => relay.close()));
  errors = [];
});

async function database(): Promise<string> {
  count += 1;
  return postgres.createDatabase(`events_${count}`);
}
async function relay(url: string): Promise<PostgresEventRelay> {
  const opening = await PostgresEventRelay.open({ connectionString: url, onError: (error) => errors.push(error) });
  opened.push(opening);
  return opening;
}

/** A sink that keeps what it is told; `told(n)` resolves once it holds n events. */
function recorder() {
  const seen: Array<{ job: DeploymentJob; event: DeploymentEvent; logUrl: string }> = [];
  const waits: Array<{ n: number; done: () => void }> = [];
  const sink: EventSink = {
    publish: async (j, event, logUrl) => {
      seen.push({ job: j, event, logUrl });
      for (const wait of waits) if (seen.length >= wait.n) wait.done();
    },
  };
  const told = (n: number) => {
    const { promise, resolve } = deferred();
    if (seen.length >= n) resolve();
    else waits.push({ n, done: resolve });
    return promise;
  };
  return { sink, seen, told, labels: () => seen.map(({ job: j, event }) => `${j.request.id} ${event.type}`) };
}

const started = (sha: string): DeploymentEvent => ({ type: "started", sha, forcedOver: undefined, environmentUrl: "https://app.example" });
const finished: DeploymentEvent = { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 1200 }, environmentUrl: undefined };

describe("PostgresEventRelay", () => {
  it("feeds another process's sinks what one publishes, in order, with a job too big for a NOTIFY intact", async () => {
    const url = await database();
    const [a, b] = [await relay(url), await relay(url)];
    const heard = recorder();
    await b.listen([heard.sink]);
    const big = job(41, "production", { payloadConfig: { notes: "x".repeat(20_000) } });

    await a.sink.publish(big, { type: "queued", position: { kind: "workers", busy: 3, concurrency: 3 } }, "https://heaven/logs/41");
    await a.sink.publish(big, started("b".repeat(40)), "https://heaven/logs/41");
    await a.sink.publish(job(42), started("c".repeat(40)), "https://heaven/logs/42");
    await a.sink.publish(big, finished, "https://heaven/logs/41");
    await heard.told(4);

    expect(heard.labels()).toEqual(["41 queued", "41 started", "42 started", "41 finished"]);
    expect(heard.seen[0]?.job).toEqual(big);
    expect(JSON.stringify(heard.seen[0]?.job).length).toBeGreaterThan(8_000);
    expect(heard.seen[1]?.event).toEqual({ type: "started", sha: "b".repeat(40), environmentUrl: "https://app.example" });
    expect(heard.seen[3]).toEqual({ job: big, event: { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 1200 } }, logUrl: "https://heaven/logs/41" });
    expect(errors).toEqual([]);
  });

  it("never tells a process its own events, and tells a listener nothing from before it listened", async () => {
    const url = await database();
    const [a, b] = [await relay(url), await relay(url)];
    await a.sink.publish(job(1), started("a".repeat(40)), "");
    const toA = recorder();
    const toB = recorder();
    await a.listen([toA.sink]);
    await b.listen([toB.sink]);

    await a.sink.publish(job(2), started("a".repeat(40)), "");
    await a.sink.publish(job(2), finished, "");
    await toB.told(2);
    await b.sink.publish(job(3), started("a".repeat(40)), "");
    // A reads in id order: once it has B's event, it has passed its own two.
    await toA.told(1);

    expect(toA.labels()).toEqual(["3 started"]);
    expect(toB.labels()).toEqual(["2 started", "2 finished"]);
    expect(errors).toEqual([]);
  });

  it("reports a sink that throws and goes on feeding it and the sinks after it", async () => {
    const url = await database();
    const [a, b] = [await relay(url), await relay(url)];
    const after = recorder();
    let calls = 0;
    const failing: EventSink = {
      publish: async () => {
        calls += 1;
        if (calls === 1) throw new Error("the dashboard could not take it");
      },
    };
    await b.listen([failing, after.sink]);

    await a.sink.publish(job(7), started("a".repeat(40)), "");
    await a.sink.publish(job(7), finished, "");
    await after.told(2);

    expect(after.labels()).toEqual(["7 started", "7 finished"]);
    expect(calls).toBe(2);
    expect(errors.map(String)).toEqual(["Error: the dashboard could not take it"]);
  });

  it("still delivers what is written while its LISTEN connection is lost", async () => {
    const url = await database();
    const [a, b] = [await relay(url), await relay(url)];
    const heard = recorder();
    await b.listen([heard.sink]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %heaven_events%'");
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }

    await a.sink.publish(job(9), started("a".repeat(40)), "");
    await heard.told(1);

    expect(heard.labels()).toEqual(["9 started"]);
  });

  it("delivers nothing once closed", async () => {
    const url = await database();
    const [a, b, c] = [await relay(url), await relay(url), await relay(url)];
    const toB = recorder();
    const toC = recorder();
    await b.listen([toB.sink]);
    await c.listen([toC.sink]);
    await a.sink.publish(job(5), started("a".repeat(40)), "");
    await toB.told(1);

    await b.close();
    await a.sink.publish(job(5), finished, "");
    // C hearing it means it was written and told; B, closed, heard nothing more.
    await toC.told(2);

    expect(toB.labels()).toEqual(["5 started"]);
    expect(toC.labels()).toEqual(["5 started", "5 finished"]);
    await expect(b.sink.publish(job(6), finished, "")).rejects.toThrow();
  });

  it("deletes the events older than it keeps when it starts listening", async () => {
    const url = await database();
    const writer = await relay(url);
    await writer.sink.publish(job(1), started("a".repeat(40)), "");
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await admin.query("update heaven.relayed_events set created_at = now() - interval '2 hours'");
      await writer.sink.publish(job(2), started("a".repeat(40)), "");
      const listener = await PostgresEventRelay.open({ connectionString: url, onError: (error) => errors.push(error), keepMs: 60 * 60 * 1000 });
      opened.push(listener);
      await listener.listen([recorder().sink]);

      const { rows } = await admin.query<{ id: string }>("select job->'request'->>'id' as id from heaven.relayed_events order by id");
      expect(rows.map((row) => row.id)).toEqual(["2"]);
    } finally {
      await admin.end();
    }
  });
});
