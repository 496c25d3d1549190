/**
 * The Probot app: opens the outbox and the webhook inbox, starts the core
 * with GitHub as its source and sink, and wires events and routes to it.
 * A deployment is answered once it is journaled; every other event once it
 * is safe (webhook-intake.ts), and handled after the answer.
 */
import type { ProviderSchemas } from "./decisions/resolve-config.js";
import { join } from "node:path";
import type { ApplicationFunction, Probot } from "probot";
import type { EventSink } from "./core/events.js";
import type { DeploymentJob } from "./core/job.js";
import { githubSources } from "./github/github-sources.js";
import type { OutboxOptions } from "./github/outbox.js";
import { openOutbox } from "./github/open-outbox.js";
import type { DeliveringOutbox } from "./github/postgres-outbox.js";
import { PullRequestReplySink } from "./github/reply-sink.js";
import { GitHubStatusSink } from "./github/status-sink.js";
import { WebhookInbox } from "./github/webhook-inbox.js";
import { WebhookIntake, type IntakeOptions } from "./github/webhook-intake.js";
import { handleCiEvent } from "./handlers/ci.js";
import { handleDeployment } from "./handlers/deployment.js";
import { ownLogin } from "./github/own-login.js";
import { handleIssueComment } from "./handlers/issue-comment.js";
import { handlePullRequestClosed } from "./handlers/pull-request.js";
import type { Deployer } from "./pipeline/deployer.js";
import { notificationSinks, type NotificationSink } from "./notify/notification-sinks.js";
import type { LogStore } from "./core/log-store.js";
import { logRoute } from "./server/log-route.js";
import { githubWebUrl } from "./engine/log-meta-sink.js";
import { EmbeddedQueue } from "./queue/embedded-queue.js";
import type { HeavenRole, Settings } from "./settings.js";
import { countGitHubRequest, createHeavenMetrics, timedHandler, type HeavenMetrics } from "./metrics/heaven-metrics.js";
import { GitHubTraffic } from "./metrics/github-traffic.js";
import { MetricsSink } from "./metrics/metrics-sink.js";
import { healthRoute } from "./server/health-route.js";
import { metricsRoute } from "./server/metrics-route.js";
import { statusPage } from "./server/status-page.js";
import { releaseApi } from "./server/release-api.js";
import { rootWebhookRoute } from "./server/root-webhook-route.js";
import { dashboardSignIn } from "./server/dashboard-sign-in.js";
import { dashboard } from "./server/dashboard/dashboard-routes.js";

export interface HeavenAppOptions {
  deployer: Deployer;
  dataDir: string;
  logSecret: string;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  /** Tests pace writes faster than GitHub asks for; the benchmark turns coalescing off to compare. Defaults: production's. */
  outbox?: Partial<Pick<OutboxOptions, "coalesce" | "pacing">>;
  /** How many webhooks are handled at once, and how many may wait. Defaults: webhook-intake.ts. */
  intake?: Pick<IntakeOptions, "concurrency" | "limit">;
  /** Slack and signed webhooks repositories may name in `notify` (settings.ts). */
  notify?: Settings["notify"];
  logLinkTtlSeconds?: number | undefined;
  /** What the process's Octokit saw of GitHub (octokit.ts `observedOctokit`); default: nothing seen. */
  githubTraffic?: GitHubTraffic;
  /** HEAVEN_METRICS_TOKEN; undefined: /metrics is open. */
  metricsToken?: string | undefined;
  /** HEAVEN_URL (settings.baseUrl): the dashboard's OAuth callback and cookies; default http://localhost:3000. */
  baseUrl?: string;
  /** The App's OAuth credentials for dashboard sign-in (settings.dashboard); undefined: sign-in answers 503. */
  dashboard?: Settings["dashboard"];
  /** Where the log page reads logs; default: the files under dataDir. Scale-out mode: PostgreSQL (any worker's logs). */
  logStore?: LogStore | undefined;
  /** DATABASE_URL: the outbox's writes go to PostgreSQL, delivered by one process for all. Undefined: a file under dataDir. */
  databaseUrl?: string | undefined;
  /** Told of the shared outbox's background PostgreSQL errors; default: Probot's log. */
  onDatabaseError?: (error: unknown) => void;
  /** HEAVEN_ROLE: a server handles webhooks and runs no deployment; a worker runs deployments and handles no webhook. Default all. */
  role?: HeavenRole;
  /** Scale-out mode: every process writes its deployments' events here; one that serves pages hears the other processes'. */
  events?: { sink: EventSink; listen(sinks: readonly EventSink[]): Promise<void> } | undefined;
}

export interface LoadedApp {
  app: Probot;
  outbox: DeliveringOutbox;
  intake: WebhookIntake;
  /** Sent in the background: stopped at shutdown. */
  notifications: NotificationSink[];
  metrics: HeavenMetrics;
}

