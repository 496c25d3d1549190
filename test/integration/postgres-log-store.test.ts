/**
 * Deployment logs in PostgreSQL, against a real throwaway cluster (one fresh
 * database per test): the store keeps the shared LogStore contract; what a
 * deployment writes through DeploymentLog reaches the table masked, capped
 * and whole at close; a slow database costs dropped lines, never a waiting
 * script; and a live tail waiting on `changed` wakes on a write, all waiters
 * of a process sharing one LISTEN connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import { DeploymentLog } from "../../src/engine/deployment-log.js";
import { updateLogMeta } from "../../src/engine/postgres-log-meta-sink.js";
import { PostgresLogs } from "../../src/engine/postgres-logs.js";
import { describeLogStoreContract, logMeta } from "../contract/log-store.contract.js";
import { tempDir } from "../helpers/git-repo.js";
import { startPostgres, type Postgres } from "../helpers/postgres.js";

let postgres: Postgres;
let count = 0;
let open: { logs: PostgresLogs; pool: pg.Pool; url: string } | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const errors: unknown[] = [];
/** Logs on a fresh database; small rows, so a log spans many of them. */
async function fresh(writer: { flushMs?: number; bufferBytes?: number; chunkBytes?: number } = {}) {
  count += 1;
  const url = await postgres.createDatabase(`logs_${count}`);
  const logs = await PostgresLogs.open({ connectionString: url, onError: (error) => errors.push(error), writer: { chunkBytes: 16, ...writer } });
  open = { logs, pool: new pg.Pool({ connectionString: url, max: 2 }), url };
  return open;
}
async function close() {
  await open?.logs.close();
  await open?.pool.end();
  open = undefined;
}

describeLogStoreContract("PostgresLogStore", {
  reset: async () => void (await fresh()),
  store: () => required().logs.store,
  append: async (key, text) => {
    const writer = required().logs.tee(key);
    writer.append(Buffer.from(text));
    await writer.close();
  },
  setMeta: (key, meta) => updateLogMeta(required().pool, key, () => meta),
  cleanup: close,
});

function required() {
  if (open === undefined) throw new Error("no database opened for this test");
  return open;
}

const KEY = "octo/app/7";

