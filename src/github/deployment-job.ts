/** A `deployment` webhook, once read, as the job the queue keeps. */
import { laneOf, type DeploymentJob } from "../core/job.js";
import type { DeploymentRequest } from "../core/request.js";

/** Deployment ids are unique on a GitHub host: a redelivery, or a second event for the same deployment, is the same job. */
export const deploymentJobKey = (deploymentId: number) => `github:deployment:${deploymentId}`;

export function deploymentJob(
  read: { request: DeploymentRequest; owner: string; repo: string; deploymentId: number; comment?: { number: number; id: number } | undefined },
  installationId: number,
  now: number,
): DeploymentJob {
  const { request, owner, repo, deploymentId, comment } = read;
  return {
    key: deploymentJobKey(deploymentId),
    lane: laneOf(request.repository.fullName, request.environment),
    request,
    origin: { kind: "github", installationId, owner, repo, deploymentId, ...(comment === undefined ? {} : { comment }) },
    acceptedAt: now,
  };
}
