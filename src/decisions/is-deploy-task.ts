/**
 * Does a deployment's task ask heaven to ship code? Pure.
 *
 * `deploy` and any `deploy:<x>` (`deploy:migrations`, …) do; the lock, unlock
 * and rollback tasks are requests about the environment, not code to ship.
 * An empty task is GitHub's default, `deploy` (as readDeployment reads it).
 */
import { LOCK_TASK, ROLLBACK_TASK, UNLOCK_TASK } from "../core/record.js";

const NOT_DEPLOYS = new Set([LOCK_TASK, UNLOCK_TASK, ROLLBACK_TASK]);

export function isDeployTask(task: string): boolean {
  if (task === "" || task === "deploy") return true;
  return task.startsWith("deploy:") && !NOT_DEPLOYS.has(task);
}
