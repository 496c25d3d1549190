/** The Probot app: wires events and routes to heaven's core, nothing more. */
import type { ApplicationFunction, Probot } from "probot";
import { githubSubmissionIo, type GitHubResume } from "./github/github-sources.js";
import type { Deployer } from "./deploy/deployer.js";
import { handleCiEvent } from "./handlers/ci.js";
import { handleDeployment } from "./handlers/deployment.js";
import { handlePullRequestClosed } from "./handlers/pull-request.js";
import { logRoute } from "./server/log-route.js";

export interface HeavenAppOptions {
  deployer: Deployer;
  dataDir: string;
  logSecret: string;
  knownProviders: readonly string[];
  defaultTimeoutSeconds: number;
}

export function heavenApp(options: HeavenAppOptions): ApplicationFunction {
  return (app, { addHandler }) => {
    addHandler(logRoute(options));
    app.on("deployment.created", handleDeployment(options.deployer));
    const ci = handleCiEvent(options);
    app.on("status", ci("status"));
    app.on("check_suite.completed", ci("check_suite"));
    app.on("check_run.completed", ci("check_run"));
    app.on("workflow_run.completed", ci("workflow_run"));
    app.on("push", ci("push"));
    app.on("pull_request.closed", handlePullRequestClosed(options));
    restoreParkedDeployments(app, options.deployer).catch((error: unknown) =>
      app.log.error({ err: error }, "could not restore the deployments waiting for CI"),
    );
  };
}

/** Deployments that were waiting for CI when heaven last stopped wait again (and re-check CI now). */
async function restoreParkedDeployments(app: Probot, deployer: Deployer): Promise<void> {
  const restored = await deployer.restoreParked(async (resume) => {
    const saved = resume as Partial<GitHubResume>;
    if (typeof saved.installationId !== "number" || saved.owner === undefined || saved.repo === undefined || saved.deploymentId === undefined) return undefined;
    const octokit = await app.auth(saved.installationId);
    return githubSubmissionIo(octokit, { owner: saved.owner, repo: saved.repo, deploymentId: saved.deploymentId }, app.log);
  }, (file, error) => app.log.error({ err: error, file }, "could not restore a deployment waiting for CI"));
  if (restored > 0) app.log.info(`restored ${restored} deployments waiting for CI`);
}
