/**
 * Deployment events into metrics: a finished deployment is counted by its
 * final state (the one its GitHub status says), timed from its start, and
 * its wait from acceptance to start is observed once. A sink like any other:
 * it never reads GitHub and never fails a deployment.
 */
import type { DeploymentEvent, EventSink } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { describeOutcome } from "../decisions/describe-outcome.js";
import type { HeavenMetrics } from "./heaven-metrics.js";

export class MetricsSink implements EventSink {
  /** Start times of deployments running in this process, by job key. */
  private readonly started = new Map<string, number>();

  constructor(
    private readonly metrics: HeavenMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  async publish(job: DeploymentJob, event: DeploymentEvent): Promise<void> {
    if (event.type === "started" && !this.started.has(job.key)) {
      const at = this.now();
      this.started.set(job.key, at);
      this.metrics.queueWait.observe(Math.max(0, at - job.acceptedAt) / 1000);
    } else if (event.type === "finished") {
      const { state } = describeOutcome(event.outcome);
      this.metrics.deploymentsFinished.inc({ repository: job.request.repository.fullName, environment: job.request.environment, state });
      const startedAt = this.started.get(job.key);
      this.started.delete(job.key);
      // Started before a restart: only the provider's own measure is left.
      const ms = startedAt !== undefined ? this.now() - startedAt : event.outcome.kind === "succeeded" ? event.outcome.durationMs : undefined;
      if (ms !== undefined) this.metrics.deploymentDuration.observe({ state }, ms / 1000);
    }
  }
}
