/**
 * Reports a deployment through GitHub deployment statuses. Writes for one
 * deployment go out in order, one after another, off the deployment's
 * critical path: `started` returns at once and the provider runs while the
 * in_progress status is being written. The final status is retried through
 * GitHub outages so it is not lost.
 */
import type { DeploymentReporter, FinalReport, StartedReport } from "../deploy/reporter.js";
import { truncate } from "../decisions/text.js";

type StatusState = "queued" | "pending" | "in_progress" | "success" | "failure" | "error" | "inactive";

export interface DeploymentStatusApi {
  request(
    route: "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    params: {
      owner: string;
      repo: string;
      deployment_id: number;
      state: StatusState;
      description: string;
      log_url: string;
      environment_url?: string;
    },
  ): Promise<unknown>;
}

export interface Logger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface DeploymentTarget {
  owner: string;
  repo: string;
  deploymentId: number;
}

/** Waits after each failed attempt at the final status (Octokit's own retries come first). */
export const FINAL_STATUS_RETRY_DELAYS_MS = [5_000, 30_000, 120_000];

function isRetryable(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status !== "number" || status >= 500 || status === 429 || status === 403;
}

export class DeploymentStatusReporter implements DeploymentReporter {
  private writes: Promise<void> = Promise.resolve();
  private lastWaiting: string | undefined;

  constructor(
    private readonly api: DeploymentStatusApi,
    private readonly target: DeploymentTarget,
    private readonly log: Logger,
    private readonly retryDelaysMs: readonly number[] = FINAL_STATUS_RETRY_DELAYS_MS,
  ) {}

  queued(description: string, logUrl: string): void {
    void this.write("queued", { description, logUrl, environmentUrl: undefined }, []);
  }

  waiting(description: string, logUrl: string): void {
    // Re-parked with nothing new to say (another check finished, others still run): no write.
    if (description === this.lastWaiting) return;
    this.lastWaiting = description;
    void this.write("pending", { description, logUrl, environmentUrl: undefined }, []);
  }

  started(report: StartedReport): void {
    void this.write("in_progress", report, []);
  }

  finished(report: FinalReport): Promise<void> {
    return this.write(report.state, report, this.retryDelaysMs);
  }

  private write(state: StatusState, report: StartedReport, retryDelaysMs: readonly number[]): Promise<void> {
    this.writes = this.writes.then(() => this.post(state, report, retryDelaysMs));
    return this.writes;
  }

  private async post(state: StatusState, report: StartedReport, retryDelaysMs: readonly number[]): Promise<void> {
    const params = {
      owner: this.target.owner,
      repo: this.target.repo,
      deployment_id: this.target.deploymentId,
      state,
      description: truncate(report.description),
      log_url: report.logUrl,
      ...(report.environmentUrl !== undefined ? { environment_url: report.environmentUrl } : {}),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.api.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", params);
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt];
        const context = { deployment: this.target, state, err: error };
        if (delay === undefined || !isRetryable(error)) {
          this.log.error(context, `could not post the ${state} status of deployment ${this.target.deploymentId}; giving up`);
          return;
        }
        this.log.warn(context, `could not post the ${state} status; retrying in ${delay / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
