/**
 * The GitHub sink: a deployment's events become deployment statuses, written
 * through the outbox (on disk before anyone is told, delivered in order,
 * retried through outages, superseded intermediate statuses dropped).
 */
import type { DeploymentEvent, EventSink } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { renderStatus, type RenderedStatus } from "../decisions/render-status.js";
import type { OutboxWrite, OutboxWriter } from "./outbox.js";

export interface DeploymentTarget {
  installationId: number;
  owner: string;
  repo: string;
  deploymentId: number;
}

/** The outbox write for one status of a deployment; its key makes the same status twice one write. */
export function deploymentStatusWrite(target: DeploymentTarget, status: Omit<RenderedStatus, "environmentUrl"> & { environmentUrl?: string | undefined }, logUrl: string): OutboxWrite {
  const { installationId, owner, repo, deploymentId } = target;
  return {
    key: `deployment:${deploymentId}:${status.key}`,
    group: `deployment:${deploymentId}`,
    installationId,
    supersedable: !status.final,
    route: "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    params: {
      owner,
      repo,
      deployment_id: deploymentId,
      state: status.state,
      description: status.description,
      log_url: logUrl,
      ...(status.environmentUrl !== undefined ? { environment_url: status.environmentUrl } : {}),
    },
  };
}

export class GitHubStatusSink implements EventSink {
  constructor(private readonly outbox: OutboxWriter) {}

  async publish(job: DeploymentJob, event: DeploymentEvent, logUrl: string): Promise<void> {
    if (job.origin.kind !== "github" || event.type === "configured") return;
    await this.outbox.add(deploymentStatusWrite(job.origin, renderStatus(job, event), logUrl));
  }
}
