/**
 * `deployment.created`: read the event, hand it to the core, return. The
 * webhook is answered before any slow work starts; the deployment reports
 * through its statuses.
 */
import type { Context } from "probot";
import type { Deployer } from "../deploy/deployer.js";
import { readDeployment } from "../decisions/read-deployment.js";
import { DeploymentStatusReporter } from "../github/deployment-status-reporter.js";
import { githubSubmissionIo, type GitHubResume } from "../github/github-sources.js";

/** GitHub redelivers with the same deployment; run each deployment once. */
const REMEMBERED_DEPLOYMENTS = 10_000;

export function handleDeployment(deployer: Deployer) {
  const seen = new Set<string>();

  return async (context: Context<"deployment.created">): Promise<void> => {
    const read = readDeployment(context.payload);
    if (!read.ok) {
      context.log.warn({ reason: read.reason }, "ignoring a deployment event heaven cannot read");
      if (read.owner !== undefined && read.repo !== undefined && read.deploymentId !== undefined) {
        // Not awaited: its retries must not hold up the webhook's answer.
        void new DeploymentStatusReporter(context.octokit, { owner: read.owner, repo: read.repo, deploymentId: read.deploymentId }, context.log).finished({
          state: "error",
          description: `heaven cannot read this deployment: ${read.reason}`,
          logUrl: "",
          environmentUrl: undefined,
        });
      }
      return;
    }
    const { request, owner, repo, deploymentId } = read;
    const key = `${request.repository.fullName}#${request.id}`;
    if (seen.has(key)) {
      context.log.info({ deploymentId }, "deployment already accepted; ignoring the redelivery");
      return;
    }
    seen.add(key);
    if (seen.size > REMEMBERED_DEPLOYMENTS) seen.delete(seen.values().next().value as string);

    const target = { owner, repo, deploymentId };
    const installationId = context.payload.installation?.id;
    // Journaled if the deployment parks to wait for CI, so a restart does not lose it.
    const resume: GitHubResume | undefined = installationId === undefined ? undefined : { installationId, ...target };
    const io = githubSubmissionIo(context.octokit, target, context.log);
    context.log.info({ deploymentId, environment: request.environment, sha: request.sha }, "deployment accepted");
    deployer.submit({ request, ...io, resume }).then(
      (result) => context.log.info({ deploymentId, state: result.state }, result.description),
      (error: unknown) => context.log.error({ deploymentId, err: error }, "deployment failed inside heaven"),
    );
  };
}
