/**
 * The Probot app: opens the outbox, starts the core with GitHub as its
 * source and sink, and wires events and routes to it. Nothing more.
 */
import type { ProviderSchemas } from "./decisions/resolve-config.js";
import { join } from "node:path";
import type { ApplicationFunction, Probot } from "probot";
import type { DeploymentJob } from "./core/job.js";
import { githubSources } from "./github/github-sources.js";
import { Outbox, type OutboxOptions } from "./github/outbox.js";
import { PullRequestReplySink } from "./github/reply-sink.js";
import { GitHubStatusSink } from "./github/status-sink.js";
import { handleCiEvent } from "./handlers/ci.js";
import { handleDeployment } from "./handlers/deployment.js";
import { handleIssueComment } from "./handlers/issue-comment.js";
import { handlePullRequestClosed } from "./handlers/pull-request.js";
import type { Deployer } from "./pipeline/deployer.js";
import { logRoute } from "./server/log-route.js";

export interface HeavenAppOptions {
  deployer: Deployer;
  dataDir: string;
  logSecret: string;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  /** Tests pace writes faster than GitHub asks for; the benchmark turns coalescing off to compare. Defaults: production's. */
  outbox?: Partial<Pick<OutboxOptions, "coalesce" | "pacing">>;
}

export interface LoadedApp {
  app: Probot;
  outbox: Outbox;
}

export function heavenApp(options: HeavenAppOptions): { app: ApplicationFunction; loaded: Promise<LoadedApp> } {
  let loaded: (value: LoadedApp) => void = () => undefined;
  const whenLoaded = new Promise<LoadedApp>((resolve) => (loaded = resolve));
  const app: ApplicationFunction = async (app, { addHandler }) => {
    addHandler(logRoute(options));
    // One Octokit per installation for the outbox's writes, not one per write (it refreshes its own token).
    const octokits = new Map<number, ReturnType<Probot["auth"]>>();
    const octokitFor = (installationId: number) => {
      let octokit = octokits.get(installationId);
      if (octokit === undefined) {
        octokit = app.auth(installationId);
        octokit.catch(() => octokits.delete(installationId));
        octokits.set(installationId, octokit);
      }
      return octokit;
    };
    const { outbox, restored, skipped } = await Outbox.open({
      file: join(options.dataDir, "outbox.jsonl"),
      octokitFor,
      log: app.log,
      ...options.outbox,
    });
    if (restored > 0) app.log.info(`outbox: ${restored} GitHub writes from before the restart will be delivered`);
    for (const line of skipped) app.log.error(`outbox: ${line}`);

    const { deployer } = options;
    const report = await deployer.start({
      sourcesFor: async (job: DeploymentJob) => {
        if (job.origin.kind !== "github") throw new Error(`job ${job.key} did not come from GitHub`);
        return githubSources(await app.auth(job.origin.installationId), { owner: job.origin.owner, repo: job.origin.repo });
      },
      sinks: [new GitHubStatusSink(outbox), new PullRequestReplySink(outbox)],
      log: app.log,
    });
    for (const line of report.skipped) app.log.error(`journal: ${line}`);
    app.log.info(
      `journal: ${report.interrupted} interrupted deployments reported, ${report.queued} queued and ${report.parked} waiting for CI picked up`,
    );

    const shared = { outbox, providers: options.providers, defaultTimeoutSeconds: options.defaultTimeoutSeconds };
    app.on("deployment.created", handleDeployment({ deployer, outbox }));
    const ci = handleCiEvent({ ...shared, deployer });
    app.on("status", ci("status"));
    app.on("check_suite.completed", ci("check_suite"));
    app.on("check_run.completed", ci("check_run"));
    app.on("workflow_run.completed", ci("workflow_run"));
    app.on("push", ci("push"));
    app.on("pull_request.closed", handlePullRequestClosed(shared));
    app.on("issue_comment.created", handleIssueComment({ ...shared, queued: (lane) => deployer.queue.list(lane) }));
    loaded({ app, outbox });
  };
  return { app, loaded: whenLoaded };
}
