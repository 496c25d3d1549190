/**
 * A deployment event as the one pull-request reply people watch: queued
 * (position, behind whom), waiting for CI, running (the live log), done or
 * failed (duration, environment, what to do next). Pure. Each body is the
 * whole comment: the outbox edits the reply to the newest one.
 */
import type { ProgressEvent, QueuePosition } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { describeOutcome } from "./describe-outcome.js";
import { listNames } from "./text.js";

export interface RenderedReply {
  body: string;
  /** The last word: never skipped for a later one. */
  final: boolean;
  /** The same event twice renders the same key (one write). */
  key: string;
}

const ICON = { success: "✅", failure: "❌", error: "⚠️", inactive: "⏭️" } as const;

function position(job: DeploymentJob, at: QueuePosition): string {
  if (at.kind === "workers") return `waiting for a free worker (${at.busy} ${at.busy === 1 ? "deployment" : "deployments"} ahead)`;
  const { running } = at;
  const whose = running.creator === undefined ? running.label : `@${running.creator}'s deploy${running.sha === undefined ? "" : ` of ${running.sha.slice(0, 7)}`}`;
  const behind = at.ahead > 0 ? ` and ${at.ahead} more` : "";
  return `#${at.ahead + 2} for ${job.request.environment}, behind ${whose}${behind}`;
}

function what(job: DeploymentJob): string {
  const { request } = job;
  return `${request.ref} (\`${request.sha.slice(0, 7)}\`) to **${request.environment}**`;
}

export function renderReply(job: DeploymentJob, event: ProgressEvent, logUrl: string): RenderedReply {
  const log = logUrl === "" ? "" : ` · [log](${logUrl})`;
  const lines = (...parts: string[]) => [...parts, `<!-- heaven:${job.key} -->`].join("\n\n");
  switch (event.type) {
    case "queued":
      return { body: lines(`⏳ Queued: ${what(job)} — ${position(job, event.position)}${log}`), final: false, key: `queued:${event.position.kind}` };
    case "waiting-for-ci":
      return {
        body: lines(`⏳ Waiting for CI on \`${event.sha.slice(0, 7)}\`: ${listNames(event.waiting)}${log}`),
        final: false,
        key: `ci:${event.waiting.join(",")}`,
      };
    case "waiting-for-unlock": {
      const { holder } = event;
      const until = new Date(event.deadline).toISOString().slice(0, 16).replace("T", " ");
      return {
        body: lines(`🔒 Waiting: ${what(job)} is locked by @${holder.owner} (${holder.reason}); heaven deploys when the lock goes, or gives up at ${until} UTC${log}`),
        final: false,
        key: `unlock:${holder.recordId}`,
      };
    }
    case "started": {
      const forced = event.forcedOver === undefined ? "" : ` (forced past @${event.forcedOver.owner}'s lock)`;
      return { body: lines(`🚀 Deploying ${what(job)}${forced} — [live log](${logUrl})`), final: false, key: "started" };
    }
    case "finished": {
      const status = describeOutcome(event.outcome);
      const environment = event.environmentUrl === undefined ? "" : ` · [${event.environmentUrl}](${event.environmentUrl})`;
      // On a pull request the way out is a comment, not a deployment task.
      const next = event.outcome.kind === "environment-locked" ? [`Ask @${event.outcome.holder.owner} to comment \`/unlock ${event.outcome.environment}\`, or force it with \`/deploy! to ${event.outcome.environment}\`.`] : [];
      return { body: lines(`${ICON[status.state]} ${what(job)}: ${status.description}${log}${environment}`, ...next), final: true, key: "final" };
    }
  }
}
