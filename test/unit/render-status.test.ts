import { describe, expect, it } from "@jest/globals";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import type { Lock } from "../../src/core/lock.js";
import { renderStatus } from "../../src/decisions/render-status.js";

const sha = "0123456789abcdef0123456789abcdef01234567";
const job: DeploymentJob = {
  key: "github:deployment:41",
  lane: laneOf("octo/app", "production"),
  origin: { kind: "github", installationId: 1, owner: "octo", repo: "app", deploymentId: 41 },
  acceptedAt: 0,
  request: { id: "41", repository: { fullName: "octo/app", cloneUrl: "/x" }, environment: "production", ref: "topic", sha, task: "deploy", force: false, payloadConfig: undefined, creator: "bob" },
};
const lock: Lock = { owner: "alice", reason: "db work", since: "2026-11-22T14:03:00Z", expiresAt: undefined, kind: "explicit", branch: undefined, recordId: 9 };

describe("renderStatus", () => {
  it("says which deployment a queued one waits for, and how many more are before it", () => {
    const running = { key: "k", label: "deployment 40 (main to production)" };
    expect(renderStatus(job, { type: "queued", position: { kind: "lane", running, ahead: 0 } })).toEqual({
      state: "queued",
      description: "waiting for deployment 40 (main to production)",
      environmentUrl: undefined,
      final: false,
      key: "queued",
    });
    expect(renderStatus(job, { type: "queued", position: { kind: "lane", running, ahead: 2 } }).description).toBe(
      "waiting for deployment 40 (main to production) and 2 more queued before it",
    );
  });

  it("counts busy workers, in the singular for one", () => {
    expect(renderStatus(job, { type: "queued", position: { kind: "workers", busy: 1, concurrency: 1 } }).description).toBe(
      "waiting for a free worker: 1 deployment ahead (concurrency 1)",
    );
    expect(renderStatus(job, { type: "queued", position: { kind: "workers", busy: 4, concurrency: 4 } }).description).toBe(
      "waiting for a free worker: 4 deployments ahead (concurrency 4)",
    );
  });

  it("names the checks a parked deployment waits for, and gives two different waits different keys", () => {
    const waiting = renderStatus(job, { type: "waiting-for-ci", sha, waiting: ["ci/test", "lint"], deadline: 0 });
    expect(waiting).toMatchObject({ state: "pending", description: "waiting for CI on 0123456: ci/test, lint", final: false });
    const fewer = renderStatus(job, { type: "waiting-for-ci", sha, waiting: ["lint"], deadline: 0 });
    expect(fewer.key).not.toBe(waiting.key);
    expect(renderStatus(job, { type: "waiting-for-ci", sha, waiting: ["ci/test", "lint"], deadline: 1 }).key).toBe(waiting.key);
  });

  it("says what is being deployed where, and whose lock was forced", () => {
    expect(renderStatus(job, { type: "started", sha, forcedOver: undefined, environmentUrl: "https://app.example.com" })).toEqual({
      state: "in_progress",
      description: "deploying topic (0123456) to production",
      environmentUrl: "https://app.example.com",
      final: false,
      key: "in_progress",
    });
    expect(renderStatus(job, { type: "started", sha, forcedOver: lock, environmentUrl: undefined }).description).toBe(
      "deploying topic (0123456) to production, forced past @alice's lock",
    );
  });

  it("ends with the outcome's state and words, as the one final status", () => {
    expect(renderStatus(job, { type: "finished", outcome: { kind: "interrupted", processStopped: true }, environmentUrl: undefined })).toEqual({
      state: "error",
      description: "heaven restarted while this deployment ran; its script was stopped — deploy again",
      environmentUrl: undefined,
      final: true,
      key: "final",
    });
    expect(renderStatus(job, { type: "finished", outcome: { kind: "merged", branch: "topic", defaultBranch: "main", sha, id: 57 }, environmentUrl: undefined })).toMatchObject({
      state: "inactive",
      description: "merged main into topic as 0123456; that commit deploys as deployment 57",
    });
  });

  it("keeps every description within GitHub's 140 characters", () => {
    const long = { ...job, request: { ...job.request, ref: "r".repeat(300) } };
    expect(renderStatus(long, { type: "started", sha, forcedOver: lock, environmentUrl: undefined }).description.length).toBeLessThanOrEqual(140);
    expect(renderStatus(job, { type: "waiting-for-ci", sha, waiting: Array.from({ length: 50 }, (_, i) => `check-${i}`), deadline: 0 }).description.length).toBeLessThanOrEqual(140);
  });
});
