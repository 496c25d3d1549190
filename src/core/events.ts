/**
 * A deployment's life as a stream of typed events, published to sinks: GitHub
 * deployment statuses, the command line's terminal, later a pull-request
 * reply, Slack, metrics, the dashboard. Each sink renders its own words; the
 * pipeline says only what happened.
 */
import type { NotifyConfig } from "./config.js";
import type { DeploymentJob } from "./job.js";
import type { Lock } from "./lock.js";
import type { DeploymentOutcome } from "./outcome.js";

/** Why a job did not start at once. */
export type QueuePosition =
  /** Another deployment of the same repository and environment runs; `ahead` more wait before this one. */
  | { kind: "lane"; running: { key: string; label: string; creator?: string | undefined; sha?: string | undefined }; ahead: number }
  /** Every worker is busy. */
  | { kind: "workers"; busy: number; concurrency: number };

/** Where a deployment stands: what statuses, pull-request replies and the terminal render. */
export type ProgressEvent =
  | { type: "queued"; position: QueuePosition }
  | { type: "waiting-for-ci"; sha: string; waiting: string[]; deadline: number }
  /** Someone else's lock holds it (wait_for_unlock): it runs when the lock goes, or gives up at `deadline`. */
  | { type: "waiting-for-unlock"; holder: Lock; deadline: number }
  | { type: "started"; sha: string; forcedOver: Lock | undefined; environmentUrl: string | undefined }
  | { type: "finished"; outcome: DeploymentOutcome; environmentUrl: string | undefined };

/**
 * A deploy task's notification settings, published once its configuration
 * is read (and again when a parked deployment resumes), so notification
 * sinks never read GitHub. Other sinks ignore it.
 */
export type ConfiguredEvent = { type: "configured"; notify: NotifyConfig };

export type DeploymentEvent = ProgressEvent | ConfiguredEvent;

export interface EventSink {
  /**
   * Resolves once the sink has taken the event durably (the GitHub sink: in
   * the outbox on disk), not when the world has heard it. Must not throw for
   * a job it does not serve: it ignores it.
   */
  publish(job: DeploymentJob, event: DeploymentEvent, logUrl: string): Promise<void>;
}
