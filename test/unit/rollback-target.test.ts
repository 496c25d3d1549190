import { describe, expect, it } from "@jest/globals";
import type { DeploymentRecord, RecordWithStates } from "../../src/core/record.js";
import { rollbackTarget } from "../../src/decisions/rollback-target.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

function entry(id: number, sha: string, states: string[], fields: Partial<DeploymentRecord> = {}): RecordWithStates {
  return {
    record: {
      id,
      sha,
      ref: `ref-${id}`,
      task: "deploy",
      environment: "production",
      createdAt: "2024-05-01T12:00:00Z",
      creator: { login: "alice", type: "User" },
      payload: {},
      description: null,
      ...fields,
    },
    states,
  };
}

const NOTHING = { kind: "none", reason: "nothing has been deployed successfully here yet" };
const NO_OTHER = { kind: "none", reason: "no earlier successful deployment with a different commit" };

describe("rollbackTarget", () => {
  it("goes back to the newest earlier success of a different commit", () => {
    const history = [
      entry(1, A, ["pending", "success"]),
      entry(2, B, ["queued", "in_progress", "success", "inactive"]),
      entry(3, C, ["in_progress", "success"]),
    ];
    expect(rollbackTarget(history, 4)).toEqual({ kind: "target", sha: B, ref: "ref-2", deploymentId: 2, currentSha: C });
  });

  it("skips earlier successes of the commit that is deployed now", () => {
    const history = [entry(1, A, ["success"]), entry(2, B, ["success"]), entry(3, B, ["success"])];
    expect(rollbackTarget(history, 10)).toEqual({ kind: "target", sha: A, ref: "ref-1", deploymentId: 1, currentSha: B });
  });

  it("ignores deployments that never succeeded, both as current and as target", () => {
    const history = [
      entry(1, A, ["success"]),
      entry(2, B, ["pending", "failure"]),
      entry(3, C, ["success"]),
      entry(4, B, ["error"]),
      entry(5, A, []),
    ];
    expect(rollbackTarget(history, 6)).toEqual({ kind: "target", sha: A, ref: "ref-1", deploymentId: 1, currentSha: C });
  });

  it("finds a success wherever it sits among the states", () => {
    const history = [entry(1, A, ["inactive", "success", "pending"]), entry(2, B, ["success"])];
    expect(rollbackTarget(history, 3)).toMatchObject({ kind: "target", sha: A });
  });

  it("considers only records before the rollback request", () => {
    const history = [entry(1, A, ["success"]), entry(2, B, ["success"]), entry(5, C, ["success"]), entry(6, A, ["success"])];
    expect(rollbackTarget(history, 5)).toEqual({ kind: "target", sha: A, ref: "ref-1", deploymentId: 1, currentSha: B });
    expect(rollbackTarget(history, 2)).toEqual(NO_OTHER);
    expect(rollbackTarget(history, 1)).toEqual(NOTHING);
  });

  it("counts deploy:<task> records and ignores lock, unlock, rollback and other tasks", () => {
    const history = [
      entry(1, A, ["success"], { task: "deploy:migrations" }),
      entry(2, B, ["success"], { task: "deploy:lock" }),
      entry(3, B, ["success"], { task: "deploy:unlock" }),
      entry(4, B, ["success"], { task: "deploy:rollback" }),
      entry(5, B, ["success"], { task: "migrate" }),
      entry(6, C, ["success"]),
    ];
    expect(rollbackTarget(history, 7)).toEqual({ kind: "target", sha: A, ref: "ref-1", deploymentId: 1, currentSha: C });
  });

  it("does not depend on the order the history comes in", () => {
    const history = [entry(3, C, ["success"]), entry(1, A, ["success"]), entry(4, C, ["failure"]), entry(2, B, ["success"])];
    const expected = { kind: "target", sha: B, ref: "ref-2", deploymentId: 2, currentSha: C };
    expect(rollbackTarget(history, 9)).toEqual(expected);
    expect(rollbackTarget([...history].reverse(), 9)).toEqual(expected);
  });

  it("says nothing has been deployed when no deploy ever succeeded", () => {
    expect(rollbackTarget([], 1)).toEqual(NOTHING);
    expect(rollbackTarget([entry(1, A, ["failure"]), entry(2, B, ["pending"])], 3)).toEqual(NOTHING);
  });

  it("says there is nothing to go back to when every success deployed the same commit", () => {
    expect(rollbackTarget([entry(1, A, ["success"])], 2)).toEqual(NO_OTHER);
    expect(rollbackTarget([entry(1, A, ["success"]), entry(2, A, ["success"]), entry(3, B, ["failure"])], 4)).toEqual(NO_OTHER);
  });

  it("gives reasons short enough for a status", () => {
    for (const result of [rollbackTarget([], 1), rollbackTarget([entry(1, A, ["success"])], 2)]) {
      if (result.kind !== "none") throw new Error("expected no target");
      expect(result.reason.length).toBeLessThanOrEqual(100);
    }
  });
});
