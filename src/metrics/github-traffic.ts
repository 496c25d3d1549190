/**
 * What heaven's Octokit saw of GitHub (octokit.ts hands it every response):
 * the last answer and failure for /ready, and each request for the metrics.
 * Shared by the process's Octokit class and the app, so it is plain state.
 */
import type { GitHubContact } from "../decisions/decide-readiness.js";

export interface ObservedRequest {
  method: string;
  /** undefined: no HTTP answer at all (network error, timeout). */
  status: number | undefined;
  /** undefined: the App itself (JWT), not an installation. */
  installationId: number | undefined;
  /** The `x-ratelimit-remaining` header of the answer. */
  rateLimitRemaining: number | undefined;
}

export class GitHubTraffic implements GitHubContact {
  lastAnsweredAt: number | undefined;
  lastFailedAt: number | undefined;
  private readonly listeners = new Set<(request: ObservedRequest) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  record(request: ObservedRequest): void {
    // A 4xx is GitHub answering; only silence or its own 5xx says it is not there.
    if (request.status !== undefined && request.status < 500) this.lastAnsweredAt = this.now();
    else this.lastFailedAt = this.now();
    for (const listener of this.listeners) listener(request);
  }

  onRequest(listener: (request: ObservedRequest) => void): void {
    this.listeners.add(listener);
  }
}
