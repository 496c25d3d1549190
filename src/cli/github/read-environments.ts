/**
 * What `wcid` and `deploys` show, read from GitHub's records the way the
 * server reads them: locks replayed by lock-state.ts with each environment's
 * lock_ttl from .github/heaven.yml, the deployed ref from the newest
 * successful deploy, and what waits from the latest status of newer ones
 * (queued, parked on CI, running). One list, one config read, a few status reads.
 */
import type { DeploymentRecord } from "../../core/record.js";
import { isDeployTask } from "../../decisions/is-deploy-task.js";
import { currentLockState, ownerOf } from "../../decisions/lock-state.js";
import type { DeploymentView, EnvironmentView } from "../../decisions/render-command-reply.js";
import { configuredEnvironments } from "../../decisions/resolve-config.js";
import { toRecord } from "../../github/deployments-api.js";
import { loadHeavenConfig } from "../../github/load-heaven-config.js";
import type { CliOctokit } from "./client.js";
import { toSeen, type SeenStatus } from "./follow-statuses.js";
import type { RepoTarget } from "./target.js";

/** Deploys looked at per environment for what is deployed and what waits. */
const LOOKED_AT = 5;
const WAITING: Record<string, EnvironmentView["queue"][number]["state"]> = { queued: "queued", pending: "parked", in_progress: "running" };

export async function listRecords(octokit: CliOctokit, target: RepoTarget, environment?: string): Promise<DeploymentRecord[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { ...target, per_page: 100, ...(environment === undefined ? {} : { environment }) });
  return (Array.isArray(data) ? data : []).map(toRecord).filter((r): r is DeploymentRecord => r !== undefined);
}

export async function latestStatus(octokit: CliOctokit, target: RepoTarget, id: number): Promise<SeenStatus | undefined> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...target, deployment_id: id, per_page: 1 });
  return Array.isArray(data) ? toSeen(data[0]) : undefined;
}

export async function readEnvironments(octokit: CliOctokit, target: RepoTarget, defaultBranch: string, now: string): Promise<EnvironmentView[]> {
  const [records, read, { providers }] = await Promise.all([listRecords(octokit, target), loadHeavenConfig(octokit, target), import("../../../providers/index.js")]);
  // The timeout is not shown; only lock_ttl matters here.
  const configured = configuredEnvironments({ file: read.ok ? read.file : null, providers, defaultTimeoutSeconds: 1800 });
  const names = [...new Set([...configured.map((c) => c.name), ...records.map((r) => r.environment)])];
  return Promise.all(
    names.map(async (name): Promise<EnvironmentView> => {
      const mine = records.filter((r) => r.environment === name);
      const ttl = configured.find((c) => c.name === name)?.config.lockTtlSeconds;
      const lock = currentLockState(mine, { defaultBranch, ttlSeconds: ttl }, now);
      const deploys = mine.filter((r) => isDeployTask(r.task)).slice(0, LOOKED_AT);
      const states = await Promise.all(deploys.map((r) => latestStatus(octokit, target, r.id)));
      const successAt = states.findIndex((s) => s?.state === "success");
      const deployedRecord = successAt === -1 ? undefined : deploys[successAt];
      const queue = deploys.flatMap((record, i) => {
        const status = states[i];
        const state = status === undefined ? undefined : WAITING[status.state];
        if (state === undefined || (successAt !== -1 && i > successAt)) return [];
        return [{ state, label: `${record.ref} ${record.sha.slice(0, 7)} by @${ownerOf(record)}${status?.description ? `: ${status.description}` : ""}` }];
      });
      const deployed = deployedRecord === undefined ? undefined : { ref: deployedRecord.ref, sha: deployedRecord.sha, by: ownerOf(deployedRecord), at: deployedRecord.createdAt };
      return { name, deployed, lock: lock.kind === "locked" ? lock.lock : undefined, queue };
    }),
  );
}

/** The newest deploys (all environments, or one) with their latest states. */
export async function readRecentDeploys(octokit: CliOctokit, target: RepoTarget, environment: string | undefined, shown: number): Promise<DeploymentView[]> {
  const deploys = (await listRecords(octokit, target, environment)).filter((r) => isDeployTask(r.task)).slice(0, shown);
  const states = await Promise.all(deploys.map((r) => latestStatus(octokit, target, r.id)));
  return deploys.map((r, i) => ({ id: r.id, environment: r.environment, ref: r.ref, sha: r.sha, by: ownerOf(r), at: r.createdAt, state: states[i]?.state }));
}
