/**
 * The Slack sink with @slack/webhook against a real HTTP server on
 * 127.0.0.1: what it sends for which events, a 429's Retry-After, an answer
 * Slack will not change, and what heaven's log may say.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import type { NotifyConfig } from "../../src/core/config.js";
import type { DeploymentEvent } from "../../src/core/events.js";
import type { DeploymentJob } from "../../src/core/job.js";
import { notificationSinks, type NotificationSink } from "../../src/notify/notification-sinks.js";
import { tempDir } from "../helpers/git-repo.js";
import { webhookReceiver, type Answer, type Received, type WebhookReceiver } from "../helpers/webhook-receiver.js";

const SHA = "1234567890abcdef1234567890abcdef12345678";
const PATH = "/services/T0/B0/slack0secret0path";
const LOG_URL = "https://heaven.example.com/logs/octo/app/7?sig=abc";
let tmp: ReturnType<typeof tempDir>;
let receiver: WebhookReceiver | undefined;
let sink: NotificationSink | undefined;
const logged: Array<{ level: string; fields: object; message: string }> = [];

beforeEach(() => {
  tmp = tempDir("heaven-slack-");
  logged.length = 0;
});
afterEach(async () => {
  sink?.stop();
  await receiver?.close();
  tmp.remove();
});

async function slackSink(answer?: (request: Received, index: number) => Answer, webhooks: Record<string, string> = { HEAVEN_SLACK_WEBHOOK_URL: PATH }) {
  receiver = await webhookReceiver(answer);
  const slack = Object.fromEntries(Object.entries(webhooks).map(([name, path]) => [name, receiver!.url(path)]));
  const at = (level: string) => (fields: object, message: string) => void logged.push({ level, fields, message });
  const sinks = notificationSinks({ dataDir: join(tmp.path, "data"), notify: { slack, webhooks: {} } }, { log: { warn: at("warn"), error: at("error") }, githubHost: "github.com", delivery: { firstDelayMs: 1 } });
  sink = sinks[0]!;
  return { sink, receiver };
}

const job: DeploymentJob = {
  key: "test:7",
  lane: "octo/app#production",
  origin: { kind: "github", installationId: 1, owner: "octo", repo: "app", deploymentId: 7 },
  acceptedAt: 0,
  request: { id: "7", repository: { fullName: "octo/app", cloneUrl: "x" }, environment: "production", ref: "main", sha: SHA, task: "deploy", force: false, payloadConfig: undefined, creator: "alice" },
};
const slackOnly = (slack: Partial<NonNullable<NotifyConfig["slack"]>> = {}): DeploymentEvent => ({
  type: "configured",
  notify: { slack: { webhook: undefined, rooms: {}, events: ["start", "success", "failure", "error"], ...slack }, webhook: undefined },
});
const started: DeploymentEvent = { type: "started", sha: SHA, forcedOver: undefined, environmentUrl: undefined };
const succeeded: DeploymentEvent = { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 1000 }, environmentUrl: undefined };
const texts = (r: WebhookReceiver) => r.received.map((request) => (JSON.parse(request.body) as { text: string }).text);

describe("SlackSink", () => {
  it("posts the events the repository asked for, and nothing for a deployment it never saw configured", async () => {
    const { sink, receiver } = await slackSink();
    await sink.publish(job, started, LOG_URL);
    await sink.publish(job, succeeded, LOG_URL);
    await sink.publish(job, slackOnly({ events: ["success"] }), LOG_URL);
    await sink.publish(job, { type: "queued", position: { kind: "workers", busy: 1, concurrency: 1 } }, LOG_URL);
    await sink.publish(job, started, LOG_URL);
    await sink.publish(job, succeeded, LOG_URL);
    await sink.idle();
    expect(texts(receiver)).toEqual([expect.stringMatching(/^:white_check_mark: \*alice\* deployed <https:\/\/github.com\/octo\/app\|octo\/app> `main`/)]);
    expect(receiver.received[0]!.path).toBe(PATH);
    expect(receiver.received[0]!.headers["content-type"]).toBe("application/json");
  });

  it("waits as long as a 429's Retry-After asks before it posts again", async () => {
    const { sink, receiver } = await slackSink((_r, index) => (index === 0 ? { status: 429, headers: { "retry-after": "1" }, body: "rate_limited" } : { status: 200, body: "ok" }));
    await sink.publish(job, slackOnly({ events: ["start"] }), LOG_URL);
    await sink.publish(job, started, LOG_URL);
    await sink.idle();
    expect(receiver.received.map((r) => r.answered)).toEqual([429, 200]);
    // The backoff alone would have been 1 ms.
    expect(logged).toEqual([
      { level: "warn", fields: expect.objectContaining({ status: 429, error: "429 rate_limited" }), message: "notification not delivered yet: answered 429: attempt 2 of 4 in 1 s" },
    ]);
  });

  it("does not retry what Slack refuses for good, and never logs the webhook's URL", async () => {
    const { sink, receiver } = await slackSink(() => ({ status: 404, body: `no_service ${PATH}` }));
    await sink.publish(job, slackOnly(), LOG_URL);
    await sink.publish(job, started, LOG_URL);
    await sink.idle();
    expect(receiver.received).toHaveLength(1);
    expect(logged).toEqual([
      {
        level: "error",
        fields: { repository: "octo/app", environment: "production", deployment: "7", channel: "slack", webhook: "HEAVEN_SLACK_WEBHOOK_URL", notification: "start", attempt: 1, status: 404, error: "404 no_service ***" },
        message: "notification not delivered: answered 404: will not change by retrying",
      },
    ]);
  });

  it("retries a Slack it cannot reach, then gives up and says so", async () => {
    const { sink, receiver } = await slackSink();
    await receiver.close();
    await sink.publish(job, slackOnly(), LOG_URL);
    await sink.publish(job, started, LOG_URL);
    await sink.idle();
    expect(logged.map((l) => l.level)).toEqual(["warn", "warn", "warn", "error"]);
    expect(logged[3]!.message).toBe("notification not delivered: no answer after 4 attempts: giving up");
    expect(JSON.stringify(logged)).not.toContain("slack0secret0path");
  });

  it("posts to the webhook a hubot room maps to", async () => {
    const { sink, receiver } = await slackSink(undefined, { HEAVEN_SLACK_WEBHOOK_URL: PATH, HEAVEN_SLACK_WEBHOOK_OPS: "/ops" });
    const fromChat: DeploymentJob = {
      ...job,
      request: { ...job.request, record: { id: 7, sha: SHA, ref: "main", task: "deploy", environment: "production", createdAt: "", creator: { login: "hubot", type: "User" }, payload: { notify: { room: "ops", user_name: "Alice" } }, description: null } },
    };
    await sink.publish(fromChat, slackOnly({ rooms: { "#ops": "ops" } }), LOG_URL);
    await sink.publish(fromChat, started, LOG_URL);
    await sink.idle();
    expect(receiver.received.map((r) => r.path)).toEqual(["/ops"]);
    expect(texts(receiver)[0]).toMatch(/^:rocket: \*Alice\* is deploying/);
  });
});
