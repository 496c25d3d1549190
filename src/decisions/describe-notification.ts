/**
 * What a notification says about a deployment event, as plain facts every
 * notification renders from (Slack's message, the signed webhook's JSON).
 * Pure: the clock, the start time and the previously deployed sha come in.
 */
import type { NotifyEvent } from "../core/config.js";
import type { ProgressEvent } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { describeOutcome } from "./describe-outcome.js";
import { ownerOf } from "./lock-state.js";
import { renderStatus } from "./render-status.js";

export interface Notice {
  kind: NotifyEvent;
  /** The deployment status state it matches. */
  state: "in_progress" | "success" | "failure" | "error";
  repository: string;
  environment: string;
  ref: string;
  sha: string;
  deploymentId: string;
  task: string;
  /** The person: hubot-deploy's notify.user_name/user, else who created the deployment. */
  by: string;
  /** The status description: what ran and how it ended. */
  description: string;
  /** From the start to this event; undefined when it never started. */
  durationMs: number | undefined;
  logUrl: string;
  environmentUrl: string | undefined;
  /** The sha the environment's last successful deployment shipped, when it differs. */
  previousSha: string | undefined;
  /** GitHub pages, for deployments that came from GitHub. */
  links: { repository: string; commit: string; compare: string | undefined } | undefined;
}

export interface NoticeContext {
  logUrl: string;
  /** Epoch ms of its `started` event, when it had one. */
  startedAt: number | undefined;
  now: number;
  previousSha: string | undefined;
  /** `https://github.com`, or a GitHub Enterprise Server's address. */
  githubUrl: string;
}

/** undefined: nothing a person is told of (queued, waiting, superseded, handed over to a new deployment: a merge, a rollback). */
export function describeNotification(job: DeploymentJob, event: ProgressEvent, context: NoticeContext): Notice | undefined {
  const moment = momentOf(job, event);
  if (moment === undefined) return undefined;
  const { request, origin } = job;
  const previousSha = context.previousSha !== undefined && context.previousSha !== request.sha ? context.previousSha : undefined;
  const repositoryUrl = origin.kind === "github" ? `${context.githubUrl.replace(/\/+$/, "")}/${origin.owner}/${origin.repo}` : undefined;
  const durationMs =
    context.startedAt !== undefined ? Math.max(0, context.now - context.startedAt) : event.type === "finished" && event.outcome.kind === "succeeded" ? event.outcome.durationMs : undefined;
  return {
    ...moment,
    repository: request.repository.fullName,
    environment: request.environment,
    ref: request.ref,
    sha: request.sha,
    deploymentId: request.id,
    task: request.task,
    by: request.record === undefined ? request.creator : ownerOf(request.record),
    durationMs: event.type === "started" ? undefined : durationMs,
    logUrl: context.logUrl,
    environmentUrl: event.type === "started" || event.type === "finished" ? event.environmentUrl : undefined,
    previousSha,
    links:
      repositoryUrl === undefined
        ? undefined
        : {
            repository: repositoryUrl,
            commit: `${repositoryUrl}/commit/${request.sha}`,
            compare: previousSha === undefined ? undefined : `${repositoryUrl}/compare/${previousSha}...${request.sha}`,
          },
  };
}

function momentOf(job: DeploymentJob, event: ProgressEvent): Pick<Notice, "kind" | "state" | "description"> | undefined {
  if (event.type === "started") return { kind: "start", state: "in_progress", description: renderStatus(job, event).description };
  if (event.type !== "finished" || event.outcome.kind === "rollback-created") return undefined;
  const status = describeOutcome(event.outcome);
  if (status.state === "inactive") return undefined;
  return { kind: status.state, state: status.state, description: status.description };
}
