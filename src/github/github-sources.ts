/**
 * The core's sources for a deployment GitHub asked for, built from an
 * installation's Octokit. Needs no webhook context, so a job restored from
 * the journal after a restart reads GitHub the same way.
 */
import type { DeploymentSources, NewDeployment } from "../core/sources.js";
import { describeGitHubError } from "./describe-github-error.js";
import { createDeployment, listEnvironmentHistory, listEnvironmentRecords, mergeDefaultBranch, type RequestApi } from "./deployments-api.js";
import { getCiState, type CiApi } from "./get-ci-state.js";
import { getTarballUrl } from "./get-tarball-url.js";
import { loadHeavenConfig, type ConfigApi } from "./load-heaven-config.js";

export type InstallationOctokit = RequestApi &
  CiApi &
  ConfigApi & { auth(options: { type: "installation" }): Promise<unknown> };

export interface RepositoryTarget {
  owner: string;
  repo: string;
}

/** A failed read or write says what heaven was doing and the real cause (not "HTTP 500" for a refused connection). */
function saying<A extends unknown[], R>(what: string, call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await call(...args);
    } catch (error) {
      throw new Error(`${what}: ${describeGitHubError(error)}`, { cause: error });
    }
  };
}

/** The installation's token, for git: its Octokit refreshes it and asks GHE_HOST, not api.github.com. */
export const installationToken = (octokit: Pick<InstallationOctokit, "auth">) => async () => ((await octokit.auth({ type: "installation" })) as { token?: string }).token;

export function githubSources(octokit: InstallationOctokit, target: RepositoryTarget): DeploymentSources {
  return {
    loadConfig: () => loadHeavenConfig(octokit, target),
    ciState: saying("reading CI", (sha: string) => getCiState(octokit, { ...target, sha })),
    gitToken: saying("getting a token to fetch with", installationToken(octokit)),
    environmentRecords: saying("reading the environment's deployments", (environment: string) => listEnvironmentRecords(octokit, target, environment)),
    environmentHistory: saying("reading the environment's history", (environment: string) => listEnvironmentHistory(octokit, target, environment)),
    createDeployment: saying("creating a deployment", (deployment: NewDeployment) => createDeployment(octokit, target, deployment)),
    tarballUrl: saying("asking GitHub for the source tarball", (sha: string) => getTarballUrl(octokit, target, sha)),
    mergeDefaultBranch: saying("merging the default branch", (branch: string, defaultBranch: string, sha: string) =>
      mergeDefaultBranch(octokit, target, branch, defaultBranch, sha),
    ),
  };
}