describe("deployment logs written to PostgreSQL", () => {
  const tmp = tempDir("heaven-pg-log-");
  afterEach(close);
  afterAll(() => tmp.remove());

  /** Everything the store holds for `key`, read as the log page reads it. */
  async function stored(logs: PostgresLogs, key = KEY): Promise<string> {
    let text = "";
    for (let next = 0; ; ) {
      const chunk = await logs.store.read(key, next);
      if (chunk === undefined || chunk.text === "") return text;
      text += chunk.text;
      next = chunk.next;
    }
  }

  it("has every line the deployment's file has, stamped and with its secrets masked", async () => {
    const { logs } = await fresh();
    const path = join(tmp.path, "masked.log");
    const log = await DeploymentLog.open(path, { secrets: ["hunter2-secret"], tee: logs.tee(KEY) });
    await log.output(Buffer.from("login with hunter2-secret\nhalf a li"), "stdout");
    await log.output(Buffer.from("ne, then hunter2-"), "stdout");
    await log.output(Buffer.from("secret again\n日本語 ok\n"), "stdout");
    log.note("success: deployed");
    await log.close();
    const text = await stored(logs);
    expect(text).toBe(await readFile(path, "utf8"));
    expect(text).not.toContain("hunter2");
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z heaven: success: deployed$/m);
    const unstamped = text.split("\n").slice(0, -1).map((line) => line.replace(/^\S+ /, ""));
    expect(unstamped).toEqual(["login with ********", "half a line, then ******** again", "日本語 ok", "heaven: success: deployed"]);
  });

  it("keeps a capped log's head, marker and tail as the file does", async () => {
    const { logs } = await fresh();
    const path = join(tmp.path, "capped.log");
    const log = await DeploymentLog.open(path, { secrets: [], tee: logs.tee(KEY), maxBytes: 2_000 });
    for (let i = 0; i < 200; i += 1) await log.output(Buffer.from(`output line ${i}\n`), "stdout");
    await log.close();
    const text = await stored(logs);
    expect(text).toContain("of output dropped here");
    expect(text).toContain("output line 199\n");
    expect(text).toBe(await readFile(path, "utf8"));
  });

  it("stores the last lines at close, however long its flush interval", async () => {
    const { logs } = await fresh({ flushMs: 3_600_000, chunkBytes: 1024 * 1024 });
    const writer = logs.tee(KEY);
    writer.append(Buffer.from("first\nlast\n"));
    expect(await logs.store.read(KEY, 0)).toBeUndefined();
    await writer.close();
    expect(await stored(logs)).toBe("first\nlast\n");
  });

  it("drops what a slow database cannot take beyond its buffer, and says how much in the log", async () => {
    const { logs, url } = await fresh({ bufferBytes: 100, chunkBytes: 1 });
    // Another session holds the table: every write waits, as on a database that stopped answering.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query("begin");
    await blocker.query("lock table heaven.log_chunks in exclusive mode");
    const writer = logs.tee(KEY);
    const lines = Array.from({ length: 20 }, (_, i) => `line ${String(i).padStart(2, "0")} of the deploy\n`);
    for (const line of lines) {
      writer.append(Buffer.from(line));
      expect(writer.heldBytes).toBeLessThanOrEqual(100);
    }
    await blocker.query("commit");
    await blocker.end();
    await writer.close();
    const text = await stored(logs);
    const kept = lines.filter((line) => text.includes(line));
    // As many whole lines as the buffer holds (22 bytes each), the rest counted in one marker.
    expect(kept).toEqual(lines.slice(0, 4));
    expect(text).toMatch(new RegExp(`heaven: … ${16 * 22} bytes \\(16 lines\\) of output dropped here`));
  });

  it("keeps the page's metadata from a deployment's events, masked, finished once it has finished", async () => {
    const { logs } = await fresh();
    const sink = logs.metaSink({ githubUrl: "https://github.com", secrets: ["s3cr3t"], now: () => 5_000 });
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const job: DeploymentJob = {
      key: "github:deployment:41",
      lane: laneOf("octo/app", "production"),
      origin: { kind: "github", installationId: 1, owner: "octo", repo: "app", deploymentId: 41 },
      acceptedAt: 1_000,
      request: { id: "41", repository: { fullName: "octo/app", cloneUrl: "/x" }, environment: "production", ref: "topic-s3cr3t", sha, task: "deploy", force: false, payloadConfig: undefined, creator: "hubot" },
    };
    void sink.publish(job, { type: "started", sha, forcedOver: undefined, environmentUrl: undefined });
    await sink.publish(job, { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 4_000 }, environmentUrl: undefined });
    const info = await logs.store.info("octo/app/41");
    expect(info?.meta).toMatchObject({ repository: "octo/app", ref: "topic-********", state: "success", finished: true, startedAt: 5_000, finishedAt: 5_000 });
    expect(await logs.store.read("octo/app/41", 0)).toEqual({ text: "", next: 0, finished: true });
  });

  it("removes logs past their retention, keeping recent ones and those of deployments still queued", async () => {
    const { logs, pool } = await fresh();
    for (const key of ["octo/app/1", "octo/app/2", "octo/app/3"]) {
      const writer = logs.tee(key);
      writer.append(Buffer.from(`line of ${key}\n`));
      await writer.close();
      await updateLogMeta(pool, key, () => logMeta(true));
    }
    // Written ten days ago, as a file's mtime would say.
    for (const table of ["log_chunks", "log_meta"]) {
      await pool.query(`update heaven.${table} set written_at = now() - interval '10 days' where key in ('octo/app/1', 'octo/app/3')`);
    }
    expect(await logs.sweep({ days: 7, live: new Set(["octo/app/3"]), now: Date.now() })).toBe(1);
    expect(await logs.store.info("octo/app/1")).toBeUndefined();
    expect(await stored(logs, "octo/app/2")).toBe("line of octo/app/2\n");
    expect(await stored(logs, "octo/app/3")).toBe("line of octo/app/3\n");
    expect(await logs.sweep({ days: 0, live: new Set(), now: Date.now() + 1e12 })).toBe(0);
  });

  it("writes again what the database refused, in order, once it takes writes again", async () => {
    const { pool, url } = await fresh();
    await pool.query("alter table heaven.log_chunks rename to log_chunks_away");
    let refused!: () => void;
    const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
    const logs = await PostgresLogs.open({ connectionString: url, onError: () => refused(), writer: { retryMs: 20 } });
    try {
      const writer = logs.tee(KEY);
      writer.append(Buffer.from("before the outage\n"));
      await firstRefusal;
      writer.append(Buffer.from("during it\n"));
      await pool.query("alter table heaven.log_chunks_away rename to log_chunks");
      await writer.close();
      expect(await stored(logs)).toBe("before the outage\nduring it\n");
    } finally {
      await logs.close();
    }
  });

  it("wakes a reader waiting for a log when lines are written to it, and not for another log", async () => {
    const { logs } = await fresh();
    const changed = logs.store.changed;
    if (changed === undefined) throw new Error("the PostgreSQL store should notify");
    const abort = new AbortController();
    let otherWoke = false;
    void changed("octo/app/8", abort.signal).then(() => (otherWoke = true));
    const woken = changed(KEY, new AbortController().signal);
    const writer = logs.tee(KEY);
    writer.append(Buffer.from("news\n"));
    await writer.close();
    await woken;
    expect(otherWoke).toBe(false);
    abort.abort();
  });

  it("wakes a reader when its log's metadata changes, and ends a wait whose signal aborts", async () => {
    const { logs, pool } = await fresh();
    const woken = logs.store.changed?.(KEY, new AbortController().signal);
    await updateLogMeta(pool, KEY, () => logMeta(true));
    await woken;
    const abort = new AbortController();
    const waiting = logs.store.changed?.(KEY, abort.signal);
    abort.abort();
    await waiting;
  });

  it("serves every waiter of the process from one LISTEN connection", async () => {
    const { logs, pool } = await fresh();
    const aborts = Array.from({ length: 25 }, () => new AbortController());
    const waits = aborts.map((abort, i) => logs.store.changed?.(`octo/app/${i}`, abort.signal));
    const { rows } = await pool.query<{ listening: number }>(
      "select count(*)::int as listening from pg_stat_activity where datname = current_database() and query ilike 'listen%'",
    );
    expect(rows[0]?.listening).toBe(1);
    for (const abort of aborts) abort.abort();
    await Promise.all(waits);
  });
});
