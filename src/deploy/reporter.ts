import type { FinalState } from "../core/outcome.js";
/**
 * How the core tells the world about a deployment. The GitHub layer answers
 * with deployment statuses, the CLI with terminal output; the core never
 * knows which one is listening.
 */

export interface StartedReport {
  description: string;
  logUrl: string;
  environmentUrl: string | undefined;
}

export interface FinalReport {
  state: FinalState;
  description: string;
  logUrl: string;
  environmentUrl: string | undefined;
}

export interface DeploymentReporter {
  /** The deployment must wait for the queue; called at most once, before it starts. */
  queued(description: string, logUrl: string): void;
  /** The deployment waits for CI (it is parked, not failed). Must not block. */
  waiting(description: string, logUrl: string): void;
  /** The provider is about to run. Must not block: the provider starts without waiting for it. */
  started(report: StartedReport): void;
  /** The last word; resolves when it has been delivered (or given up on). */
  finished(report: FinalReport): Promise<void>;
}
