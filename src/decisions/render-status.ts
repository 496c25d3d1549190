/**
 * A deployment event in words: the GitHub deployment status state and the
 * one-line description people read (140 characters at most), for every sink
 * that speaks in statuses. Pure.
 */
import type { ProgressEvent, QueuePosition } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { describeOutcome } from "./describe-outcome.js";
import { truncate } from "./text.js";

export type StatusState = "queued" | "pending" | "in_progress" | "success" | "failure" | "error" | "inactive";

export interface RenderedStatus {
  state: StatusState;
  description: string;
  environmentUrl: string | undefined;
  /** The last word on the deployment: never dropped in favour of a later one. */
  final: boolean;
  /** Tells two statuses of one deployment apart: the same event twice renders the same key. */
  key: string;
}

function describePosition(position: QueuePosition): string {
  if (position.kind === "lane") {
    const more = position.ahead > 0 ? ` and ${position.ahead} more queued before it` : "";
    return `waiting for ${position.running.label}${more}`;
  }
  const { busy, concurrency } = position;
  return `waiting for a free worker: ${busy} ${busy === 1 ? "deployment" : "deployments"} ahead (concurrency ${concurrency})`;
}

export function renderStatus(job: DeploymentJob, event: ProgressEvent): RenderedStatus {
  const { request } = job;
  switch (event.type) {
    case "queued":
      return { state: "queued", description: truncate(describePosition(event.position)), environmentUrl: undefined, final: false, key: "queued" };
    case "waiting-for-ci": {
      const description = truncate(`waiting for CI on ${event.sha.slice(0, 7)}: ${event.waiting.join(", ")}`);
      // A second wait with the same checks says nothing new: same key, no second write.
      return { state: "pending", description, environmentUrl: undefined, final: false, key: `pending:${description}` };
    }
    case "waiting-for-unlock": {
      const { holder } = event;
      const description = truncate(`waiting for @${holder.owner}'s lock on ${request.environment} (${holder.reason}) to go, until ${new Date(event.deadline).toISOString().slice(11, 16)} UTC`);
      return { state: "queued", description, environmentUrl: undefined, final: false, key: `unlock:${holder.recordId}` };
    }
    case "started": {
      const forced = event.forcedOver === undefined ? "" : `, forced past @${event.forcedOver.owner}'s lock`;
      const description = truncate(`deploying ${request.ref} (${event.sha.slice(0, 7)}) to ${request.environment}${forced}`);
      return { state: "in_progress", description, environmentUrl: event.environmentUrl, final: false, key: "in_progress" };
    }
    case "finished": {
      const { state, description } = describeOutcome(event.outcome);
      return { state, description, environmentUrl: event.environmentUrl, final: true, key: "final" };
    }
  }
}
