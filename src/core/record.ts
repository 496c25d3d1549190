/**
 * A GitHub deployment as heaven reads it back from the Deployments API: the
 * record that locks, unlocks and deploys are derived from. Plain data.
 */
export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  /** ISO 8601, as GitHub gives it. */
  createdAt: string;
  creator: { login: string; type: string };
  payload: Record<string, unknown>;
  description: string | null;
}

export const LOCK_TASK = "deploy:lock";
export const UNLOCK_TASK = "deploy:unlock";
export const ROLLBACK_TASK = "deploy:rollback";

export interface RecordWithStates {
  record: DeploymentRecord;
  /** every status state ever posted, any order */
  states: readonly string[];
}
