/**
 * The core's sources for a deployment GitHub asked for, built from an
 * installation's Octokit. Needs no webhook context, so a job restored from
 * the journal after a restart reads GitHub the same way.
 */
import type { DeploymentSources } from "../core/sources.js";
import { createDeployment, listEnvironmentHistory, listEnvironmentRecords, mergeDefaultBranch, type RequestApi } from "./deployments-api.js";
import { getCiState, type CiApi } from "./get-ci-state.js";
import { loadHeavenConfig, type ConfigApi } from "./load-heaven-config.js";

export type InstallationOctokit = RequestApi &
  CiApi &
  ConfigApi & { auth(options: { type: "installation" }): Promise<unknown> };

export interface RepositoryTarget {
  owner: string;
  repo: string;
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
