/** CI as GitHub reports it on a commit, and heaven's verdict on it. */

export interface CommitStatus {
  context: string;
  state: string; // error | failure | pending | success
}

export interface CheckRun {
  name: string;
  status: string; // queued | in_progress | completed | waiting | requested | pending
  conclusion: string | null;
}

export type CiVerdict =
  | { kind: "green"; contexts: string[] }
  | { kind: "pending"; pending: string[]; missing: string[] }
  | { kind: "red"; failed: string[] };

/** heaven's own commit statuses (heaven/auto-deploy): never CI, never a reason to refuse a deployment. */
export const HEAVEN_CONTEXT_PREFIX = "heaven/";
