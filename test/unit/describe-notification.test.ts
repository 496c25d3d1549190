/** The facts a notification tells, from a job and an event: who, what, how long, and the links. */
import { describe, expect, it } from "@jest/globals";
import type { ProgressEvent } from "../../src/core/events.js";
import type { DeploymentJob } from "../../src/core/job.js";
import { describeNotification, type NoticeContext } from "../../src/decisions/describe-notification.js";

const SHA = "1234567890abcdef1234567890abcdef12345678";
const PREVIOUS = "fedcba0987654321fedcba0987654321fedcba09";
const LOG = "https://heaven.example.com/logs/octo/app/41?sig=abc";

function job(payload: Record<string, unknown> = {}, origin: DeploymentJob["origin"] = { kind: "github", installationId: 1, owner: "octo", repo: "app", deploymentId: 41 }): DeploymentJob {
  return {
    key: "k",
    lane: "octo/app#production",
    origin,
    acceptedAt: 0,
    request: {
      id: "41",
      repository: { fullName: "octo/app", cloneUrl: "https://github.com/octo/app.git" },
      environment: "production",
      ref: "main",
      sha: SHA,
      task: "deploy",
      force: false,
      payloadConfig: undefined,
      creator: "hubot",
      record: { id: 41, sha: SHA, ref: "main", task: "deploy", environment: "production", createdAt: "2026-01-01T00:00:00Z", creator: { login: "hubot", type: "User" }, payload, description: null },
    },
  };
}

const context = (changes: Partial<NoticeContext> = {}): NoticeContext => ({ logUrl: LOG, startedAt: 1_000, now: 64_000, previousSha: PREVIOUS, githubUrl: "https://github.com", ...changes });
const started: ProgressEvent = { type: "started", sha: SHA, forcedOver: undefined, environmentUrl: "https://app.example.com" };
const succeeded: ProgressEvent = { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 50_000 }, environmentUrl: "https://app.example.com" };

describe("describeNotification", () => {
  it("names the person hubot deployed for, not hubot, and links the changes since the previous deployment", () => {
    expect(describeNotification(job({ notify: { user_name: "Alice Person", user: "U123" } }), succeeded, context())).toEqual({
      kind: "success",
      state: "success",
      repository: "octo/app",
      environment: "production",
      ref: "main",
      sha: SHA,
      deploymentId: "41",
      task: "deploy",
      by: "Alice Person",
      description: "script/deploy succeeded in 50 s",
      durationMs: 63_000,
      logUrl: LOG,
      environmentUrl: "https://app.example.com",
      previousSha: PREVIOUS,
      links: {
        repository: "https://github.com/octo/app",
        commit: `https://github.com/octo/app/commit/${SHA}`,
        compare: `https://github.com/octo/app/compare/${PREVIOUS}...${SHA}`,
      },
    });
  });

  it("falls back to the deployment's creator, and on the command line to who ran it", () => {
    expect(describeNotification(job(), succeeded, context())?.by).toBe("hubot");
    const local = job({}, { kind: "local" });
    const { record: _record, ...request } = local.request;
    expect(describeNotification({ ...local, request: { ...request, creator: "carol" } }, succeeded, context())).toMatchObject({ by: "carol", links: undefined });
  });

  it("links GitHub Enterprise Server when that is where the repository lives", () => {
    expect(describeNotification(job(), succeeded, context({ githubUrl: "https://ghe.example.com/" }))?.links?.compare).toBe(`https://ghe.example.com/octo/app/compare/${PREVIOUS}...${SHA}`);
  });

  it("has no compare link when nothing was deployed before, or the same sha was", () => {
    expect(describeNotification(job(), succeeded, context({ previousSha: undefined }))).toMatchObject({ previousSha: undefined, links: { compare: undefined } });
    expect(describeNotification(job(), succeeded, context({ previousSha: SHA }))).toMatchObject({ previousSha: undefined, links: { compare: undefined } });
  });

  it("tells a start without a duration, and measures an end from the start it saw", () => {
    expect(describeNotification(job(), started, context())).toMatchObject({ kind: "start", state: "in_progress", durationMs: undefined, description: "deploying main (1234567) to production" });
    // Without a start seen (heaven restarted), a success still knows how long its provider ran.
    expect(describeNotification(job(), succeeded, context({ startedAt: undefined }))?.durationMs).toBe(50_000);
    const blocked: ProgressEvent = { type: "finished", outcome: { kind: "ci-blocked", sha: SHA, verdict: { kind: "red", failed: ["ci/test"] } }, environmentUrl: undefined };
    expect(describeNotification(job(), blocked, context({ startedAt: undefined }))).toMatchObject({ kind: "failure", state: "failure", durationMs: undefined });
  });

  it("tells failures and errors apart as their statuses do", () => {
    const failed: ProgressEvent = { type: "finished", outcome: { kind: "failed", what: "script/deploy", exitCode: 3, lastLine: "boom" }, environmentUrl: undefined };
    const timedOut: ProgressEvent = { type: "finished", outcome: { kind: "timed-out", what: "script/deploy", timeoutSeconds: 300 }, environmentUrl: undefined };
    expect(describeNotification(job(), failed, context())).toMatchObject({ kind: "failure", description: 'script/deploy exited 3: "boom"' });
    expect(describeNotification(job(), timedOut, context())).toMatchObject({ kind: "error", state: "error" });
  });

  it("tells nothing of waiting, or of a deployment that handed over to another", () => {
    const events: ProgressEvent[] = [
      { type: "queued", position: { kind: "workers", busy: 2, concurrency: 2 } },
      { type: "waiting-for-ci", sha: SHA, waiting: ["ci/test"], deadline: 0 },
      { type: "finished", outcome: { kind: "superseded", by: { id: "42", sha: PREVIOUS } }, environmentUrl: undefined },
      { type: "finished", outcome: { kind: "merged", branch: "topic", defaultBranch: "main", sha: PREVIOUS, id: 43 }, environmentUrl: undefined },
      { type: "finished", outcome: { kind: "rollback-created", environment: "production", sha: PREVIOUS, from: 40, id: 44 }, environmentUrl: undefined },
    ];
    expect(events.map((event) => describeNotification(job(), event, context()))).toEqual(events.map(() => undefined));
  });
});
