/**
 * The scale-out deploy queue: graphile-worker on PostgreSQL, shared by every
 * heaven process that points at the same database. A lane is a graphile
 * named queue (one running job per lane, FIFO, lanes side by side across all
 * workers); the deployment key is the job key and heaven's row decides
 * duplicates; each job is tried once (a deployment is never blindly re-run);
 * parking re-schedules the job at its deadline, and a wake brings it
 * forward. A process killed mid-job is noticed by the others' sweepers
 * (src/queue/worker-heartbeat.ts), which report its job interrupted.
 */
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Logger, makeWorkerUtils, run, runMigrations, type JobHelpers, type Runner, type WorkerEvents, type WorkerUtils } from "graphile-worker";
import pg from "pg";
import type { DeploymentJob } from "../core/job.js";
import type { DeployQueue, Enqueued, JobResult, QueueEntry, QueueHandlers, RestoreReport } from "../core/queue.js";
import { DEPLOY_TASK, finishRun, insertJob, listJobs, parkRun, recordProcess, scheduleRun, startRun, takeStock, wakeParked } from "./postgres-jobs.js";
import { migrateHeavenSchema } from "./postgres-schema.js";
import { WorkerHeartbeat, type HeartbeatTiming } from "./worker-heartbeat.js";

export interface PostgresQueueOptions {
  connectionString: string;
  /** Jobs this process runs at once (across lanes). */
  concurrency: number;
  /** Defaults: beat every 2 s, dead after 10 s of silence. */
  heartbeat?: Partial<HeartbeatTiming>;
  /** How often graphile-worker looks for jobs whose time came (a park deadline); new jobs arrive by LISTEN/NOTIFY. Default 2 s. */
  pollIntervalMs?: number;
  /** Told of database errors in the background (heartbeat, sweeps, graphile-worker's own errors). */
  onError?: (error: unknown) => void;
}

/** After the grace, aborted jobs get this long to report before drain gives up on them. */
const ABORTED_REPORT_MS = 30_000;

