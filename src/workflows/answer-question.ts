/**
 * `/wcid` and `/deploys`: read from GitHub's deployment records (the system
 * of record) and heaven's own queue, never a second copy. One list of the
 * repository's deployments, plus one status read per environment shown.
 */
import { laneOf } from "../core/job.js";
import type { QueueEntry } from "../core/queue.js";
import type { DeploymentRecord } from "../core/record.js";
import { isDeployTask } from "../decisions/is-deploy-task.js";
import { currentLockState, ownerOf } from "../decisions/lock-state.js";
import type { Command } from "../decisions/parse-command.js";
import { renderRecentDeploys, renderWhereCanIDeploy, type EnvironmentView } from "../decisions/render-command-reply.js";
import { configuredEnvironments, type ProviderSchemas } from "../decisions/resolve-config.js";
import { toRecord, type RequestApi } from "../github/deployments-api.js";

export interface QuestionDeps {
  /** heaven's queue, for what waits or runs where. */
  queued(lane: string): Promise<QueueEntry[]>;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
}

interface Asked {
  file: unknown;
  target: { owner: string; repo: string };
  defaultBranch: string;
  octokit: RequestApi;
}

const SHOWN = 10;

export async function answerQuestion(command: Extract<Command, { kind: "wcid" | "deploys" }>, asked: Asked, deps: QuestionDeps): Promise<string> {
  const { target, octokit } = asked;
  const params = { ...target, per_page: 100, ...(command.kind === "deploys" && command.environment !== undefined ? { environment: command.environment } : {}) };
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", params);
  const records = (Array.isArray(data) ? data : []).map(toRecord).filter((r): r is DeploymentRecord => r !== undefined);
  const latest = (record: DeploymentRecord) => latestState(octokit, target, record.id);
  if (command.kind === "deploys") {
    const shown = records.filter((r) => isDeployTask(r.task)).slice(0, SHOWN);
    const states = await Promise.all(shown.map(latest));
    const views = shown.map((r, i) => ({ id: r.id, environment: r.environment, ref: r.ref, sha: r.sha, by: ownerOf(r), at: r.createdAt, state: states[i] }));
    return renderRecentDeploys(command.environment, views);
  }
  const configured = configuredEnvironments({ file: asked.file, providers: deps.providers, defaultTimeoutSeconds: deps.defaultTimeoutSeconds });
  const names = [...new Set([...configured.map((c) => c.name), ...records.map((r) => r.environment)])];
  const now = new Date().toISOString();
  const fullName = `${target.owner}/${target.repo}`;
  const views = await Promise.all(
    names.map(async (name): Promise<EnvironmentView> => {
      const mine = records.filter((r) => r.environment === name);
      const ttl = configured.find((c) => c.name === name)?.config.lockTtlSeconds;
      const lock = currentLockState(mine, { defaultBranch: asked.defaultBranch, ttlSeconds: ttl }, now);
      const deployed = await lastSuccess(mine.filter((r) => isDeployTask(r.task)), latest);
      const queue = (await deps.queued(laneOf(fullName, name))).map((entry) => ({ label: `${entry.job.request.ref} \`${entry.job.request.sha.slice(0, 7)}\` by @${entry.job.request.creator}`, state: entry.state }));
      return { name, lock: lock.kind === "locked" ? lock.lock : undefined, queue, deployed };
    }),
  );
  return renderWhereCanIDeploy(views);
}

/** The newest deploy record whose latest status is success, looking at a few at most. */
async function lastSuccess(records: DeploymentRecord[], latest: (r: DeploymentRecord) => Promise<string | undefined>): Promise<EnvironmentView["deployed"]> {
  for (const record of records.slice(0, 3)) {
    if ((await latest(record)) === "success") return { ref: record.ref, sha: record.sha, by: ownerOf(record), at: record.createdAt };
  }
  return undefined;
}

async function latestState(octokit: RequestApi, target: { owner: string; repo: string }, id: number): Promise<string | undefined> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...target, deployment_id: id, per_page: 1 });
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  return typeof first === "object" && first !== null && "state" in first && typeof first.state === "string" ? first.state : undefined;
}
