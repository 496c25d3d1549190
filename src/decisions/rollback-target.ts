/**
 * What `deploy:rollback` goes back to: the newest successful deployment of a
 * different commit than the one deployed now. Pure: one environment's
 * deployment records and the states of their statuses in, a target out.
 */
import type { RecordWithStates } from "../core/record.js";
import { isDeployTask } from "./is-deploy-task.js";

export type RollbackTarget =
  | { kind: "target"; sha: string; ref: string; deploymentId: number; currentSha: string }
  | { kind: "none"; reason: string };

export function rollbackTarget(history: readonly RecordWithStates[], beforeId: number): RollbackTarget {
  const succeeded = history
    .filter(({ record, states }) => record.id < beforeId && isDeployTask(record.task) && states.includes("success"))
    .map(({ record }) => record)
    .sort((a, b) => b.id - a.id);
  const [current, ...earlier] = succeeded;
  if (current === undefined) return { kind: "none", reason: "nothing has been deployed successfully here yet" };
  const target = earlier.find((record) => record.sha !== current.sha);
  if (target === undefined) return { kind: "none", reason: "no earlier successful deployment with a different commit" };
  return { kind: "target", sha: target.sha, ref: target.ref, deploymentId: target.id, currentSha: current.sha };
}
