/**
 * The deploy queue, as a port. The embedded one (src/queue/) keeps jobs in
 * one process with a journal on disk; a PostgreSQL one can take its place
 * for several workers. Jobs are data; what running one means is handed in.
 */
import type { QueuePosition } from "./events.js";
import type { DeploymentJob } from "./job.js";

export type Enqueued = { kind: "duplicate" } | { kind: "added"; position: QueuePosition | undefined };

export interface QueueEntry {
  job: DeploymentJob;
  state: "queued" | "running" | "parked";
}

/** A process group a running job started: after a crash it is killed before the job is reported. */
export interface ProcessRecord {
  pgid: number;
  /** Linux: the leader's start time (clock ticks since boot) and the boot id, so a reused pid is never killed. */
  startTicks?: number | undefined;
  bootId?: string | undefined;
}

export interface JobControl {
  /** Aborted when heaven stops and the shutdown grace has run out. */
  signal: AbortSignal;
  /** Remembered durably, so a process group that outlives a crash can be found. */
  processStarted(record: ProcessRecord): Promise<void>;
}

export type JobResult =
  | { kind: "done" }
  /** Not finished: wait until `wakeOn` is woken or `until` (epoch ms) passes, then run `job` again. */
  | { kind: "park"; job: DeploymentJob; until: number; wakeOn: string };

export interface QueueHandlers {
  run(job: DeploymentJob, control: JobControl): Promise<JobResult>;
  /** A job that was running when an earlier process died. It is not run again; once this resolves it counts as finished. */
  interrupted(job: DeploymentJob, processes: readonly ProcessRecord[]): Promise<void>;
}

export interface RestoreReport {
  interrupted: number;
  queued: number;
  parked: number;
  /** Entries of the journal that could not be read, each with why. */
  skipped: string[];
}

export interface DeployQueue {
  /** Durable before it resolves: a job accepted here is not lost in a crash. */
  enqueue(job: DeploymentJob): Promise<Enqueued>;
  /** Parked jobs waiting on `condition` run again now. Returns how many. */
  wake(condition: string): Promise<number>;
  /** Starts running jobs: first what an earlier process left (interrupted, queued, parked), then new ones. */
  process(handlers: QueueHandlers): Promise<RestoreReport>;
  /**
   * For a process that runs no jobs (the scale-out server): it still reports,
   * through `interrupted`, the jobs a dead worker left, so one survivor is
   * enough. Absent: the queue has no other processes to watch.
   */
  supervise?(handlers: Pick<QueueHandlers, "interrupted">): Promise<void>;
  /** Jobs not finished, in order; only those of `lane` when given. */
  list(lane?: string): Promise<QueueEntry[]>;
  /** How many jobs wait for their turn (not running, not parked); only in `lane` when given. */
  depth(lane?: string): Promise<number>;
  /**
   * How many jobs this process runs now: those a drain waits for. Not
   * `list()`'s running ones, which with a shared database include other
   * processes' jobs.
   */
  runningHere(): number;
  /**
   * Stops starting jobs (new ones are still accepted and kept for the next
   * process), lets running ones finish for up to `graceMs`, then aborts them
   * and waits for them to report.
   */
  drain(graceMs: number): Promise<void>;
  /** After drain: releases the journal. */
  close(): Promise<void>;
}
