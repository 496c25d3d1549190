/**
 * The core's sources and reporter for a deployment GitHub asked for, built
 * from an installation's Octokit. Used for live webhooks and for parked
 * deployments restored after a restart (which is why it needs no context).
 */
import type { DeploymentSources } from "../core/sources.js";
import { DeploymentStatusReporter, type DeploymentStatusApi, type Logger } from "./deployment-status-reporter.js";
import { createDeployment, listEnvironmentHistory, listEnvironmentRecords, mergeDefaultBranch, type RequestApi } from "./deployments-api.js";
import { getCiState, type CiApi } from "./get-ci-state.js";
import { loadHeavenConfig, type ConfigApi } from "./load-heaven-config.js";

export type InstallationOctokit = RequestApi &
  CiApi &
  DeploymentStatusApi &
  ConfigApi & { auth(options: { type: "installation" }): Promise<unknown> };

export interface RepositoryTarget {
  owner: string;
  repo: string;
}

/** What a parked deployment journals so it can be rebuilt after a restart. */
export interface GitHubResume {
  installationId: number;
  owner: string;
  repo: string;
  deploymentId: number;
}

export function githubSources(octokit: InstallationOctokit, target: RepositoryTarget): DeploymentSources {
  return {
    loadConfig: () => loadHeavenConfig(octokit, target),
    ciState: (sha) => getCiState(octokit, { ...target, sha }),
    gitToken: async () => ((await octokit.auth({ type: "installation" })) as { token?: string }).token,
    environmentRecords: (environment) => listEnvironmentRecords(octokit, target, environment),
    environmentHistory: (environment) => listEnvironmentHistory(octokit, target, environment),
    createDeployment: (deployment) => createDeployment(octokit, target, deployment),
    mergeDefaultBranch: (branch, defaultBranch, sha) => mergeDefaultBranch(octokit, target, branch, defaultBranch, sha),
  };
}

export function githubSubmissionIo(octokit: InstallationOctokit, target: RepositoryTarget & { deploymentId: number }, log: Logger) {
  return {
    // Only the repository: the deployment id is no parameter of the requests the sources make.
    sources: githubSources(octokit, { owner: target.owner, repo: target.repo }),
    reporter: new DeploymentStatusReporter(octokit, target, log),
  };
}
