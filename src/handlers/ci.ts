/**
 * `status`, `check_suite`, `check_run`, `workflow_run` and `push`: CI moved
 * on a commit. Handled after the webhook is answered: parked deployments of
 * it wake up, and when CI has settled on a branch head, auto-deploy planning
 * runs. Only the planning needs the event kept on disk before the answer: a
 * lost wake-up costs nothing, since a restarted heaven re-checks CI for
 * every parked deployment.
 */
import type { ProviderSchemas } from "../decisions/resolve-config.js";
import type { Context } from "probot";
import { laneOf } from "../core/job.js";
import { isFullSha } from "../core/sha.js";
import { readCiEvent, type CiEvent, type CiEventName } from "../decisions/read-ci-event.js";
import { autoDeployOnGreen } from "../github/auto-deploy.js";
import type { OutboxWriter } from "../github/outbox.js";
import { PlanQueue } from "../github/plan-queue.js";
import { installationToken } from "../github/github-sources.js";
import { prefetchPushed } from "../github/prefetch-pushed.js";
import type { DeferredHandler } from "../github/webhook-intake.js";
import type { Deployer } from "../pipeline/deployer.js";

export interface CiHandlerOptions {
  deployer: Deployer;
  outbox: OutboxWriter;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
}

type CiPayload = Context<CiEventName | "push">["payload"];

/** A push is treated like settled CI on the pushed head, so repositories without CI auto-deploy too. */
export function pushAsCiEvent(payload: { after?: unknown; ref?: unknown; deleted?: unknown }): CiEvent | undefined {
  if (payload.deleted === true || typeof payload.after !== "string" || !isFullSha(payload.after)) return undefined;
  if (typeof payload.ref !== "string" || !payload.ref.startsWith("refs/heads/")) return undefined;
  return { sha: payload.after, branches: [payload.ref.slice("refs/heads/".length)], completed: true };
}

/** Resolves once `plan` has run, or at once when the same commit's planning already waits (that one covers it). */
function planned(plans: PlanQueue, repository: string, sha: string, plan: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!plans.schedule(repository, sha, () => plan().then(resolve), reject)) resolve();
  });
}

export function handleCiEvent(options: CiHandlerOptions) {
  const plans = new PlanQueue();

  return (name: CiEventName | "push"): DeferredHandler<CiPayload> => {
    // Only settled CI can change a verdict that was "pending".
    const settled = (payload: CiPayload) => {
      const event = name === "push" ? pushAsCiEvent(payload as { after?: unknown; ref?: unknown; deleted?: unknown }) : readCiEvent(name, payload);
      return event?.completed === true ? event : undefined;
    };
    return {
      keep: (payload) => {
        const event = settled(payload);
        if (event === undefined) return "drop";
        return event.branches.length > 0 && payload.installation !== undefined ? "disk" : "memory";
      },
      handle: async ({ payload, octokit, log }) => {
        const event = settled(payload);
        if (event === undefined) return;
        const { repository, installation } = payload;
        // Not awaited: planning must not wait on git; the deployment's own checkout waits for it (one fetch per cache at a time).
        if (name === "push") void prefetchPushed(options.deployer.workspaces, { repository, sha: event.sha }, installationToken(octokit), log);
        const woken = await options.deployer.ciSettled(repository.full_name, event.sha);
        if (woken > 0) log.info({ sha: event.sha, woken }, "CI settled: parked deployments re-checked");
        if (event.branches.length === 0 || installation === undefined) return;

        const io = {
          octokit,
          owner: repository.full_name.split("/")[0] ?? "",
          repo: repository.name,
          defaultBranch: repository.default_branch,
          providers: options.providers,
          defaultTimeoutSeconds: options.defaultTimeoutSeconds,
          installationId: installation.id,
          log,
          outbox: options.outbox,
          inFlight: (environment: string) => options.deployer.shasInFlight(laneOf(repository.full_name, environment)),
        };
        await planned(plans, repository.full_name, event.sha, () => autoDeployOnGreen(io, event));
      },
    };
  };
}
