import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Probot, type ProbotOctokit } from "probot";
import { WebhookInbox } from "../../src/github/webhook-inbox.js";
import { WebhookIntake, type DeferredHandler, type Delivery, type Keep } from "../../src/github/webhook-intake.js";
import { WebhookRefused } from "../../src/github/webhook-refused.js";
import { webhookLog } from "../../src/server/webhook-log.js";
import { appPrivateKey } from "../helpers/app-credentials.js";
import { tempDir } from "../helpers/git-repo.js";

type Payload = { n: number; keep: Keep; installation?: { id: number } };

let dir: ReturnType<typeof tempDir>;
let file: string;
/** Inboxes opened by a test, closed after it. */
let opened: WebhookInbox[];
/** Every line logged, parsed. */
let logged: Array<Record<string, unknown>>;
const log = () => webhookLog({ LOG_FORMAT: "json" }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) }) as NonNullable<ReturnType<typeof webhookLog>>;

beforeEach(() => {
  dir = tempDir("heaven-webhook-intake-");
  file = join(dir.path, "inbox.jsonl");
  logged = [];
  opened = [];
});

afterEach(async () => {
  await Promise.all(opened.map((inbox) => inbox.close().catch(() => undefined)));
  dir.remove();
});

/** Delivery ids the file says were received and not done (read as the next heaven would, without opening it). */
function pendingOnDisk(): string[] {
  const records = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { t: string; id: string });
  const done = new Set(records.filter((r) => r.t === "done").map((r) => r.id));
  return records.filter((r) => r.t === "received" && !done.has(r.id)).map((r) => r.id);
}

/** A gate the test opens; until then every handling waits on it. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** A handler that records what it handled (payload, installation asked for) once `until` opens; `fail` throws for these n. */
function recorder(until: Promise<void> = Promise.resolve(), fail: number[] = []) {
  const handled: Array<{ id: string; n: number; octokit: unknown }> = [];
  const handler: DeferredHandler<Payload> = {
    keep: (payload) => payload.keep,
    handle: async ({ id, payload, octokit }: Delivery<Payload>) => {
      await until;
      if (fail.includes(payload.n)) throw new Error(`handler broke on ${payload.n}`);
      handled.push({ id, n: payload.n, octokit });
    },
  };
  return { handled, handler };
}

async function intakeOn(options: { limit?: number; concurrency?: number; handled?: (on: string, seconds: number, ok: boolean) => void } = {}) {
  const { inbox, skipped } = await WebhookInbox.open(file);
  opened.push(inbox);
  expect(skipped).toEqual([]);
  const octokitFor = async (installationId: number | undefined) => ({ installationId }) as unknown as ProbotOctokit;
  return { inbox, intake: new WebhookIntake({ inbox, octokitFor, log: log(), ...options }) };
}

const event = (n: number, keep: Keep = "disk") => ({ id: `guid-${n}`, payload: { n, keep, installation: { id: 77 } } });

