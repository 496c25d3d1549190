/**
 * A pull request was merged or closed: release the environment locks its
 * branch holds, by creating `deploy:unlock` deployments that say why. They
 * flow through the pipeline like any unlock, so the answer is a status.
 */
import { currentLockState } from "../decisions/lock-state.js";
import { UNLOCK_TASK } from "../core/record.js";
import { configuredEnvironments, type ProviderSchemas } from "../decisions/resolve-config.js";
import { listEnvironmentRecords, newDeploymentParams, toRecord, type RequestApi } from "./deployments-api.js";
import { loadHeavenConfig, type ConfigApi } from "./load-heaven-config.js";
import type { OutboxWriter } from "./outbox.js";

export interface ReleaseIo {
  octokit: RequestApi & ConfigApi;
  owner: string;
  repo: string;
  defaultBranch: string;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  installationId: number;
  /** The unlock is a write heaven must not lose: it goes through the outbox, once per lock. */
  outbox: OutboxWriter;
}

export async function releaseBranchLocks(io: ReleaseIo, pull: { branch: string; number: number; merged: boolean; actor: string }): Promise<string[]> {
  const target = { owner: io.owner, repo: io.repo };
  const read = await loadHeavenConfig(io.octokit, target);
  const configured = read.ok ? configuredEnvironments({ file: read.file, providers: io.providers, defaultTimeoutSeconds: io.defaultTimeoutSeconds }) : [];
  // Where the branch was deployed: one call finds every environment it could lock.
  const { data } = await io.octokit.request("GET /repos/{owner}/{repo}/deployments", { ...target, ref: pull.branch, per_page: 100 });
  const deployedTo = (Array.isArray(data) ? data : []).map(toRecord).flatMap((r) => (r === undefined ? [] : [r.environment]));
  const environments = [...new Set(deployedTo)];
  const reason = `pull request #${pull.number} ${pull.merged ? "merged" : "closed"}`;
  const released: string[] = [];
  for (const environment of environments) {
    const ttlSeconds = configured.find((e) => e.name === environment)?.config.lockTtlSeconds;
    const records = await listEnvironmentRecords(io.octokit, target, environment);
    const state = currentLockState(records, { defaultBranch: io.defaultBranch, ttlSeconds }, new Date().toISOString());
    if (state.kind !== "locked" || state.lock.kind !== "branch" || state.lock.branch !== pull.branch) continue;
    await io.outbox.add({
      key: `unlock:${io.owner}/${io.repo}#${environment}:lock-${state.lock.recordId}`,
      group: `repository:${io.owner}/${io.repo}`,
      installationId: io.installationId,
      supersedable: false,
      route: "POST /repos/{owner}/{repo}/deployments",
      params: newDeploymentParams(target, {
        ref: io.defaultBranch,
        environment,
        task: UNLOCK_TASK,
        payload: { reason, actor: pull.actor, heaven: { releases_branch: pull.branch } },
        description: reason,
      }),
    });
    released.push(environment);
  }
  return released;
}
