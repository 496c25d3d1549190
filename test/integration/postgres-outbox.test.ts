/**
 * The scale-out outbox against a real PostgreSQL: several heaven processes
 * add GitHub writes; one delivers them all, paced once per installation;
 * when it dies another takes over and delivers what it left, checking first
 * what may have landed; an embedded heaven's outbox file moves in.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Outbox, type OutboxLog, type OutboxOctokit, type OutboxWrite } from "../../src/github/outbox.js";
import { openOutbox } from "../../src/github/open-outbox.js";
import { PostgresOutbox, type PostgresOutboxOptions } from "../../src/github/postgres-outbox.js";
import { startPostgres, type Postgres } from "../helpers/postgres.js";

const DELIVERER = fileURLToPath(new URL("../helpers/outbox-deliverer.mjs", import.meta.url));
const STATUS = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses" as const;
const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments" as const;

interface Call {
  route: string;
  params: Record<string, unknown>;
  installationId: number;
  at: number;
  by: string;
}

/** GitHub as the outbox sees it, shared by every "process"; each records which process asked. */
function fakeGitHub() {
  const calls: Call[] = [];
  const waiters = new Set<() => void>();
  let hold: ((call: Call) => Promise<void>) | undefined;
  const github = {
    calls,
    posts: () => calls.filter((call) => call.route.startsWith("POST") || call.route.startsWith("PATCH")),
    holdWhile: (gate: ((call: Call) => Promise<void>) | undefined) => (hold = gate),
    /** Resolves once `test` holds of the calls made (checked at each call). */
    until: (test: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!test()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    octokitFor:
      (by: string) =>
      async (installationId: number): Promise<OutboxOctokit> => ({
        request: async (route, params) => {
          const call = { route, params, installationId, at: Date.now(), by };
          calls.push(call);
          for (const check of [...waiters]) check();
          if (hold !== undefined) await hold(call);
          // A delivery check finds nothing there: the write goes.
          if (route.startsWith("GET")) return { status: 200, data: [] };
          return { status: 201, data: route === COMMENT ? { id: 9001 } : {} };
        },
        auth: async () => ({ token: "ghs_test" }),
      }),
  };
  return github;
}

const quiet: OutboxLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function status(deployment: number, state: string, installationId = 1): OutboxWrite {
  return {
    key: `octo/app#${deployment}:${state}`,
    group: `octo/app#${deployment}`,
    installationId,
    supersedable: ["queued", "pending", "in_progress"].includes(state),
    route: STATUS,
    params: { owner: "octo", repo: "app", deployment_id: deployment, state, description: `${state} for ${deployment}` },
  };
}

let postgres: Postgres;
let url = "";
let count = 0;
let dataDir = "";
const opened: PostgresOutbox[] = [];
/** Processes a test "killed": closed only once their unanswered requests are let go, after the test. */
const dead: PostgresOutbox[] = [];
const unanswered = new Set<(error: Error) => void>();

/** A request GitHub never answers (until the test is over). */
function forever(): Promise<void> {
  return new Promise<void>((_, reject) => unanswered.add(reject));
}

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});
beforeEach(async () => {
  count += 1;
  url = await postgres.createDatabase(`outbox_${count}`);
  dataDir = mkdtempSync(join(tmpdir(), "heaven-pg-outbox-"));
});
afterEach(async () => {
  for (const outbox of opened.splice(0)) await outbox.close();
  for (const reject of unanswered) reject(new Error("the test is over"));
  unanswered.clear();
  for (const outbox of dead.splice(0)) await outbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openProcess(github: ReturnType<typeof fakeGitHub>, name: string, options: Partial<PostgresOutboxOptions> = {}) {
  const errors: unknown[] = [];
  const outbox = await PostgresOutbox.open({
    connectionString: url,
    octokitFor: github.octokitFor(name),
    log: quiet,
    onError: (error) => errors.push(error),
    pacing: { minSpacingMs: 20, perMinute: 10_000, perHour: 100_000 },
    pollMs: 100,
    ...options,
  });
  opened.push(outbox);
  return outbox;
}

/** Waits for a condition no call announces (an adoption, a takeover): looked at every 10 ms. */
async function eventually(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** What a process dying does to its connections: PostgreSQL ends them (and the deliverer's lock goes). */
async function killConnectionsOf(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgres.connectionString });
  await admin.connect();
  await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [database]);
  await admin.end();
}

describe("PostgresOutbox: one deliverer for every process", () => {
  it("delivers what every process adds exactly once, each deployment's statuses in order, from one process", async () => {
    const github = fakeGitHub();
    const a = await openProcess(github, "a");
    const b = await openProcess(github, "b");
    const c = await openProcess(github, "c");
    expect([a, b, c].filter((outbox) => outbox.isDeliverer)).toEqual([a]);
    for (let deployment = 1; deployment <= 6; deployment += 1) {
      const adder = [a, b, c][deployment % 3]!;
      expect(await adder.add(status(deployment, "success"))).toBe("added");
    }
    // The same write from another process (a redelivered webhook handled elsewhere) is one write.
    expect(await c.add(status(1, "success"))).toBe("duplicate");
    await b.add(status(7, "failure"));
    await github.until(() => github.posts().length >= 7);
    await a.idle();
    expect(github.posts().map((call) => String(call.params.deployment_id)).sort()).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(new Set(github.posts().map((call) => call.by))).toEqual(new Set(["a"]));
    expect(a.counts()).toMatchObject({ delivered: 7, pending: 0 });
    expect(b.counts()).toMatchObject({ added: 3, delivered: 0 });
  });

  it("paces an installation's writes once, whichever process added them", async () => {
    const github = fakeGitHub();
    const a = await openProcess(github, "a", { pacing: { minSpacingMs: 150, perMinute: 10_000, perHour: 100_000 } });
    const b = await openProcess(github, "b");
    await Promise.all([1, 2, 3, 4].map((deployment) => (deployment % 2 === 0 ? a : b).add(status(deployment, "success"))));
    await github.until(() => github.posts().length === 4);
    const times = github.posts().map((call) => call.at);
    const gaps = times.slice(1).map((at, index) => at - times[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(145);
  });

  it("drops a waiting intermediate status when a later one of its deployment comes from another process", async () => {
    const github = fakeGitHub();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    github.holdWhile((call) => (call.params.state === "pending" ? gate : Promise.resolve()));
    const a = await openProcess(github, "a");
    const b = await openProcess(github, "b");
    await a.add(status(2, "pending"));
    await github.until(() => github.posts().length === 1);
    await a.add(status(2, "in_progress"));
    await b.add(status(2, "success"));
    await eventually(() => a.counts().coalesced === 1);
    release();
    await github.until(() => github.posts().length === 2);
    await a.idle();
    expect(github.posts().map((call) => String(call.params.state))).toEqual(["pending", "success"]);
  });

  it("edits a reply's comment after the deliverer changed: the comment is remembered in PostgreSQL", async () => {
    const github = fakeGitHub();
    const a = await openProcess(github, "a");
    const b = await openProcess(github, "b");
    const reply = (key: string, body: string, by: PostgresOutbox) =>
      by.add({ key, group: "octo/app#pr-5", installationId: 1, supersedable: false, route: COMMENT, params: { owner: "octo", repo: "app", issue_number: 5, body } });
    await reply("r1", "Deploying…", a);
    await github.until(() => github.posts().length === 1);
    await a.idle();
    opened.splice(opened.indexOf(a), 1);
    await a.close();
    await eventually(() => b.isDeliverer);
    await reply("r2", "Deployed.", b);
    await github.until(() => github.posts().length === 2);
    expect(github.posts().map((call) => `${call.by} ${call.route}`)).toEqual([`a ${COMMENT}`, "b PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"]);
    expect(github.posts()[1]!.params).toMatchObject({ comment_id: 9001, body: "Deployed." });
  });
});

describe("PostgresOutbox: the deliverer dies", () => {
  it("another process takes over and delivers what it left, checking final statuses before sending them again", async () => {
    const github = fakeGitHub();
    const database = `outbox_${count}`;
    // The first deliverer's requests never come back: it "dies" with writes in flight and waiting.
    github.holdWhile((call) => (call.by === "a" ? forever() : Promise.resolve()));
    const a = await openProcess(github, "a");
    await a.add(status(1, "success"));
    await a.add(status(2, "success"));
    await github.until(() => github.posts().length === 1);
    dead.push(...opened.splice(opened.indexOf(a), 1)); // a is "dead": its requests never return
    await killConnectionsOf(database);
    const b = await openProcess(github, "b");
    await github.until(() => github.posts().filter((call) => call.by === "b").length === 2);
    await b.idle();
    const byB = github.calls.filter((call) => call.by === "b").map((call) => `${call.route.split(" ")[0]} ${String(call.params.deployment_id)}`);
    // Final statuses may have landed before the death: each is looked for on GitHub first, then sent.
    expect(byB).toEqual(["GET 1", "POST 1", "GET 2", "POST 2"]);
    expect(b.isDeliverer).toBe(true);
  });

  it("keeps writes added while no process delivers, for the next one that opens", async () => {
    const github = fakeGitHub();
    const a = await openProcess(github, "a");
    github.holdWhile(() => forever());
    await a.add(status(3, "failure"));
    await github.until(() => github.posts().length === 1);
    dead.push(...opened.splice(opened.indexOf(a), 1));
    await killConnectionsOf(`outbox_${count}`);
    github.holdWhile(undefined);
    const b = await openProcess(github, "b");
    await github.until(() => github.posts().filter((call) => call.by === "b").length === 1);
    expect(github.posts().filter((call) => call.by === "b")[0]!.params).toMatchObject({ deployment_id: 3, state: "failure" });
  });
});

describe("PostgresOutbox: the deliverer freezes", () => {
  it("has its connection ended by another process once silent, which then delivers", async () => {
    const github = fakeGitHub();
    const child = spawn(process.execPath, [DELIVERER], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: url }, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const [line] = (await once(child.stdout!, "data")) as [Buffer];
      expect(JSON.parse(line.toString())).toEqual({ deliverer: true });
      child.kill("SIGSTOP");
      const b = await openProcess(github, "b", { frozenAfterMs: 1_000 });
      expect(b.isDeliverer).toBe(false);
      await b.add(status(4, "success"));
      await github.until(() => github.posts().length === 1);
      expect(github.posts()[0]).toMatchObject({ by: "b", params: { deployment_id: 4, state: "success" } });
      expect(b.isDeliverer).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("openOutbox: from an embedded heaven to scale-out", () => {
  it("moves the writes an outbox file still holds into PostgreSQL, delivers them, and keeps the file aside", async () => {
    const github = fakeGitHub();
    const file = join(dataDir, "outbox.jsonl");
    const { outbox: embedded } = await Outbox.open({ file, octokitFor: github.octokitFor("embedded"), log: quiet });
    // Delivered before the switch: still a duplicate after it.
    await embedded.add(status(7, "success"));
    await github.until(() => github.posts().length === 1);
    await embedded.idle();
    github.holdWhile(() => forever());
    await embedded.add(status(8, "success"));
    await embedded.add(status(9, "error"));
    github.holdWhile(undefined);
    // A stop with the writes undelivered (requests still out): they stay in the file.
    const stopped = embedded.close();
    const scaled = await openOutbox({ dataDir, databaseUrl: url, octokitFor: github.octokitFor("scaled"), log: quiet, pacing: { minSpacingMs: 1, perMinute: 10_000, perHour: 100_000 } });
    opened.push(scaled as PostgresOutbox);
    await github.until(() => github.posts().filter((call) => call.by === "scaled").length === 2);
    // The first may have reached GitHub before the stop: it is looked for first, as after any restart.
    expect(github.calls.filter((call) => call.by === "scaled").map((call) => `${call.route.split(" ")[0]} ${String(call.params.deployment_id)}`)).toEqual(["GET 8", "POST 8", "GET 9", "POST 9"]);
    expect(await scaled.add(status(7, "success"))).toBe("duplicate");
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dataDir).some((name) => name.startsWith("outbox.jsonl.imported-"))).toBe(true);
    for (const reject of unanswered) reject(new Error("the test is over"));
    await stopped;
  });
});