describe("WebhookIntake", () => {
  it("answers once the webhook is on disk, handles it afterwards with its installation's Octokit, then marks it done", async () => {
    const { inbox, intake } = await intakeOn();
    const held = gate();
    const { handled, handler } = recorder(held.opened);
    const receive = intake.on("status", handler);

    await receive(event(1));
    expect(handled).toEqual([]);
    expect(pendingOnDisk()).toEqual(["guid-1"]);

    held.open();
    await intake.idle();
    expect(handled).toEqual([{ id: "guid-1", n: 1, octokit: { installationId: 77 } }]);
    expect(inbox.pending()).toEqual([]);
    expect(pendingOnDisk()).toEqual([]);
    await intake.stop(1_000);
  });

  it("keeps nothing of an event that leads nowhere, and keeps one that is safe to lose in memory only", async () => {
    const { intake } = await intakeOn();
    const { handled, handler } = recorder();
    const receive = intake.on("status", handler);
    await receive(event(1, "drop"));
    await receive(event(2, "memory"));
    await intake.idle();
    expect(handled.map((h) => h.n)).toEqual([2]);
    await intake.stop(1_000);
    expect(readFileSync(file, "utf8")).not.toContain('"received"');
  });

  it("handles a redelivery (the same delivery id) once, while it waits and after it was handled", async () => {
    const { intake } = await intakeOn();
    const held = gate();
    const { handled, handler } = recorder(held.opened);
    const receive = intake.on("status", handler);
    await receive(event(1));
    await receive(event(1));
    held.open();
    await intake.idle();
    await receive(event(1));
    await intake.idle();
    expect(handled.map((h) => h.id)).toEqual(["guid-1"]);
    expect(logged.filter((line) => line.msg === "webhook already received; ignoring the redelivery")).toHaveLength(2);
  });

  it("refuses with 503 once `limit` webhooks wait, writing nothing for the refused one, and takes webhooks again once they are handled", async () => {
    const { intake } = await intakeOn({ limit: 2, concurrency: 1 });
    const held = gate();
    const { handled, handler } = recorder(held.opened);
    const receive = intake.on("status", handler);
    await receive(event(1));
    await receive(event(2, "memory"));

    const refused = await receive(event(3)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WebhookRefused);
    expect(refused).toMatchObject({ status: 503, message: expect.stringContaining("2 webhooks waiting") });
    expect(pendingOnDisk()).toEqual(["guid-1"]);

    held.open();
    await intake.idle();
    await receive(event(3));
    await intake.idle();
    expect(handled.map((h) => h.n)).toEqual([1, 2, 3]);
  });

  it("logs a handling that throws with its delivery id, marks it done, and goes on with the next", async () => {
    const { inbox, intake } = await intakeOn({ concurrency: 1 });
    const { handled, handler } = recorder(Promise.resolve(), [1]);
    const receive = intake.on("check_run.completed", handler);
    await receive(event(1));
    await receive(event(2));
    await intake.idle();
    expect(handled.map((h) => h.n)).toEqual([2]);
    expect(logged.find((line) => line.level === 50)).toMatchObject({
      id: "guid-1",
      msg: "handling check_run.completed (delivery guid-1) failed",
      err: expect.objectContaining({ message: "handler broke on 1" }),
    });
    expect(inbox.pending()).toEqual([]);
  });

  it("hands what was answered and never handled before a crash to the next heaven's handler, in order", async () => {
    const first = await intakeOn({ concurrency: 1 });
    const never = recorder(new Promise<void>(() => undefined));
    const receive = first.intake.on("status", never.handler);
    for (const n of [1, 2, 3]) await receive(event(n));
    await receive(event(4, "memory"));

    // Killed: nothing closed, nothing marked done. The next heaven opens the same file.
    const next = await intakeOn();
    const { handled, handler } = recorder();
    next.intake.on("status", handler);
    expect(next.intake.replay()).toBe(3);
    await next.intake.idle();
    expect(handled.map((h) => h.n)).toEqual([1, 2, 3]);
    expect(next.inbox.pending()).toEqual([]);
  });

  it("does not hold one handler's webhooks up behind another's slow ones", async () => {
    const { intake } = await intakeOn({ concurrency: 1 });
    const comments = recorder(new Promise<void>(() => undefined));
    const handled: number[] = [];
    let bothHandled: () => void = () => undefined;
    const both = new Promise<void>((resolve) => (bothHandled = resolve));
    const ci: DeferredHandler<Payload> = {
      keep: (payload) => payload.keep,
      handle: async ({ payload }) => {
        if (handled.push(payload.n) === 2) bothHandled();
      },
    };
    const comment = intake.on("issue_comment.created", comments.handler);
    const status = intake.on("status", ci);
    for (const n of [1, 2, 3]) await comment(event(n));
    await status(event(4));
    await status(event(5));
    // Held up behind the comments, this would never resolve (and the test would time out).
    await both;
    expect(handled).toEqual([4, 5]);
    expect(comments.handled).toEqual([]);
    await intake.stop(0);
  }, 10_000);

  it("logs and marks done a webhook an older heaven journaled for a handler this one no longer has", async () => {
    const first = await intakeOn();
    await first.intake.on("deployment_status", recorder(new Promise<void>(() => undefined)).handler)(event(1));
    const next = await intakeOn();
    expect(next.intake.replay()).toBe(1);
    await next.intake.idle();
    expect(logged.find((line) => line.level === 50)).toMatchObject({ id: "guid-1", err: expect.objectContaining({ message: "heaven no longer handles deployment_status" }) });
    expect(next.inbox.pending()).toEqual([]);
  });

  it("answers 500 when the webhook cannot be written, and takes GitHub's next attempt", async () => {
    const { inbox, intake } = await intakeOn();
    const { handled, handler } = recorder();
    const receive = intake.on("status", handler);
    await inbox.close();
    await expect(receive(event(1))).rejects.toMatchObject({ status: 500, message: expect.stringContaining("could not keep the webhook on disk") });
    await receive(event(1, "memory"));
    await intake.idle();
    expect(handled.map((h) => h.n)).toEqual([1]);
  });
});

describe("through Probot's webhook middleware", () => {
  const SECRET = "intake-test-secret";
  let server: Server | undefined;
  afterEach(() => server?.close());

  it("answers 200 to the webhooks it took and 503 to the one past the limit, logging no payload", async () => {
    const { intake } = await intakeOn({ limit: 1 });
    const probot = new Probot({ appId: 1, privateKey: appPrivateKey(), secret: SECRET, log: log() });
    probot.on("status", intake.on("status", recorder(new Promise<void>(() => undefined)).handler));
    const middleware = await probot.getNodeMiddleware();
    server = createServer((req, res) => void middleware(req, res));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const send = async (n: number) => {
      const body = JSON.stringify({ ...event(n).payload, marker: "PAYLOAD-MARKER" });
      const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
      const headers = { "content-type": "application/json", "x-github-event": "status", "x-github-delivery": `guid-${n}`, "x-hub-signature-256": signature };
      return (await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: "POST", headers, body })).status;
    };
    expect(await send(1)).toBe(200);
    expect(await send(2)).toBe(503);
    expect(JSON.stringify(logged)).toContain("webhooks waiting to be handled");
    expect(JSON.stringify(logged)).not.toContain("PAYLOAD-MARKER");
  });

  it("tells how long each handling took and whether it threw, for the metrics", async () => {
    const timings: Array<{ on: string; ok: boolean; seconds: number }> = [];
    const { intake } = await intakeOn({ handled: (on, seconds, ok) => void timings.push({ on, ok, seconds }) });
    const receive = intake.on("status", recorder(Promise.resolve(), [2]).handler);
    await receive(event(1));
    await receive(event(2));
    await intake.idle();
    // Handled side by side: in whichever order they end.
    expect(timings.map(({ on, ok }) => ({ on, ok })).sort((a, b) => Number(b.ok) - Number(a.ok))).toEqual([
      { on: "status", ok: true },
      { on: "status", ok: false },
    ]);
    expect(timings.every((t) => t.seconds >= 0)).toBe(true);
  });
});
