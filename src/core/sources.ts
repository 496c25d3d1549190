/** What the pipeline needs from wherever the deployment came from. */
import type { DeploymentRecord, RecordWithStates } from "./record.js";
import type { CheckRun, CommitStatus } from "./ci.js";

export type ConfigRead = { ok: true; file: unknown } | { ok: false; error: string };

export type MergeResult =
  | { kind: "up-to-date" }
  | { kind: "merged"; sha: string }
  | { kind: "conflict" }
  /** The ref is not a branch heaven can merge into (a tag, a deleted branch). */
  | { kind: "not-mergeable"; reason: string };

export interface NewDeployment {
  ref: string;
  environment: string;
  task: string;
  payload: Record<string, unknown>;
  description: string;
}

export interface DeploymentSources {
  /** `.github/heaven.yml` from the default branch, parsed; `file: null` when there is none. */
  loadConfig(): Promise<ConfigRead>;
  /** CI on a commit. Absent where there is no CI to ask (the command line). */
  ciState?(sha: string): Promise<{ statuses: CommitStatus[]; checkRuns: CheckRun[] }>;
  /** A token git may use to fetch, minted as late as possible. */
  gitToken?(): Promise<string | undefined>;
  /** The environment's deployments of every task, as GitHub records them. Absent: no locks (the command line). */
  environmentRecords?(environment: string): Promise<DeploymentRecord[]>;
  /** The environment's deploy records with every status state they got (for rollback). */
  environmentHistory?(environment: string): Promise<RecordWithStates[]>;
  /** Creates a deployment through GitHub (a rollback's target). */
  createDeployment?(deployment: NewDeployment): Promise<{ id: number }>;
  /** A short-lived link to the commit's tarball that needs no token (Heroku builds from it). Absent: no GitHub. */
  tarballUrl?(sha: string): Promise<string>;
  /** Merges the default branch into `branch` if the deployed sha is behind it. */
  mergeDefaultBranch?(branch: string, defaultBranch: string, sha: string): Promise<MergeResult>;
}