export function heavenApp(options: HeavenAppOptions): { app: ApplicationFunction; loaded: Promise<LoadedApp> } {
  let loaded: (value: LoadedApp) => void = () => undefined;
  const whenLoaded = new Promise<LoadedApp>((resolve) => (loaded = resolve));
  const app: ApplicationFunction = async (app, { addHandler }) => {
    addHandler(logRoute({ ...options, ...(options.logStore === undefined ? {} : { store: options.logStore }) }));
    addHandler(rootWebhookRoute((path) => app.getNodeMiddleware({ path }), app.webhookPath));
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
    // Scale-out mode: every process adds to PostgreSQL; one of them delivers for all (postgres-outbox.ts).
    const outbox = await openOutbox({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, onDatabaseError: options.onDatabaseError, octokitFor, log: app.log, ...options.outbox });

    const startedAt = Date.now();
    const traffic = options.githubTraffic ?? new GitHubTraffic();
    const installations = new Set<number>();
    let journalReplayed = false;
    const sources = { queue: options.deployer.queue, outbox: () => outbox.counts(), installationsSeen: () => installations.size };
    const metrics = createHeavenMetrics(sources);
    traffic.onRequest((request) => {
      countGitHubRequest(metrics, request);
      if (request.installationId !== undefined) installations.add(request.installationId);
    });
    app.onAny(async ({ payload }) => {
      const id = (payload as { installation?: { id?: unknown } }).installation?.id;
      if (typeof id === "number") installations.add(id);
    });
    addHandler(healthRoute({ dataDir: options.dataDir, github: traffic, journalReplayed: () => journalReplayed }));
    addHandler(metricsRoute({ registry: metrics.registry, token: options.metricsToken }));
    addHandler(statusPage({ queue: options.deployer.queue, installationsSeen: () => installations.size, startedAt }));
    // Sign-in first: signIn.sessions.sessionOf(req) is who a dashboard request comes from.
    const signIn = dashboardSignIn(app, { dashboard: options.dashboard, heavenUrl: options.baseUrl ?? "http://localhost:3000", githubWebUrl: githubWebUrl(process.env), logSecret: options.logSecret });
    for (const handler of signIn.handlers) addHandler(handler);
    const release = releaseApi(app, { queue: options.deployer.queue, providers: options.providers, defaultTimeoutSeconds: options.defaultTimeoutSeconds, logSecret: options.logSecret, logLinkTtlSeconds: options.logLinkTtlSeconds, sessionToken: (req) => signIn.sessions.sessionOf(req)?.token });
    for (const handler of release.handlers) addHandler(handler);
    const board = dashboard(app, { signIn, views: release.views, githubWebUrl: githubWebUrl(process.env) });
    for (const handler of board.handlers) addHandler(handler);

    const { deployer } = options;
    const role = options.role ?? "all";
    const notifications = notificationSinks({ dataDir: options.dataDir, notify: options.notify }, { log: app.log, githubHost: githubWebUrl(process.env) });
    const io = {
      sourcesFor: async (job: DeploymentJob) => {
        if (job.origin.kind !== "github") throw new Error(`job ${job.key} did not come from GitHub`);
        return githubSources(await app.auth(job.origin.installationId), { owner: job.origin.owner, repo: job.origin.repo });
      },
      sinks: [new GitHubStatusSink(outbox), new PullRequestReplySink(outbox), ...notifications, new MetricsSink(metrics), release.parkedChecks, board.stream, ...(options.events === undefined ? [] : [options.events.sink])],
      log: app.log,
    };
    const where = deployer.queue instanceof EmbeddedQueue ? "journal" : "queue";
    // The pages' live sinks hear of the deployments workers run (this process's own reach them directly).
    if (role !== "worker") await options.events?.listen([release.parkedChecks, board.stream]);
    if (role === "server") {
      await deployer.supervise(io);
      app.log.info("queue: HEAVEN_ROLE=server: this process accepts deployments and runs none; heaven workers run them (it reports what a dead one left)");
    } else {
      const report = await deployer.start(io);
      for (const line of report.skipped) app.log.error(`${where}: ${line}`);
      app.log.info(`${where}: ${report.interrupted} interrupted deployments reported, ${report.queued} queued and ${report.parked} waiting for CI picked up`);
    }
    journalReplayed = true;

    const { inbox, skipped: unread } = await WebhookInbox.open(join(options.dataDir, "inbox.jsonl"));
    for (const line of unread) app.log.error(`inbox: ${line}`);
    // Handlers share the outbox's Octokit of each installation: Probot's per-event one is built, then left unused.
    const handled = (event: string, seconds: number, ok: boolean) => metrics.webhookHandling.observe({ event, outcome: ok ? "ok" : "error" }, seconds);
    const intake = new WebhookIntake({ inbox, octokitFor: (id) => (id === undefined ? app.auth() : octokitFor(id)), log: app.log, ...options.intake, handled });

    const shared = { outbox, providers: options.providers, defaultTimeoutSeconds: options.defaultTimeoutSeconds };
    // A worker handles no webhook: GitHub's webhook URL is the server's.
    if (role === "worker") {
      loaded({ app, outbox, intake, notifications, metrics });
      return;
    }
    const own = ownLogin(() => app.auth(), (error) => app.log.warn({ err: error }, "could not ask GitHub for heaven's own account (GET /app); deployments are read as another app's until it answers"));
    app.on("deployment.created", timedHandler(metrics, "deployment.created", handleDeployment({ deployer, outbox, ownLogin: own })));
    const ci = handleCiEvent({ ...shared, deployer });
    app.on("status", intake.on("status", ci("status")));
    app.on("check_suite.completed", intake.on("check_suite.completed", ci("check_suite")));
    app.on("check_run.completed", intake.on("check_run.completed", ci("check_run")));
    app.on("workflow_run.completed", intake.on("workflow_run.completed", ci("workflow_run")));
    app.on("push", intake.on("push", ci("push")));
    app.on("pull_request.closed", intake.on("pull_request.closed", handlePullRequestClosed(shared)));
    app.on("issue_comment.created", intake.on("issue_comment.created", handleIssueComment({ ...shared, queued: (lane) => deployer.queue.list(lane) })));
    const replayed = intake.replay();
    if (replayed > 0) app.log.info(`inbox: ${replayed} webhooks answered before the restart and not handled yet are handled now`);
    loaded({ app, outbox, intake, notifications, metrics });
  };
  return { app, loaded: whenLoaded };
}