export class PostgresQueue implements DeployQueue {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private runner: Runner | undefined;
  private handlers: QueueHandlers | undefined;
  private stopping: Promise<void> | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly utils: WorkerUtils,
    private readonly heartbeat: WorkerHeartbeat,
    private readonly options: PostgresQueueOptions,
    private readonly logger: Logger,
  ) {}

  /** Connects and migrates graphile-worker's schema and heaven's tables. */
  static async open(options: PostgresQueueOptions): Promise<PostgresQueue> {
    const onError = options.onError ?? (() => undefined);
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.concurrency + 4 });
    // An idle client losing its connection must not crash the process (graphile-worker checks both handlers).
    pool.on("error", onError);
    pool.on("connect", (client) => client.on("error", onError));
    const logger = new Logger(() => (level, message) => {
      if (level === "error") onError(new Error(`graphile-worker: ${message}`));
    });
    try {
      await runMigrations({ pgPool: pool, logger });
      await migrateHeavenSchema(pool);
      const utils = await makeWorkerUtils({ pgPool: pool, logger });
      const timing: HeartbeatTiming = { beatMs: options.heartbeat?.beatMs ?? 2_000, deadAfterMs: options.heartbeat?.deadAfterMs ?? 10_000 };
      const workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
      return new PostgresQueue(pool, utils, new WorkerHeartbeat(pool, utils, workerId, timing, onError), options, logger);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  /** This process's name in the heartbeat table and on the jobs it runs. */
  get workerId(): string {
    return this.heartbeat.workerId;
  }

  async enqueue(job: DeploymentJob): Promise<Enqueued> {
    const inserted = await insertJob(this.pool, job);
    return inserted.added ? { kind: "added", position: inserted.position } : { kind: "duplicate" };
  }

  wake(condition: string): Promise<number> {
    return wakeParked(this.pool, condition);
  }

  async process(handlers: QueueHandlers): Promise<RestoreReport> {
    await this.heartbeat.beat();
    const interrupted = await this.heartbeat.sweep(handlers.interrupted);
    const stock = await takeStock(this.pool);
    // Alone, nobody listened for CI while this process was away: parked jobs look again, as the embedded queue's do.
    if (!(await this.othersAlive())) await wakeParked(this.pool, undefined);
    this.handlers = handlers;
    const events: WorkerEvents = new EventEmitter();
    events.on("pool:create", ({ workerPool }) => void this.heartbeat.setPoolId(workerPool.id).catch(this.options.onError));
    this.runner = await run({
      pgPool: this.pool,
      logger: this.logger,
      events,
      concurrency: this.options.concurrency,
      noHandleSignals: true,
      pollInterval: this.options.pollIntervalMs ?? 2_000,
      taskList: { [DEPLOY_TASK]: (payload, helpers) => this.runTask(payload, helpers) },
    });
    this.heartbeat.start(handlers.interrupted, () => this.abortTakenOver());
    return { interrupted, ...stock };
  }

  /** Beats and sweeps like a worker, taking no job: what a dead worker left is reported even when no worker survives. */
  async supervise(handlers: Pick<QueueHandlers, "interrupted">): Promise<void> {
    await this.heartbeat.beat();
    await this.heartbeat.sweep(handlers.interrupted);
    this.heartbeat.start(handlers.interrupted, async () => undefined);
  }

  list(lane?: string): Promise<QueueEntry[]> {
    return listJobs(this.pool, lane);
  }

  async depth(lane?: string): Promise<number> {
    return (await this.list(lane)).filter((entry) => entry.state === "queued").length;
  }

  runningHere(): number {
    return this.running.size;
  }

  drain(graceMs: number): Promise<void> {
    this.stopping ??= this.runner?.stop() ?? Promise.resolve();
    clearTimeout(this.graceTimer);
    const abortAll = () => {
      for (const { controller } of this.running.values()) controller.abort();
    };
    if (graceMs <= 0) abortAll();
    else this.graceTimer = setTimeout(abortAll, graceMs);
    const settled = Promise.all([this.stopping.catch(() => undefined), ...[...this.running.values()].map((r) => r.done)]).then(() => clearTimeout(this.graceTimer));
    const bound = new Promise<void>((resolve) => setTimeout(resolve, Math.max(graceMs, 0) + ABORTED_REPORT_MS).unref());
    return Promise.race([settled, bound]);
  }

  async close(): Promise<void> {
    clearTimeout(this.graceTimer);
    if (this.stopping === undefined) await this.drain(0);
    // Nothing of ours runs any more: whatever a drain gave up on is for the next sweeper at once.
    await this.heartbeat.stop(true).catch(() => undefined);
    await this.utils.release();
    await this.pool.end();
  }

  private async othersAlive(): Promise<boolean> {
    const { rows } = await this.pool.query<{ alive: boolean }>(
      "select exists (select 1 from heaven.worker_heartbeats where worker_id <> $1 and beat_at > now() - make_interval(secs => $2)) as alive",
      [this.workerId, this.heartbeatDeadAfterSeconds()],
    );
    return rows[0]?.alive === true;
  }

  private heartbeatDeadAfterSeconds(): number {
    return (this.options.heartbeat?.deadAfterMs ?? 10_000) / 1000;
  }

  /**
   * A process silent too long (paused, cut off from the database) has had
   * its jobs reported interrupted by another: those runs stop here, so a
   * lane never has two deployments going.
   */
  private async abortTakenOver(): Promise<void> {
    if (this.running.size === 0) return;
    const { rows } = await this.pool.query<{ key: string }>("select key from heaven.deploy_jobs where key = any($1::text[]) and (state <> 'running' or worker_id <> $2)", [
      [...this.running.keys()],
      this.workerId,
    ]);
    for (const row of rows) this.running.get(row.key)?.controller.abort();
  }

  private async runTask(payload: unknown, helpers: JobHelpers): Promise<void> {
    const key = typeof payload === "object" && payload !== null && "key" in payload && typeof payload.key === "string" ? payload.key : undefined;
    const handlers = this.handlers;
    if (key === undefined || handlers === undefined) return;
    if (this.stopping !== undefined) {
      // Fetched just before the drain: hand it back for the next process, in its place.
      const { rows } = await this.pool.query<{ lane: string; accepted_at: Date }>("select lane, accepted_at from heaven.deploy_jobs where key = $1 and state = 'queued'", [key]);
      if (rows[0] !== undefined) await scheduleRun(this.pool, key, rows[0].lane, rows[0].accepted_at);
      return;
    }
    const started = await startRun(this.pool, { key, workerId: this.workerId, lockedBy: helpers.job.locked_by, graphileJobId: helpers.job.id });
    if (started === undefined || "unreadable" in started) return;
    const controller = new AbortController();
    let finishRunning: () => void = () => undefined;
    this.running.set(key, { controller, done: new Promise<void>((resolve) => (finishRunning = resolve)) });
    let result: JobResult = { kind: "done" };
    try {
      result = await handlers.run(started.job, { signal: controller.signal, processStarted: (record) => recordProcess(this.pool, key, this.workerId, record) });
    } catch {
      // The handler reports its own failures; the job is over either way.
    }
    try {
      if (result.kind === "park") await parkRun(this.pool, { key, workerId: this.workerId, startedAt: started.startedAt }, result);
      else await finishRun(this.pool, key, this.workerId);
    } finally {
      this.running.delete(key);
      finishRunning();
    }
  }
}
