/** The command line's sink: a deployment's events as lines on the terminal, and its outcome for the exit status. */
import type { DeploymentEvent, EventSink } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import type { DeploymentOutcome } from "../core/outcome.js";
import { renderStatus } from "../decisions/render-status.js";

export class TerminalSink implements EventSink {
  /** Resolves with the outcome of the first deployment that finishes. */
  readonly finished: Promise<DeploymentOutcome>;
  private resolveFinished: (outcome: DeploymentOutcome) => void = () => undefined;

  constructor(private readonly say: (line: string) => void) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  async publish(job: DeploymentJob, event: DeploymentEvent): Promise<void> {
    if (event.type === "configured") return;
    const status = renderStatus(job, event);
    switch (event.type) {
      case "queued":
      case "waiting-for-ci":
      case "waiting-for-unlock":
        this.say(`heaven: ${event.type === "queued" ? "queued" : "waiting"}: ${status.description}`);
        return;
      case "started":
        this.say(`heaven: ${status.description}`);
        return;
      case "finished":
        // The pipeline's log already printed `<state>: <description>` as its last line.
        this.resolveFinished(event.outcome);
    }
  }
}
