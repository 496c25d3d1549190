/**
 * The checks each parked deployment waits for, as heaven last said them
 * (`waiting-for-ci`): an event sink, so the release-state API can show them
 * without reading CI from GitHub. Forgotten once the deployment moves on
 * (a lock wait, its start or its end); after a restart a parked job shows none until it checks CI again.
 */
import type { DeploymentEvent, EventSink } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";

export class ParkedChecks implements EventSink {
  private readonly waiting = new Map<string, readonly string[]>();

  async publish(job: DeploymentJob, event: DeploymentEvent): Promise<void> {
    if (event.type === "waiting-for-ci") this.waiting.set(job.key, [...event.waiting]);
    // Anything else it does next (waits for a lock, starts, ends) means it no longer waits for those checks.
    else if (event.type !== "configured") this.waiting.delete(job.key);
  }

  of(jobKey: string): readonly string[] | undefined {
    return this.waiting.get(jobKey);
  }
}
