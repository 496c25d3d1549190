import { describe, expect, it } from "@jest/globals";
import type { DeploymentEvent } from "../../src/core/events.js";
import type { DeploymentJob } from "../../src/core/job.js";
import type { OutboxWrite } from "../../src/github/outbox.js";
import { renderReply } from "../../src/decisions/render-reply.js";
import { PullRequestReplySink } from "../../src/github/reply-sink.js";
import { deploymentRequest, SHA } from "../helpers/provider-fixtures.js";

const LOG = "https://heaven.example.com/logs/acme/app/41?sig=abc";
const job = (comment?: { number: number; id: number }): DeploymentJob => ({
  key: "github:deployment:41",
  lane: "acme/app#production",
  request: deploymentRequest({ id: "41", ref: "feature" }),
  origin: { kind: "github", installationId: 1, owner: "acme", repo: "app", deploymentId: 41, comment },
  acceptedAt: 0,
});

describe("renderReply", () => {
  it("says the place in the queue and whose deploy is ahead", () => {
    const event: DeploymentEvent = { type: "queued", position: { kind: "lane", running: { key: "k", label: "deployment 40 (main to production)", creator: "alice", sha: "abc1234ffff" }, ahead: 0 } };
    expect(renderReply(job(), event, LOG).body).toContain("⏳ Queued: feature (`0123456`) to **production** — #2 for production, behind @alice's deploy of abc1234 · [log](" + LOG + ")");
  });

  it("links the live log while it runs, and names a lock it was forced past", () => {
    const event: DeploymentEvent = { type: "started", sha: SHA, forcedOver: { owner: "bob", reason: "db work", since: "2026-12-01T10:00:00Z", expiresAt: undefined }, environmentUrl: undefined };
    const reply = renderReply(job(), event, LOG);
    expect(reply.body).toContain(`🚀 Deploying feature (\`0123456\`) to **production** (forced past @bob's lock) — [live log](${LOG})`);
    expect(reply.final).toBe(false);
  });

  it("ends with the outcome in words, the log and the environment", () => {
    const event: DeploymentEvent = { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 42_000 }, environmentUrl: "https://app.example.com" };
    const reply = renderReply(job(), event, LOG);
    expect(reply).toMatchObject({ final: true, key: "final" });
    expect(reply.body).toContain(`✅ feature (\`0123456\`) to **production**: script/deploy succeeded in 42 s · [log](${LOG}) · [https://app.example.com](https://app.example.com)`);
    expect(reply.body).toContain("<!-- heaven:github:deployment:41 -->");
  });

  it("says how to get past a lock with a comment", () => {
    const holder = { owner: "alice", reason: "db work", since: "2026-12-01T10:00:00Z", expiresAt: undefined, kind: "explicit" as const, branch: undefined, recordId: 3 };
    const event: DeploymentEvent = { type: "finished", outcome: { kind: "environment-locked", environment: "production", holder }, environmentUrl: undefined };
    expect(renderReply(job(), event, LOG).body).toContain("Ask @alice to comment `/unlock production`, or force it with `/deploy! to production`.");
  });

  it("says whose lock it waits for, and until when", () => {
    const holder = { owner: "alice", reason: "db work", since: "2026-12-01T10:00:00Z", expiresAt: undefined, kind: "explicit" as const, branch: undefined, recordId: 3 };
    const event: DeploymentEvent = { type: "waiting-for-unlock", holder, deadline: Date.UTC(2026, 11, 1, 12, 30) };
    expect(renderReply(job(), event, LOG)).toMatchObject({
      final: false,
      body: expect.stringContaining("🔒 Waiting: feature (`0123456`) to **production** is locked by @alice (db work); heaven deploys when the lock goes, or gives up at 2026-12-01 12:30 UTC"),
    });
  });

  it("says what to do next when it failed", () => {
    const event: DeploymentEvent = { type: "finished", outcome: { kind: "ci-blocked", sha: SHA, verdict: { kind: "red", failed: ["ci/test"] } }, environmentUrl: undefined };
    expect(renderReply(job(), event, LOG).body).toContain("❌ feature (`0123456`) to **production**: CI failed on 0123456: ci/test; fix it, or deploy with force");
  });
});

describe("PullRequestReplySink", () => {
  const writes: OutboxWrite[] = [];
  const sink = new PullRequestReplySink({ add: async (write) => (writes.push(write), "added") });
  const finished: DeploymentEvent = { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 1000 }, environmentUrl: undefined };

  it("replies on the pull request of the comment that asked, as one group per deployment", async () => {
    writes.length = 0;
    await sink.publish(job({ number: 7, id: 900 }), finished, LOG);
    expect(writes).toEqual([
      expect.objectContaining({
        group: "reply:acme/app:41",
        supersedable: false,
        route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        params: expect.objectContaining({ owner: "acme", repo: "app", issue_number: 7 }),
      }),
    ]);
  });

  it("says nothing for a deployment no comment asked for", async () => {
    writes.length = 0;
    await sink.publish(job(), finished, LOG);
    expect(writes).toEqual([]);
  });
});
