import { describe, expect, it } from "@jest/globals";
import type { DeploymentRecord } from "../../src/core/record.js";
import { decideAfterCompare, newestDeployedSha, planAutoDeploy, type AutoDeployInput } from "../../src/decisions/plan-auto-deploy.js";
import type { LockState } from "../../src/core/lock.js";

const SHA = "a".repeat(40);
const OLD = "b".repeat(40);

const record = (id: number, sha: string, task = "deploy"): DeploymentRecord => ({
  id,
  sha,
  ref: "main",
  task,
  environment: "production",
  createdAt: "2026-11-22T10:00:00Z",
  creator: { login: "alice", type: "User" },
  payload: {},
  description: null,
});

const unlocked: LockState = { kind: "unlocked" };
const explicitLock: LockState = {
  kind: "locked",
  lock: { owner: "alice", reason: "db maintenance", since: "2026-11-22T09:00:00Z", expiresAt: undefined, kind: "explicit", branch: undefined, recordId: 1 },
};
const branchLock = (branch: string): LockState => ({
  kind: "locked",
  lock: { owner: "bob", reason: `deployed ${branch}`, since: "2026-11-22T09:00:00Z", expiresAt: undefined, kind: "branch", branch, recordId: 2 },
});

const plan = (changes: Partial<AutoDeployInput>) =>
  planAutoDeploy({ sha: SHA, branch: "main", defaultBranch: "main", environment: "production", autoDeploy: true, lock: unlocked, records: [], ...changes });

describe("planAutoDeploy", () => {
  describe("the default branch", () => {
    it("deploys a green head to an unlocked environment that never had a deployment", () => {
      expect(plan({})).toEqual({ kind: "deploy" });
    });

    it("does nothing where auto_deploy is off, and says nothing", () => {
      expect(plan({ autoDeploy: false })).toEqual({ kind: "skip", reason: "auto_deploy is off for production", tell: false });
    });

    it("skips a locked environment and says so, naming the lock", () => {
      expect(plan({ lock: explicitLock })).toEqual({ kind: "skip", reason: "not deployed to production: locked by @alice (db maintenance)", tell: true });
    });

    it("skips an environment a branch deploy holds, naming the branch", () => {
      expect(plan({ lock: branchLock("topic") })).toEqual({ kind: "skip", reason: "not deployed to production: locked by @bob (deployed topic)", tell: true });
    });

    it("skips a sha that is already the newest deployment there", () => {
      expect(plan({ records: [record(5, OLD), record(9, SHA)] })).toEqual({ kind: "skip", reason: "aaaaaaa is already deployed or queued in production", tell: false });
    });

    it("asks how the sha relates to the newest deployment before deploying it", () => {
      expect(plan({ records: [record(9, OLD), record(5, SHA)] })).toEqual({ kind: "compare", against: OLD });
    });

    it("ignores lock and unlock records when finding the newest deployment", () => {
      expect(plan({ records: [record(5, OLD), record(9, SHA, "deploy:lock"), record(10, SHA, "deploy:unlock")] })).toEqual({ kind: "compare", against: OLD });
    });
  });

  describe("another branch (Heaven's branch rule)", () => {
    it("deploys a green head of the branch that holds the environment's lock, even without auto_deploy", () => {
      expect(plan({ branch: "topic", autoDeploy: false, lock: branchLock("topic") })).toEqual({ kind: "deploy" });
    });

    it("does nothing where the environment is free, locked by hand, or held by another branch", () => {
      for (const lock of [unlocked, explicitLock, branchLock("other")]) {
        expect(plan({ branch: "topic", lock })).toEqual({ kind: "skip", reason: "production is not locked by a deploy of topic", tell: false });
      }
    });

    it("is forward-only too", () => {
      expect(plan({ branch: "topic", lock: branchLock("topic"), records: [record(3, SHA)] }).kind).toBe("skip");
    });
  });
});

describe("decideAfterCompare", () => {
  const input = { sha: SHA, environment: "production" };

  it("deploys a sha ahead of what is deployed, or diverged from it (a rewritten branch)", () => {
    expect(decideAfterCompare("ahead", input)).toEqual({ kind: "deploy" });
    expect(decideAfterCompare("diverged", input)).toEqual({ kind: "deploy" });
  });

  it("never deploys backwards or the same commit again", () => {
    for (const status of ["behind", "identical"]) {
      expect(decideAfterCompare(status, input)).toEqual({ kind: "skip", reason: "aaaaaaa is not newer than what production has", tell: false });
    }
  });
});

describe("newestDeployedSha", () => {
  it("is the sha of the deploy record with the highest id, whatever the order", () => {
    expect(newestDeployedSha([record(2, OLD), record(7, SHA), record(4, OLD)])).toBe(SHA);
    expect(newestDeployedSha([])).toBeUndefined();
    expect(newestDeployedSha([record(1, SHA, "deploy:lock")])).toBeUndefined();
  });
});
