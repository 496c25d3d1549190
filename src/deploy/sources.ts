/** What the pipeline needs from wherever the deployment came from. */
import type { CheckRun, CommitStatus } from "../decisions/ci-gate.js";

export type ConfigRead = { ok: true; file: unknown } | { ok: false; error: string };

export interface DeploymentSources {
  /** `.github/heaven.yml` from the default branch, parsed; `file: null` when there is none. */
  loadConfig(): Promise<ConfigRead>;
  /** CI on a commit. Absent where there is no CI to ask (the command line). */
  ciState?(sha: string): Promise<{ statuses: CommitStatus[]; checkRuns: CheckRun[] }>;
  /** A token git may use to fetch, minted as late as possible. */
  gitToken?(): Promise<string | undefined>;
}
