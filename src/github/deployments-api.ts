/**
 * The Deployments, Compare and Merges APIs, as the core's sources need them:
 * an environment's records (locks are replayed from them), their status
 * history (rollback), creating deployments, and merging the default branch.
 */
import { isObject } from "../core/json.js";
import type { DeploymentRecord, RecordWithStates } from "../core/record.js";
import { isDeployTask } from "../decisions/is-deploy-task.js";
import { deploymentPayload } from "../decisions/read-deployment.js";
import type { MergeResult, NewDeployment } from "../core/sources.js";

export interface RequestApi {
  request(route: string, params: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}

interface RepoTarget {
  owner: string;
  repo: string;
}

const str = (value: unknown, fallback = ""): string => (typeof value === "string" ? value : fallback);

/** A deployments API item, read defensively. */
export function toRecord(item: unknown): DeploymentRecord | undefined {
  if (!isObject(item) || typeof item.id !== "number") return undefined;
  const creator = isObject(item.creator) ? item.creator : {};
  const payload = deploymentPayload(item.payload);
  return {
    id: item.id,
    sha: str(item.sha),
    ref: str(item.ref),
    task: str(item.task, "deploy"),
    environment: str(item.environment),
    createdAt: str(item.created_at),
    creator: { login: str(creator.login, "unknown"), type: str(creator.type, "User") },
    payload,
    description: typeof item.description === "string" ? item.description : null,
  };
}

/** The environment's newest 100 deployments of every task: one call. */
export async function listEnvironmentRecords(api: RequestApi, target: RepoTarget, environment: string): Promise<DeploymentRecord[]> {
  const { data } = await api.request("GET /repos/{owner}/{repo}/deployments", { ...target, environment, per_page: 100 });
  return (Array.isArray(data) ? data : []).map(toRecord).filter((r): r is DeploymentRecord => r !== undefined);
}

/** Records plus every status state each got: one call per record, so only for rollbacks. */
export async function listEnvironmentHistory(api: RequestApi, target: RepoTarget, environment: string): Promise<RecordWithStates[]> {
  const records = await listEnvironmentRecords(api, target, environment);
  const deploys = records.filter((r) => isDeployTask(r.task));
  const history: RecordWithStates[] = [];
  // Newest first: the target is almost always among the first few.
  for (const record of deploys.slice(0, 30)) {
    const { data } = await api.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      ...target,
      deployment_id: record.id,
      per_page: 100,
    });
    const states = (Array.isArray(data) ? data : []).map((s) => (isObject(s) ? str(s.state) : ""));
    history.push({ record, states });
    // Enough once a success with a different sha than the newest success is known.
    const succeeded = history.filter((h) => h.states.includes("success"));
    if (succeeded.some((h) => h.record.sha !== succeeded[0]?.record.sha)) break;
  }
  return history;
}

/** The body of a deployment heaven has already vetted: no auto-merge, no required contexts (heaven checks CI itself). */
export function newDeploymentParams(target: RepoTarget, deployment: NewDeployment): Record<string, unknown> {
  return {
    ...target,
    ref: deployment.ref,
    environment: deployment.environment,
    task: deployment.task,
    payload: deployment.payload,
    description: deployment.description,
    auto_merge: false,
    required_contexts: [],
    production_environment: deployment.environment === "production",
  };
}

export async function createDeployment(api: RequestApi, target: RepoTarget, deployment: NewDeployment): Promise<{ id: number }> {
  const { status, data } = await api.request("POST /repos/{owner}/{repo}/deployments", newDeploymentParams(target, deployment));
  if (status !== 201 || !isObject(data) || typeof data.id !== "number") {
    throw new Error(`GitHub did not create the deployment: ${isObject(data) ? str(data.message, `HTTP ${status}`) : `HTTP ${status}`}`);
  }
  return { id: data.id };
}

/** GitHub's compare of `base...head`: how `head` relates to `base`, and how many commits it has that `base` lacks. */
export async function compareCommits(api: RequestApi, target: RepoTarget, base: string, head: string): Promise<{ status: string; aheadBy: number }> {
  const { data } = await api.request("GET /repos/{owner}/{repo}/compare/{basehead}", { ...target, basehead: `${base}...${head}`, per_page: 1 });
  const body = isObject(data) ? data : {};
  return { status: str(body.status, "diverged"), aheadBy: typeof body.ahead_by === "number" ? body.ahead_by : 0 };
}

/**
 * Merges the default branch into `branch` when `sha` is behind it: a read
 * (compare) always, a write only when there is something to merge.
 */
export async function mergeDefaultBranch(api: RequestApi, target: RepoTarget, branch: string, defaultBranch: string, sha: string): Promise<MergeResult> {
  // Commits the default branch has that `sha` lacks.
  const { aheadBy: behind } = await compareCommits(api, target, sha, defaultBranch);
  if (behind === 0) return { kind: "up-to-date" };
  try {
    const merged = await api.request("POST /repos/{owner}/{repo}/merges", {
      ...target,
      base: branch,
      head: defaultBranch,
      commit_message: `Merge ${defaultBranch} into ${branch} (heaven, before deploying)`,
    });
    if (merged.status === 204) return { kind: "up-to-date" };
    const mergedSha = isObject(merged.data) ? str(merged.data.sha) : "";
    return mergedSha !== "" ? { kind: "merged", sha: mergedSha } : { kind: "not-mergeable", reason: "GitHub returned no merge commit" };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 409) return { kind: "conflict" };
    if (status === 404 || status === 422) return { kind: "not-mergeable", reason: `${branch} is not a branch GitHub can merge into (HTTP ${status})` };
    throw error;
  }
}
