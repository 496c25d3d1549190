/**
 * Is this commit green enough to deploy? Pure: GitHub's commit statuses and
 * check runs in, a verdict out. Both kinds of CI count, because teams mix
 * them (Jenkins posts statuses, Actions posts check runs).
 */
import type { CheckRun, CiVerdict, CommitStatus } from "../core/ci.js";

export interface CiGateInput {
  /** Contexts that must be green; undefined means every context reported on the commit. */
  required: readonly string[] | undefined;
  statuses: readonly CommitStatus[];
  checkRuns: readonly CheckRun[];
  /** Contexts heaven itself posts; never a reason to refuse a deployment. */
  ignorePrefix?: string;
}

type ContextState = "success" | "pending" | "failure";

const GREEN_CONCLUSIONS = new Set(["success", "neutral", "skipped"]);

function checkRunState(run: CheckRun): ContextState {
  if (run.status !== "completed") return "pending";
  return run.conclusion !== null && GREEN_CONCLUSIONS.has(run.conclusion) ? "success" : "failure";
}

function statusState(status: CommitStatus): ContextState {
  if (status.state === "success") return "success";
  if (status.state === "pending") return "pending";
  return "failure";
}

/** Worst state wins when a status and a check run share a name. */
function worse(a: ContextState | undefined, b: ContextState): ContextState {
  const rank: Record<ContextState, number> = { success: 0, pending: 1, failure: 2 };
  return a === undefined || rank[b] > rank[a] ? b : a;
}

export function evaluateCi(input: CiGateInput): CiVerdict {
  const reported = new Map<string, ContextState>();
  for (const status of input.statuses) {
    reported.set(status.context, worse(reported.get(status.context), statusState(status)));
  }
  for (const run of input.checkRuns) {
    reported.set(run.name, worse(reported.get(run.name), checkRunState(run)));
  }
  const ignored = (name: string) => input.ignorePrefix !== undefined && name.startsWith(input.ignorePrefix);
  const required = input.required ?? [...reported.keys()].filter((name) => !ignored(name));
  const names = [...new Set(required)].sort();

  const failed = names.filter((name) => reported.get(name) === "failure");
  if (failed.length > 0) return { kind: "red", failed };
  const pending = names.filter((name) => reported.get(name) === "pending");
  const missing = names.filter((name) => !reported.has(name));
  if (pending.length > 0 || missing.length > 0) return { kind: "pending", pending, missing };
  return { kind: "green", contexts: names };
}
