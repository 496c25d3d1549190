/**
 * `deployment.created`: read the event, hand it to the core, return. The
 * webhook is answered before any slow work starts; the deployment reports
 * through its statuses.
 */
import type { Context } from "probot";
import type { Deployer } from "../deploy/deployer.js";
import { readDeployment } from "../decisions/read-deployment.js";
import { DeploymentStatusReporter } from "../github/deployment-status-reporter.js";
import { getCiState } from "../github/get-ci-state.js";
import { loadHeavenConfig } from "../github/load-heaven-config.js";

/** GitHub redelivers with the same deployment; run each deployment once. */
const REMEMBERED_DEPLOYMENTS = 10_000;

export function handleDeployment(deployer: Deployer) {
  const seen = new Set<string>();

  return async (context: Context<"deployment.created">): Promise<void> => {
    const read = readDeployment(context.payload);
    if (!read.ok) {
      context.log.warn({ reason: read.reason }, "ignoring a deployment event heaven cannot read");
      if (read.owner !== undefined && read.repo !== undefined && read.deploymentId !== undefined) {
        await new DeploymentStatusReporter(context.octokit, { owner: read.owner, repo: read.repo, deploymentId: read.deploymentId }, context.log).finished({
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

    const octokit = context.octokit;
    const reporter = new DeploymentStatusReporter(octokit, { owner, repo, deploymentId }, context.log);
    const sources = {
      loadConfig: () => loadHeavenConfig(context),
      ciState: (sha: string) => getCiState(octokit, { owner, repo, sha }),
      gitToken: async () => ((await octokit.auth({ type: "installation" })) as { token?: string }).token,
    };
    context.log.info({ deploymentId, environment: request.environment, sha: request.sha }, "deployment accepted");
    deployer.submit({ request, sources, reporter }).then(
      (result) => context.log.info({ deploymentId, state: result.state }, result.description),
      (error: unknown) => context.log.error({ deploymentId, err: error }, "deployment failed inside heaven"),
    );
  };
}
