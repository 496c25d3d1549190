import { describe, expect, it } from "@jest/globals";
import type { DeploymentJob } from "../../src/core/job.js";
import type { QueueEntry } from "../../src/core/queue.js";
import { countGitHubRequest, createHeavenMetrics } from "../../src/metrics/heaven-metrics.js";
import { MetricsSink } from "../../src/metrics/metrics-sink.js";
import { job as queueJob } from "../helpers/queue-jobs.js";

/** The queue tests' job, as it comes from GitHub. */
function job(id: number, environment = "production", acceptedAt = 1_000): DeploymentJob {
  return { ...queueJob(id, environment), origin: { kind: "github", installationId: 7, owner: "octo", repo: "app", deploymentId: id }, acceptedAt };
}

function setup(entries: QueueEntry[] = []) {
  let now = 0;
  const metrics = createHeavenMetrics({ queue: { list: async () => entries }, outbox: () => ({ pending: 3, delivered: 7, coalesced: 2, dropped: 1 }), installationsSeen: () => 2 }, { defaultMetrics: false });
  const sink = new MetricsSink(metrics, () => now);
  const at = (ms: number) => (now = ms);
  /** The registry's text, as Prometheus scrapes it. */
  const scrape = () => metrics.registry.metrics();
  return { metrics, sink, at, scrape };
}

const started = { type: "started", sha: "a".repeat(40), forcedOver: undefined, environmentUrl: undefined } as const;
const succeeded = { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 999_000 }, environmentUrl: undefined } as const;
const failed = { type: "finished", outcome: { kind: "failed", what: "script/deploy", exitCode: 3, lastLine: "boom" }, environmentUrl: undefined } as const;

describe("metrics from deployment events", () => {
  it("counts finished deployments by repository, environment and the final state GitHub is told", async () => {
    const { sink, scrape } = setup();
    await sink.publish(job(1), succeeded);
    await sink.publish(job(2), succeeded);
    await sink.publish(job(3, "staging"), failed);
    const text = await scrape();
    expect(text).toContain('heaven_deployments_finished_total{repository="octo/app",environment="production",state="success"} 2');
    expect(text).toContain('heaven_deployments_finished_total{repository="octo/app",environment="staging",state="failure"} 1');
  });

  it("observes the queue wait from acceptance to start once, and the duration from start to finish", async () => {
    const { sink, at, scrape } = setup();
    at(6_000);
    await sink.publish(job(1, "production", 1_000), started);
    // A second start of the same job (after parking) is not a second wait.
    at(9_000);
    await sink.publish(job(1, "production", 1_000), started);
    at(46_000);
    await sink.publish(job(1), failed);
    const text = await scrape();
    expect(text).toContain("heaven_queue_wait_seconds_count 1");
    expect(text).toContain("heaven_queue_wait_seconds_sum 5");
    expect(text).toContain('heaven_deployment_duration_seconds_sum{state="failure"} 40');
    expect(text).toContain('heaven_deployment_duration_seconds_count{state="failure"} 1');
  });

  it("times a deployment started before a restart by its provider's own measure, and one that never started not at all", async () => {
    const { sink, scrape } = setup();
    await sink.publish(job(1), succeeded);
    await sink.publish(job(2), failed);
    const text = await scrape();
    expect(text).toContain('heaven_deployment_duration_seconds_sum{state="success"} 999');
    expect(text).not.toContain('heaven_deployment_duration_seconds_count{state="failure"}');
    expect(text).toContain("heaven_queue_wait_seconds_count 0");
  });

  it("reads queue depth, running and parked deployments, the outbox and installations when scraped", async () => {
    const entries: QueueEntry[] = [
      { job: job(1), state: "running" },
      { job: job(2), state: "queued" },
      { job: job(3), state: "queued" },
      { job: job(4, "staging"), state: "parked" },
    ];
    const text = await setup(entries).scrape();
    expect(text).toContain("heaven_queue_depth 2");
    expect(text).toContain("heaven_deployments_running 1");
    expect(text).toContain("heaven_deployments_parked 1");
    expect(text).toContain("heaven_outbox_depth 3");
    expect(text).toContain('heaven_outbox_writes_total{outcome="delivered"} 7');
    expect(text).toContain('heaven_outbox_writes_total{outcome="coalesced"} 2');
    expect(text).toContain('heaven_outbox_writes_total{outcome="dropped"} 1');
    expect(text).toContain("heaven_installations_seen 2");
  });

  it("counts GitHub requests by kind and status class and keeps each installation's remaining rate limit", async () => {
    const { metrics, scrape } = setup();
    countGitHubRequest(metrics, { method: "GET", status: 200, installationId: 7, rateLimitRemaining: 4999 });
    countGitHubRequest(metrics, { method: "get", status: 304, installationId: 7, rateLimitRemaining: 4998 });
    countGitHubRequest(metrics, { method: "POST", status: 201, installationId: 8, rateLimitRemaining: 120 });
    countGitHubRequest(metrics, { method: "POST", status: undefined, installationId: 8, rateLimitRemaining: undefined });
    countGitHubRequest(metrics, { method: "GET", status: 200, installationId: undefined, rateLimitRemaining: 50 });
    const text = await scrape();
    expect(text).toContain('heaven_github_requests_total{kind="read",status="2xx"} 2');
    expect(text).toContain('heaven_github_requests_total{kind="read",status="3xx"} 1');
    expect(text).toContain('heaven_github_requests_total{kind="write",status="2xx"} 1');
    expect(text).toContain('heaven_github_requests_total{kind="write",status="none"} 1');
    expect(text).toContain('heaven_github_rate_limit_remaining{installation="7"} 4998');
    expect(text).toContain('heaven_github_rate_limit_remaining{installation="8"} 120');
    expect(text).toContain('heaven_github_rate_limit_remaining{installation="app"} 50');
  });

  it("keeps two apps' metrics apart: each has its own registry", async () => {
    const one = setup();
    const two = setup();
    await one.sink.publish(job(1), succeeded);
    expect(await two.scrape()).not.toContain('heaven_deployments_finished_total{repository="octo/app"');
  });
});
