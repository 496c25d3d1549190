/**
 * heaven's Prometheus metrics, in a registry of their own (tests build
 * several apps in one process; the global one would mix them). Gauges are
 * read when scraped (`collect`), from the queue and the outbox as they are;
 * counters and histograms are moved by the metrics sink, the Octokit hook
 * and the webhook intake.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DeployQueue } from "../core/queue.js";
import type { ObservedRequest } from "./github-traffic.js";

export interface MetricsSources {
  queue: Pick<DeployQueue, "list">;
  /** The outbox's tally (Outbox `counts()`): `pending` not delivered yet, the rest since start. */
  outbox: () => { pending: number; delivered: number; coalesced: number; dropped: number };
  /** Installations heaven has heard from or talked to since it started. */
  installationsSeen: () => number;
}

export type HeavenMetrics = ReturnType<typeof createHeavenMetrics>;

export function createHeavenMetrics(sources: MetricsSources, options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const byState = async (state: "queued" | "running" | "parked") => (await sources.queue.list()).filter((entry) => entry.state === state).length;
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({ name, help, registers, async collect() { this.set(await read()); } });

  gauge("heaven_queue_depth", "Deployments waiting for their turn (not running, not parked).", () => byState("queued"));
  gauge("heaven_deployments_running", "Deployments running now.", () => byState("running"));
  gauge("heaven_deployments_parked", "Deployments waiting for CI or for a lock, holding no worker.", () => byState("parked"));
  gauge("heaven_outbox_depth", "GitHub writes (statuses, replies) in the outbox not delivered yet.", () => sources.outbox().pending);
  new Counter({
    name: "heaven_outbox_writes_total",
    help: "GitHub writes the outbox finished, by outcome: delivered, coalesced (superseded by a later status of its deployment before it was sent), dropped (given up).",
    labelNames: ["outcome"] as const,
    registers,
    collect() {
      const counts = sources.outbox();
      this.reset();
      for (const outcome of ["delivered", "coalesced", "dropped"] as const) this.inc({ outcome }, counts[outcome]);
    },
  });
  gauge("heaven_installations_seen", "GitHub App installations heard from since heaven started.", sources.installationsSeen);

  const metrics = {
    registry,
    deploymentsFinished: new Counter({
      name: "heaven_deployments_finished_total",
      help: "Deployments finished, by repository, environment and the final state heaven reported.",
      labelNames: ["repository", "environment", "state"] as const,
      registers,
    }),
    deploymentDuration: new Histogram({
      name: "heaven_deployment_duration_seconds",
      help: "From a deployment's start (its provider about to run) to its end, by final state.",
      labelNames: ["state"] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    queueWait: new Histogram({
      name: "heaven_queue_wait_seconds",
      help: "From a deployment's acceptance to its start: its lane, a worker, CI and locks waited for.",
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    githubRequests: new Counter({
      name: "heaven_github_requests_total",
      help: "Requests to GitHub's API, by kind (read: GET/HEAD, write: the rest) and status class (none: no answer).",
      labelNames: ["kind", "status"] as const,
      registers,
    }),
    rateLimitRemaining: new Gauge({
      name: "heaven_github_rate_limit_remaining",
      help: "x-ratelimit-remaining of GitHub's last answer, per installation (app: the App's own token).",
      labelNames: ["installation"] as const,
      registers,
    }),
    webhookHandling: new Histogram({
      name: "heaven_webhook_handling_seconds",
      help: "Time handling a webhook after it was answered, by event and outcome (ok, error).",
      labelNames: ["event", "outcome"] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    }),
  };
  return metrics;
}

/** The Octokit hook's view of one request, counted. */
export function countGitHubRequest(metrics: HeavenMetrics, request: ObservedRequest): void {
  const kind = ["GET", "HEAD"].includes(request.method.toUpperCase()) ? "read" : "write";
  const status = request.status === undefined ? "none" : `${Math.floor(request.status / 100)}xx`;
  metrics.githubRequests.inc({ kind, status });
  if (request.rateLimitRemaining !== undefined) {
    metrics.rateLimitRemaining.set({ installation: request.installationId === undefined ? "app" : String(request.installationId) }, request.rateLimitRemaining);
  }
}

/** A Probot handler, its handling time observed like the intake's. */
export function timedHandler<C>(metrics: HeavenMetrics, event: string, handler: (context: C) => Promise<void>): (context: C) => Promise<void> {
  return async (context) => {
    const end = metrics.webhookHandling.startTimer({ event });
    try {
      await handler(context);
      end({ outcome: "ok" });
    } catch (error) {
      end({ outcome: "error" });
      throw error;
    }
  };
}
