/**
 * What a notification sink remembers of a deployment between its events:
 * the repository's notification settings (from the `configured` event), when
 * it started, and the sha deployed before it. In memory, bounded, forgotten
 * when it finishes; a deployment heaven did not see configured (it was
 * running when heaven restarted) is not notified.
 */
import type { NotifyConfig } from "../core/config.js";
import type { DeploymentEvent, ProgressEvent } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { describeNotification, type Notice } from "../decisions/describe-notification.js";
import type { DeployedShas } from "./deployed-shas.js";

interface Followed {
  notify: NotifyConfig;
  previousSha: string | undefined;
  startedAt: number | undefined;
}

/** Deployments configured and not finished (parked ones included); the oldest are forgotten first. */
const LIMIT = 1_000;

export interface TrackerOptions {
  deployed: DeployedShas;
  githubUrl: string;
  now: () => number;
}

export class NoticeTracker {
  private readonly jobs = new Map<string, Followed>();

  constructor(private readonly options: TrackerOptions) {}

  /** What it recorded as deployed is on disk. */
  flushed(): Promise<void> {
    return this.options.deployed.flushed();
  }

  /** The notice an event makes, and the settings it goes out by; undefined: there is nothing to tell. */
  follow(job: DeploymentJob, event: DeploymentEvent, logUrl: string): { notice: Notice; notify: NotifyConfig; event: ProgressEvent } | undefined {
    const now = this.options.now();
    if (event.type === "configured") {
      this.jobs.delete(job.key);
      this.jobs.set(job.key, { notify: event.notify, previousSha: this.options.deployed.get(job.lane), startedAt: undefined });
      for (const oldest of this.jobs.keys()) {
        if (this.jobs.size <= LIMIT) break;
        this.jobs.delete(oldest);
      }
      return undefined;
    }
    const followed = this.jobs.get(job.key);
    if (followed === undefined) return undefined;
    if (event.type === "started") followed.startedAt = now;
    if (event.type === "finished") {
      this.jobs.delete(job.key);
      if (event.outcome.kind === "succeeded") this.options.deployed.record(job.lane, job.request.sha, now);
    }
    const notice = describeNotification(job, event, { logUrl, now, startedAt: followed.startedAt, previousSha: followed.previousSha, githubUrl: this.options.githubUrl });
    return notice === undefined ? undefined : { notice, notify: followed.notify, event };
  }
}
