import { describe, expect, it } from "@jest/globals";
import type { DeploymentRecord } from "../../src/core/record.js";
import { deriveHistory } from "../../src/decisions/derive-deployment-history.js";
import { deploymentOutcome, type StatusSeen } from "../../src/decisions/deployment-outcome.js";

const T0 = Date.parse("2026-05-01T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const status = (state: string, seconds: number, extra: Partial<StatusSeen> = {}): StatusSeen => ({ state, createdAt: at(seconds), description: `${state} now`, logUrl: undefined, environmentUrl: undefined, ...extra });
const record = (id: number, fields: Partial<DeploymentRecord> = {}): DeploymentRecord => ({ id, sha: "a".repeat(40), ref: "main", task: "deploy", environment: "production", createdAt: at(0), creator: { login: "alice", type: "User" }, payload: {}, description: null, ...fields });

describe("deploymentOutcome", () => {
  it("times a deployment from in_progress to its first final status, whatever order the statuses come in", () => {
    const view = deploymentOutcome(at(0), [status("inactive", 900), status("success", 70), status("in_progress", 10), status("queued", 1)]);
    expect(view).toEqual({ outcome: "success", state: "inactive", startedAt: at(10), finishedAt: at(70), durationMs: 60_000 });
  });

  it("times from creation when it never said in_progress", () => {
    expect(deploymentOutcome(at(0), [status("failure", 5)])).toMatchObject({ outcome: "failure", durationMs: 5000, startedAt: undefined });
  });

  it("tells superseded, running, waiting and unknown apart", () => {
    expect(deploymentOutcome(at(0), [status("inactive", 5)]).outcome).toBe("superseded");
    expect(deploymentOutcome(at(0), [status("queued", 1), status("in_progress", 2)])).toMatchObject({ outcome: "running", durationMs: undefined });
    expect(deploymentOutcome(at(0), [status("pending", 1)]).outcome).toBe("waiting");
    expect(deploymentOutcome(at(0), [])).toMatchObject({ outcome: "unknown", state: undefined });
  });
});

describe("deriveHistory", () => {
  it("lists newest first with outcome, duration, description, the newest log link and the environment URL", () => {
    const older = { record: record(5), statuses: [status("in_progress", 1, { logUrl: "http://heaven/logs/a/b/5?sig=1" }), status("success", 31, { logUrl: "http://heaven/logs/a/b/5?sig=2", environmentUrl: "https://app" })] };
    const newer = { record: record(9, { creator: { login: "hubot", type: "User" }, payload: { notify: { user_name: "dana" } } }), statuses: [status("error", 3)] };
    const items = deriveHistory([older, newer]);
    expect(items.map((i) => i.deploymentId)).toEqual([9, 5]);
    expect(items[0]).toMatchObject({ by: "dana", outcome: "error", durationMs: 3000, logUrl: null, description: "error now" });
    expect(items[1]).toMatchObject({ by: "alice", outcome: "success", state: "success", durationMs: 30_000, logUrl: "http://heaven/logs/a/b/5?sig=2", environmentUrl: "https://app" });
  });

  it("shows a record without statuses as unknown", () => {
    expect(deriveHistory([{ record: record(1), statuses: undefined }])[0]).toMatchObject({ state: null, outcome: "unknown", durationMs: null, logUrl: null });
  });
});
