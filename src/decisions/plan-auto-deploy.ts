/**
 * Should a green commit be deployed to an environment by itself? Pure: the
 * environment's lock state and what was last deployed or queued there in,
 * a decision out. Ancestry comes from GitHub's compare (relation of the new
 * sha to the newest deployed or queued one).
 */
import type { DeploymentRecord } from "../core/record.js";
import { isDeployTask } from "./is-deploy-task.js";
import type { LockState } from "../core/lock.js";

export type AutoDeployDecision =
  /** Ask GitHub how `sha` relates to `against`, then call decideAfterCompare. */
  | { kind: "compare"; against: string }
  | { kind: "deploy" }
  /** `tell`: worth a commit status, so nobody has to read logs to learn why nothing shipped. */
  | { kind: "skip"; reason: string; tell: boolean };

export interface AutoDeployInput {
  sha: string;
  branch: string;
  defaultBranch: string;
  environment: string;
  /** `auto_deploy: true` for this environment (default-branch auto-deploys only). */
  autoDeploy: boolean;
  lock: LockState;
  /** The environment's records, any order. */
  records: readonly DeploymentRecord[];
}

/** The sha most recently asked for in the environment: deployed, running or queued. */
export function newestDeployedSha(records: readonly DeploymentRecord[]): string | undefined {
  let newest: DeploymentRecord | undefined;
  for (const record of records) {
    if (isDeployTask(record.task) && (newest === undefined || record.id > newest.id)) newest = record;
  }
  return newest?.sha;
}

export function planAutoDeploy(input: AutoDeployInput): AutoDeployDecision {
  const { lock, environment } = input;
  if (input.branch === input.defaultBranch) {
    if (!input.autoDeploy) return { kind: "skip", reason: `auto_deploy is off for ${environment}`, tell: false };
    if (lock.kind === "locked") {
      const { owner, kind, branch, reason } = lock.lock;
      const why = kind === "branch" ? `deployed ${branch ?? "a branch"}` : reason;
      return { kind: "skip", reason: `not deployed to ${environment}: locked by @${owner} (${why})`, tell: true };
    }
  } else if (lock.kind !== "locked" || lock.lock.kind !== "branch" || lock.lock.branch !== input.branch) {
    // Heaven's branch rule: a branch's green commits follow it only where it holds the lock.
    return { kind: "skip", reason: `${environment} is not locked by a deploy of ${input.branch}`, tell: false };
  }
  const newest = newestDeployedSha(input.records);
  if (newest === undefined) return { kind: "deploy" };
  if (newest === input.sha) return { kind: "skip", reason: `${input.sha.slice(0, 7)} is already deployed or queued in ${environment}`, tell: false };
  return { kind: "compare", against: newest };
}

/** GitHub's compare status of `against...sha`: ahead, behind, identical or diverged. */
export function decideAfterCompare(status: string, input: { sha: string; environment: string }): AutoDeployDecision {
  if (status === "ahead" || status === "diverged") return { kind: "deploy" };
  return { kind: "skip", reason: `${input.sha.slice(0, 7)} is not newer than what ${input.environment} has`, tell: false };
}
