/**
 * The pull-request reply sink: a deployment heaven made from a comment gets
 * one reply on that pull request, edited in place as it moves (through the
 * outbox: durable, paced, the bodies a newer one supersedes skipped).
 */
import type { DeploymentEvent, EventSink } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { renderReply } from "../decisions/render-reply.js";
import type { OutboxWriter } from "./outbox.js";
import { COMMENT_ROUTE } from "./outbox-state.js";

export class PullRequestReplySink implements EventSink {
  constructor(private readonly outbox: OutboxWriter) {}

  async publish(job: DeploymentJob, event: DeploymentEvent, logUrl: string): Promise<void> {
    const { origin } = job;
    if (origin.kind !== "github" || origin.comment === undefined || event.type === "configured") return;
    const reply = renderReply(job, event, logUrl);
    const group = `reply:${origin.owner}/${origin.repo}:${origin.deploymentId}`;
    await this.outbox.add({
      key: `${group}:${reply.key}`,
      group,
      installationId: origin.installationId,
      supersedable: !reply.final,
      route: COMMENT_ROUTE,
      params: { owner: origin.owner, repo: origin.repo, issue_number: origin.comment.number, body: reply.body },
    });
  }
}
