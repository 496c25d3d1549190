/** The signed webhook sink against a real HTTP server on 127.0.0.1: the body, its signature as a receiver checks it, retries, redirects. */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { createHmac, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import type { DeploymentEvent } from "../../src/core/events.js";
import type { DeploymentJob } from "../../src/core/job.js";
import { notificationSinks, type NotificationSink } from "../../src/notify/notification-sinks.js";
import { tempDir } from "../helpers/git-repo.js";
import { webhookReceiver, type Answer, type Received, type WebhookReceiver } from "../helpers/webhook-receiver.js";

const SHA = "1234567890abcdef1234567890abcdef12345678";
const SECRET = "the-receivers-shared-secret";
const LOG_URL = "https://heaven.example.com/logs/octo/app/7?sig=abc";
let tmp: ReturnType<typeof tempDir>;
let receiver: WebhookReceiver | undefined;
let sink: NotificationSink | undefined;
const logged: Array<{ level: string; message: string }> = [];

beforeEach(() => {
  tmp = tempDir("heaven-webhook-");
  logged.length = 0;
});
afterEach(async () => {
  sink?.stop();
  await receiver?.close();
  tmp.remove();
});

async function webhookSink(answer?: (request: Received, index: number) => Answer) {
  receiver = await webhookReceiver(answer);
  const webhooks = { HEAVEN_NOTIFY_WEBHOOK_URL: { url: receiver.url("/hooks/heaven"), secret: SECRET } };
  const at = (level: string) => (_fields: object, message: string) => void logged.push({ level, message });
  sink = notificationSinks({ dataDir: join(tmp.path, "data"), notify: { slack: {}, webhooks } }, { log: { warn: at("warn"), error: at("error") }, githubHost: "github.com", delivery: { firstDelayMs: 1 } })[1]!;
  return { sink, receiver };
}

/** What README tells a receiver to do: HMAC-SHA256 of the raw body with the shared secret, compared in constant time. */
function verified(request: Received, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(request.body).digest("hex")}`);
  const given = Buffer.from(String(request.headers["x-heaven-signature-256"] ?? ""));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const job: DeploymentJob = {
  key: "test:7",
  lane: "octo/app#production",
  origin: { kind: "github", installationId: 1, owner: "octo", repo: "app", deploymentId: 7 },
  acceptedAt: 0,
  request: { id: "7", repository: { fullName: "octo/app", cloneUrl: "x" }, environment: "production", ref: "main", sha: SHA, task: "deploy", force: false, payloadConfig: undefined, creator: "alice" },
};
const configured: DeploymentEvent = { type: "configured", notify: { slack: undefined, webhook: { name: undefined, events: ["start", "failure"] } } };
const started: DeploymentEvent = { type: "started", sha: SHA, forcedOver: undefined, environmentUrl: undefined };
const failed: DeploymentEvent = { type: "finished", outcome: { kind: "failed", what: "script/deploy", exitCode: 2, lastLine: "no disk" }, environmentUrl: undefined };

describe("WebhookSink", () => {
  it("posts the asked-for events as signed JSON a receiver can verify", async () => {
    const { sink, receiver } = await webhookSink();
    for (const event of [configured, started, failed]) await sink.publish(job, event, LOG_URL);
    await sink.idle();
    expect(receiver.received.map((r) => [r.path, r.headers["content-type"], r.headers["x-heaven-event"], verified(r, SECRET), verified(r, "another-secret")])).toEqual([
      ["/hooks/heaven", "application/json", "start", true, false],
      ["/hooks/heaven", "application/json", "failure", true, false],
    ]);
    expect(JSON.parse(receiver.received[1]!.body)).toMatchObject({
      version: 1,
      notification: "failure",
      state: "failure",
      description: 'script/deploy exited 2: "no disk"',
      deployment: { id: "7", repository: "octo/app", environment: "production", ref: "main", sha: SHA, task: "deploy", by: "alice" },
      log_url: LOG_URL,
      event: { type: "finished", outcome: { kind: "failed", exitCode: 2 } },
    });
  });

  it("keeps one delivery id through retries, so a receiver can tell a repeat", async () => {
    const { sink, receiver } = await webhookSink((_r, index) => (index === 0 ? { status: 502 } : { status: 204 }));
    for (const event of [configured, started]) await sink.publish(job, event, LOG_URL);
    await sink.idle();
    const [first, second] = receiver.received;
    expect([first!.answered, second!.answered]).toEqual([502, 204]);
    expect(first!.headers["x-heaven-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.headers["x-heaven-delivery"]).toBe(first!.headers["x-heaven-delivery"]);
    expect(second!.body).toBe(first!.body);
  });

  it("does not follow a redirect: the signed body goes only to the operator's URL", async () => {
    const { sink, receiver } = await webhookSink((request) => (request.path === "/hooks/heaven" ? { status: 302, headers: { location: "/elsewhere" } } : { status: 200 }));
    for (const event of [configured, started]) await sink.publish(job, event, LOG_URL);
    await sink.idle();
    expect(receiver.received.map((r) => r.path)).toEqual(["/hooks/heaven"]);
    expect(logged).toEqual([{ level: "error", message: "notification not delivered: answered 302, a redirect heaven does not follow: will not change by retrying" }]);
  });
});
