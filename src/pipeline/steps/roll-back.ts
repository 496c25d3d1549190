/**
 * `deploy:rollback` (or `payload.rollback: true`): find the previous
 * successful deployment's sha in GitHub's records and deploy it as a new
 * deployment, so the records keep saying what is deployed where.
 */
import { ownerOf } from "../../decisions/lock-state.js";
import { rollbackTarget } from "../../decisions/rollback-target.js";
import type { DeploymentRequest } from "../../core/request.js";
import type { DeploymentSources } from "../../core/sources.js";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { LogSink } from "../../core/log.js";

export async function handleRollback(request: DeploymentRequest, sources: DeploymentSources, log: LogSink): Promise<DeploymentOutcome> {
  if (sources.environmentHistory === undefined || sources.createDeployment === undefined || request.record === undefined) {
    return { kind: "rollback-impossible", reason: "it needs GitHub's deployment history" };
  }
  const target = rollbackTarget(await sources.environmentHistory(request.environment), request.record.id);
  if (target.kind === "none") return { kind: "rollback-impossible", reason: target.reason };
  log.note(`rolling back from ${target.currentSha} to ${target.sha} (deployment ${target.deploymentId})`);
  const created = await sources.createDeployment({
    ref: target.sha,
    environment: request.environment,
    task: "deploy",
    payload: {
      force: request.force,
      notify: { user: ownerOf(request.record) },
      heaven: { rollback_of: Number(request.id), target_deployment: target.deploymentId },
    },
    description: `rollback to ${target.sha.slice(0, 7)} (deployment ${target.deploymentId})`,
  });
  return { kind: "rollback-created", environment: request.environment, sha: target.sha, from: target.deploymentId, id: created.id };
}
