/**
 * A CI webhook (`status`, `check_suite`, `check_run`, `workflow_run`) read
 * into the one thing heaven needs from it: which commit, on which branches,
 * and whether CI just finished something. Pure and defensive: a payload that
 * names no full commit sha reads as undefined.
 */
import { HEAVEN_CONTEXT_PREFIX } from "../core/ci.js";
import { isFullSha } from "../core/sha.js";
import { isObject, type JsonObject } from "../core/json.js";

export interface CiEvent {
  /** Full 40-character sha, lower case. */
  sha: string;
  branches: string[];
  /** A status that is no longer pending, or a suite/run whose action is `completed`. */
  completed: boolean;
}

export type CiEventName = "status" | "check_suite" | "check_run" | "workflow_run";


const name = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

function fullSha(value: unknown): string | undefined {
  return typeof value === "string" && isFullSha(value.toLowerCase()) ? value.toLowerCase() : undefined;
}

function event(sha: unknown, branches: readonly unknown[], completed: boolean): CiEvent | undefined {
  const commit = fullSha(sha);
  if (commit === undefined) return undefined;
  const names = branches.map(name).filter((branch): branch is string => branch !== undefined);
  return { sha: commit, branches: [...new Set(names)], completed };
}

/** `check_suite`, `check_run` and `workflow_run` finish with the action `completed`. */
function actionCompleted(payload: JsonObject): boolean | undefined {
  return typeof payload.action === "string" ? payload.action === "completed" : undefined;
}

export function readCiEvent(eventName: CiEventName, payload: unknown): CiEvent | undefined {
  if (!isObject(payload)) return undefined;
  switch (eventName) {
    case "status": {
      if (typeof payload.state !== "string") return undefined;
      // heaven's own skip explanations: CI did not move, and each would set off another round of planning.
      if (typeof payload.context === "string" && payload.context.startsWith(HEAVEN_CONTEXT_PREFIX)) return undefined;
      const branches = Array.isArray(payload.branches) ? payload.branches : [];
      return event(
        payload.sha,
        branches.map((branch) => (isObject(branch) ? branch.name : undefined)),
        payload.state !== "pending",
      );
    }
    case "check_suite": {
      const completed = actionCompleted(payload);
      if (completed === undefined || !isObject(payload.check_suite)) return undefined;
      return event(payload.check_suite.head_sha, [payload.check_suite.head_branch], completed);
    }
    case "check_run": {
      const completed = actionCompleted(payload);
      if (completed === undefined || !isObject(payload.check_run)) return undefined;
      const run = payload.check_run;
      const branch = isObject(run.check_suite) ? run.check_suite.head_branch : undefined;
      return event(run.head_sha, [branch], completed);
    }
    case "workflow_run": {
      const completed = actionCompleted(payload);
      if (completed === undefined || !isObject(payload.workflow_run)) return undefined;
      return event(payload.workflow_run.head_sha, [payload.workflow_run.head_branch], completed);
    }
    default:
      return undefined;
  }
}
