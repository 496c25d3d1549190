/**
 * Auto-deploy on green, GitHub side: when CI settles on a branch head, plan
 * per environment (pure: plan-auto-deploy) and create deployments through the
 * Deployments API. They then flow through the normal pipeline.
 */
import { HEAVEN_CONTEXT_PREFIX } from "../core/ci.js";
import { evaluateCi } from "../decisions/ci-gate.js";
import { currentLockState } from "../decisions/lock-state.js";
import { decideAfterCompare, planAutoDeploy, type AutoDeployDecision } from "../decisions/plan-auto-deploy.js";
import type { CiEvent } from "../decisions/read-ci-event.js";
import { configuredEnvironments, type ProviderSchemas } from "../decisions/resolve-config.js";
import { truncate } from "../decisions/text.js";
import { compareCommits, createDeployment, listEnvironmentRecords, type RequestApi } from "./deployments-api.js";
import { getCiState, type CiApi } from "./get-ci-state.js";
import { loadHeavenConfig, type ConfigApi } from "./load-heaven-config.js";
import type { OutboxWriter } from "./outbox.js";

export interface AutoDeployIo {
  octokit: RequestApi & CiApi & ConfigApi;
  owner: string;
  repo: string;
  defaultBranch: string;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  installationId: number;
  log: { info(object: object, message: string): void };
  /** Skip explanations go through it; its keys make a flood of CI events post one status per commit and environment. */
  outbox: OutboxWriter;
  /** Shas heaven is already about to deploy to an environment (queued, running, or parked on CI). */
  inFlight: (environment: string) => Promise<readonly string[]>;
}

export const AUTO_DEPLOY_CONTEXT = `${HEAVEN_CONTEXT_PREFIX}auto-deploy`;

async function branchHead(io: AutoDeployIo, branch: string): Promise<string | undefined> {
  try {
    const { data } = await io.octokit.request("GET /repos/{owner}/{repo}/branches/{branch}", { owner: io.owner, repo: io.repo, branch });
    const sha = (data as { commit?: { sha?: unknown } }).commit?.sha;
    return typeof sha === "string" ? sha : undefined;
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return undefined;
    throw error;
  }
}

export async function autoDeployOnGreen(io: AutoDeployIo, event: CiEvent): Promise<void> {
  const target = { owner: io.owner, repo: io.repo };
  const read = await loadHeavenConfig(io.octokit, target);
  if (!read.ok) return;
  const environments = configuredEnvironments({ file: read.file, providers: io.providers, defaultTimeoutSeconds: io.defaultTimeoutSeconds });
  let ci: Awaited<ReturnType<typeof getCiState>> | undefined;

  for (const branch of event.branches) {
    const isDefault = branch === io.defaultBranch;
    const candidates = environments.filter((e) => !isDefault || e.config.autoDeploy);
    let isHead: boolean | undefined;
    for (const { name, config } of candidates) {
      if ((await io.inFlight(name)).includes(event.sha)) continue; // e.g. a parked merge commit that just turned green
      // Cheapest first: the environment's records decide most events (feature-branch CI, locks) without reading CI.
      const records = await listEnvironmentRecords(io.octokit, target, name);
      const lock = currentLockState(records, { defaultBranch: io.defaultBranch, ttlSeconds: config.lockTtlSeconds }, new Date().toISOString());
      const input = { sha: event.sha, branch, defaultBranch: io.defaultBranch, environment: name, autoDeploy: config.autoDeploy, lock, records };
      let decision: AutoDeployDecision = planAutoDeploy(input);
      if (decision.kind === "skip" && !decision.tell) {
        io.log.info({ environment: name, sha: event.sha }, decision.reason);
        continue;
      }
      isHead ??= (await branchHead(io, branch)) === event.sha;
      if (!isHead) break; // only a branch's head ships
      ci ??= await getCiState(io.octokit, { ...target, sha: event.sha });
      if (evaluateCi({ required: config.requiredContexts, ...ci, ignorePrefix: HEAVEN_CONTEXT_PREFIX }).kind !== "green") continue;
      if (decision.kind === "compare") decision = decideAfterCompare((await compareCommits(io.octokit, target, decision.against, event.sha)).status, input);
      if (decision.kind === "skip") {
        io.log.info({ environment: name, sha: event.sha }, decision.reason);
        if (decision.tell) await explainSkip(io, event.sha, name, decision.reason);
        continue;
      }
      const owner = lock.kind === "locked" ? lock.lock.owner : undefined;
      const created = await createDeployment(io.octokit, target, {
        ref: branch,
        environment: name,
        task: "deploy",
        // notify.user keeps a branch lock with its owner when heaven deploys for them.
        payload: { heaven: { auto: true, reason: `CI green on ${branch} at ${event.sha}` }, ...(owner !== undefined ? { notify: { user: owner } } : {}) },
        description: `auto-deploy of ${branch} (${event.sha.slice(0, 7)}): CI is green`,
      });
      io.log.info({ environment: name, sha: event.sha, deploymentId: created.id }, "auto-deploy created");
    }
  }
}

async function explainSkip(io: AutoDeployIo, sha: string, environment: string, reason: string): Promise<void> {
  const repository = `${io.owner}/${io.repo}`;
  await io.outbox.add({
    key: `commit-status:${repository}@${sha}:${AUTO_DEPLOY_CONTEXT}:${environment}`,
    group: `commit:${repository}@${sha}`,
    installationId: io.installationId,
    supersedable: false,
    route: "POST /repos/{owner}/{repo}/statuses/{sha}",
    params: {
      owner: io.owner,
      repo: io.repo,
      sha,
      // success, not failure or pending: the commit is fine, and any other state would make
      // GitHub refuse other people's deployments of it (required_contexts defaults to all contexts).
      state: "success",
      context: AUTO_DEPLOY_CONTEXT,
      description: truncate(reason),
    },
  });
}
