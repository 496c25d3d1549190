/** Builds the core from settings: shared by the server (journaled) and the command line (in memory). */
import { join } from "node:path";
import { providers } from "../providers/index.js";
import { ensureLogSecret } from "./engine/log-secret.js";
import { checkoutsFor, keepPrivate } from "./engine/run-as.js";
import { ReadAheadMemory } from "./pipeline/head-start.js";
import { Workspaces } from "./engine/workspace.js";
import type { HeavenAppOptions } from "./index.js";
import { Deployer } from "./pipeline/deployer.js";
import type { DeployQueue } from "./core/queue.js";
import { githubWebUrl } from "./engine/log-meta-sink.js";
import { PostgresEventRelay } from "./engine/postgres-event-relay.js";
import { PostgresLogs } from "./engine/postgres-logs.js";
import { EmbeddedQueue } from "./queue/embedded-queue.js";
import { importParked } from "./queue/import-parked.js";
import { PostgresQueue } from "./queue/postgres-queue.js";
import type { Settings } from "./settings.js";

export interface CoreOptions {
  /** The server journals accepted work; the command line keeps nothing past its own run. */
  journal: boolean;
  abortReason: string;
  killGraceMs?: number;
  /** Told of the PostgreSQL queue's and logs' errors in the background (scale-out mode); default: standard error. */
  onDatabaseError?: (error: unknown) => void;
}

export interface Core {
  /** What heavenApp needs of the core, as the server and every harness wire it. */
  app: Omit<HeavenAppOptions, "outbox">;
  deployer: Deployer;
  /** Checkouts and cache clones; the retention sweep asks which checkouts are held. */
  workspaces: Workspaces;
  logSecret: string;
  /** Embedded (p-queue and journal), or with DATABASE_URL the PostgreSQL queue every heaven process shares. */
  queue: DeployQueue;
  /** What start-up found that could not be read (journal lines, parked files of an older heaven). */
  skipped: string[];
  /** Deployments an older heaven left waiting for CI, now jobs of the queue. */
  imported: number;
  /** What start-up changed that the operator should know (files made private). */
  notices: string[];
  /** Scale-out mode: deployment logs in PostgreSQL, which every process's log page reads. Closed after the queue. */
  logs: PostgresLogs | undefined;
  /** Scale-out mode: deployment events between processes (a server's dashboard hears a worker's deployments). Closed with the logs. */
  events: PostgresEventRelay | undefined;
}

/** Files holding heaven's own secrets that a provider process must not read. */
function privateFiles(settings: Settings): string[] {
  return [join(process.cwd(), ".env"), settings.hostEnv.PRIVATE_KEY_PATH].filter((file): file is string => file !== undefined && file !== "");
}

export async function createCore(settings: Settings, options: CoreOptions): Promise<Core> {
  // Before anything is written there: a run-as user must find heaven's files closed.
  const tightened = settings.runAs === undefined ? [] : await keepPrivate(settings.dataDir, privateFiles(settings));
  const runAs = settings.runAs === undefined ? undefined : { user: settings.runAs, checkoutsDir: await checkoutsFor(settings.runAs) };
  const logSecret = await ensureLogSecret(settings.dataDir, settings.logSecret);
  const queue = await openQueue(settings, options);
  // Deployment logs: files under the data directory (the Deployer writes them, logRoute reads them); with a
  // shared queue also in PostgreSQL, so the log page of any process shows a deployment any worker ran.
  const logs = await openLogs(settings, options);
  const events = await openEventRelay(settings, options);
  const secrets = [...settings.secrets, logSecret];
  const workspaces = new Workspaces(settings.dataDir, settings.baseEnv, runAs);
  const deployer = new Deployer(queue, {
    dataDir: settings.dataDir,
    baseUrl: settings.baseUrl,
    logSecret,
    logLinkTtlSeconds: settings.logLinkTtlSeconds,
    canPark: options.journal,
    abortReason: options.abortReason,
    interruption: queue instanceof PostgresQueue ? "worker-stopped" : "restart",
    announceQueued: !(queue instanceof PostgresQueue),
    logMetaSink: logs?.metaSink({ githubUrl: githubWebUrl(settings.hostEnv), secrets }),
    pipeline: {
      providers,
      workspaces,
      runAs: settings.runAs,
      defaultTimeoutSeconds: settings.defaultTimeoutSeconds,
      baseEnv: settings.baseEnv,
      ssh: settings.ssh,
      hostEnv: settings.hostEnv,
      offeredSecrets: settings.offeredSecrets,
      secrets,
      killGraceMs: options.killGraceMs,
      readAhead: new ReadAheadMemory(),
      logMaxBytes: settings.logMaxBytes,
      logTee: logs === undefined ? undefined : (key) => logs.tee(key),
    },
  });
  // Parked files are an older embedded heaven's: a shared database never had any.
  const parked = options.journal && queue instanceof EmbeddedQueue ? await importParked(settings.dataDir, queue) : { imported: 0, skipped: [] };
  const app = { deployer, dataDir: settings.dataDir, logSecret, logLinkTtlSeconds: settings.logLinkTtlSeconds, notify: settings.notify, providers, defaultTimeoutSeconds: settings.defaultTimeoutSeconds, baseUrl: settings.baseUrl, dashboard: settings.dashboard, logStore: logs?.store, events, databaseUrl: options.journal ? settings.databaseUrl : undefined, onDatabaseError: options.onDatabaseError };
  const notices = tightened.map((file) => `${file} was readable by other users; heaven made it private (0600) because HEAVEN_RUN_AS is set`);
  return { app, deployer, workspaces, logSecret, queue, skipped: parked.skipped, imported: parked.imported, notices, logs, events };
}

function openLogs(settings: Settings, options: CoreOptions): Promise<PostgresLogs | undefined> {
  if (!options.journal || settings.databaseUrl === undefined) return Promise.resolve(undefined);
  const onError = options.onDatabaseError ?? ((error: unknown) => console.error(`heaven: deployment logs: ${String(error)}`));
  return PostgresLogs.open({ connectionString: settings.databaseUrl, onError });
}

function openEventRelay(settings: Settings, options: CoreOptions): Promise<PostgresEventRelay | undefined> {
  if (!options.journal || settings.databaseUrl === undefined) return Promise.resolve(undefined);
  const onError = options.onDatabaseError ?? ((error: unknown) => console.error(`heaven: deployment events: ${String(error)}`));
  return PostgresEventRelay.open({ connectionString: settings.databaseUrl, onError });
}

/** The server's queue comes from settings: PostgreSQL when DATABASE_URL is set (the command line always runs embedded). */
function openQueue(settings: Settings, options: CoreOptions): Promise<DeployQueue> {
  if (options.journal && settings.databaseUrl !== undefined) {
    const onError = options.onDatabaseError ?? ((error: unknown) => console.error(`heaven: queue: ${String(error)}`));
    return PostgresQueue.open({ connectionString: settings.databaseUrl, concurrency: settings.concurrency, onError });
  }
  return EmbeddedQueue.open({ journalFile: options.journal ? join(settings.dataDir, "journal.jsonl") : undefined, concurrency: settings.concurrency });
}
