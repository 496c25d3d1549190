/**
 * `status`, `check_suite`, `check_run`, `workflow_run` and `push`: CI moved
 * on a commit. Parked deployments of it wake up; when CI has settled on a
 * branch head, auto-deploy planning runs after the webhook is answered.
 */
import type { ProviderSchemas } from "../decisions/resolve-config.js";
import type { Context } from "probot";
import { laneOf } from "../core/job.js";
import { isFullSha } from "../core/sha.js";
import { readCiEvent, type CiEvent, type CiEventName } from "../decisions/read-ci-event.js";
import { autoDeployOnGreen } from "../github/auto-deploy.js";
import type { OutboxWriter } from "../github/outbox.js";
import { PlanQueue } from "../github/plan-queue.js";
import type { Deployer } from "../pipeline/deployer.js";

export interface CiHandlerOptions {
  deployer: Deployer;
  outbox: OutboxWriter;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
}

/** A push is treated like settled CI on the pushed head, so repositories without CI auto-deploy too. */
export function pushAsCiEvent(payload: { after?: unknown; ref?: unknown; deleted?: unknown }): CiEvent | undefined {
  if (payload.deleted === true || typeof payload.after !== "string" || !isFullSha(payload.after)) return undefined;
  if (typeof payload.ref !== "string" || !payload.ref.startsWith("refs/heads/")) return undefined;
  return { sha: payload.after, branches: [payload.ref.slice("refs/heads/".length)], completed: true };
}

export function handleCiEvent(options: CiHandlerOptions) {
  const plans = new PlanQueue();

  return (name: CiEventName | "push") =>
    async (context: Context<CiEventName | "push">): Promise<void> => {
      const event = name === "push" ? pushAsCiEvent(context.payload as { after?: unknown; ref?: unknown; deleted?: unknown }) : readCiEvent(name, context.payload);
      const { repository, installation } = context.payload;
      // Only settled CI can change a verdict that was "pending".
      if (event === undefined || !event.completed) return;
      const woken = await options.deployer.ciSettled(repository.full_name, event.sha);
      if (woken > 0) context.log.info({ sha: event.sha, woken }, "CI settled: parked deployments re-checked");
      if (event.branches.length === 0 || installation === undefined) return;

      const io = {
        octokit: context.octokit,
        owner: repository.full_name.split("/")[0] ?? "",
        repo: repository.name,
        defaultBranch: repository.default_branch,
        providers: options.providers,
        defaultTimeoutSeconds: options.defaultTimeoutSeconds,
        installationId: installation.id,
        log: context.log,
        outbox: options.outbox,
        inFlight: (environment: string) => options.deployer.shasInFlight(laneOf(repository.full_name, environment)),
      };
      plans.schedule(
        repository.full_name,
        event.sha,
        () => autoDeployOnGreen(io, event),
        (error) => context.log.error({ err: error, sha: event.sha }, "auto-deploy planning failed"),
      );
    };
}
