/** How a deployment ended, as data; decisions/describe-outcome turns it into words. */
import type { CiVerdict } from "./ci.js";
import type { Lock } from "./lock.js";
import type { ProviderRelease } from "./provider.js";

export type DeploymentOutcome =
  | { kind: "succeeded"; what: string; durationMs: number; release?: ProviderRelease | undefined }
  | { kind: "failed"; what: string; exitCode: number; lastLine: string | undefined }
  | { kind: "killed"; what: string; signal: string; lastLine: string | undefined }
  | { kind: "provider-error"; what: string; message: string }
  /** `api`: an API provider heaven stopped waiting for (no process to kill; the work may go on there). */
  | { kind: "timed-out"; what: string; timeoutSeconds: number; api?: boolean }
  | { kind: "not-runnable"; what: string; reason: "missing" | "not-executable" | "bad-interpreter" | "outside-checkout" }
  /** A provider's tool (fab, cap, ssh…) is not installed on heaven's box. */
  | { kind: "tool-missing"; what: string; tool: string; install: string }
  /** `chat`: a chat client made it, whose `deploy!` cannot reach heaven (see ci_gate). */
  | { kind: "ci-blocked"; sha: string; verdict: Exclude<CiVerdict, { kind: "green" }>; chat?: boolean }
  | { kind: "config-invalid"; message: string }
  | { kind: "bad-request"; message: string }
  | { kind: "checkout-failed"; message: string }
  /** Stopped from outside before it finished: `reason` names who, e.g. "heaven's shutdown". */
  | { kind: "aborted"; reason: string }
  | { kind: "crashed"; message: string }
  | { kind: "locked"; lock: Lock; relocked: boolean }
  | { kind: "unlocked"; by: string; reason: string | undefined; previous: Lock | undefined }
  | { kind: "lock-refused"; holder: Lock }
  | { kind: "environment-locked"; environment: string; holder: Lock }
  | { kind: "locks-unavailable" }
  | { kind: "superseded"; by: { id: string; sha: string } }
  | { kind: "rollback-created"; environment: string; sha: string; from: number; id: number }
  | { kind: "rollback-impossible"; reason: string }
  | { kind: "merge-conflict"; branch: string; defaultBranch: string }
  /** The default branch was merged in; the merge commit ships as deployment `id`. */
  | { kind: "merged"; branch: string; defaultBranch: string; sha: string; id: number }
  /**
   * heaven was restarted while it ran; `processStopped`: its provider's processes were found and killed.
   * `workerStopped`: scale-out mode, where another process reports the job of a worker that went silent.
   */
  | { kind: "interrupted"; processStopped: boolean; workerStopped?: boolean }
  | { kind: "ci-timed-out"; sha: string; waiting: string[]; minutes: number };

export type FinalState = "success" | "failure" | "error" | "inactive";

export interface FinalStatus {
  state: FinalState;
  description: string;
}
