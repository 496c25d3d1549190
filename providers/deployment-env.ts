/** The variables every process provider gives its command about the deployment (Heaven's, plus three). */
import type { DeploymentRequest } from "../src/core/request.js";

/** What every process provider tells its command about the deployment. */
export function deploymentEnv(request: DeploymentRequest): Record<string, string> {
  return {
    BRANCH: request.ref,
    SHA: request.sha,
    DEPLOY_ENV: request.environment,
    DEPLOY_TASK: request.task,
    DEPLOYMENT_ID: request.id,
    REPOSITORY: request.repository.fullName,
    ...(request.hosts === undefined ? {} : { HOSTS: request.hosts.join(",") }),
  };
}
