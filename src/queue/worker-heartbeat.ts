/**
 * Failover for graphile-worker: a worker killed mid-job keeps its job and its
 * lane locked for hours (recovery is a paid add-on). Each heaven process
 * beats a row every few seconds; the sweeper in every process takes over the
 * jobs of processes silent for longer than `deadAfterMs`, reports each one
 * interrupted once (the claim is one UPDATE, so two sweepers never both win),
 * and unlocks the dead worker's lanes with graphile-worker's public
 * `forceUnlockWorkers`, so the lane's next job runs elsewhere.
 */
import type { WorkerUtils } from "graphile-worker";
import type { Pool } from "pg";
import { z } from "zod";
import { parseJob, type DeploymentJob } from "../core/job.js";
import type { ProcessRecord } from "../core/queue.js";
import { scheduleRun } from "./postgres-jobs.js";

export interface HeartbeatTiming {
  /** How often this process beats and sweeps. */
  beatMs: number;
  /** A process silent this long is dead. */
  deadAfterMs: number;
}

export type ReportInterrupted = (job: DeploymentJob, processes: readonly ProcessRecord[]) => Promise<void>;

const processesSchema = z.array(z.object({ pgid: z.number().int().positive(), startTicks: z.number().optional(), bootId: z.string().optional() }));

/** Finished jobs are kept this long, so a redelivered webhook stays a duplicate. */
const KEEP_FINISHED_DAYS = 30;

export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private poolId: string | null = null;
  private sweeping: Promise<number> | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly utils: WorkerUtils,
    readonly workerId: string,
    private readonly timing: HeartbeatTiming,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** graphile-worker's id for this process's pool: what its locks are held under. */
  async setPoolId(poolId: string): Promise<void> {
    this.poolId = poolId;
    await this.beat();
  }

  async beat(): Promise<void> {
    await this.pool.query(
      "insert into heaven.worker_heartbeats (worker_id, pool_id, beat_at) values ($1, $2, now()) on conflict (worker_id) do update set pool_id = coalesce($2, heaven.worker_heartbeats.pool_id), beat_at = now()",
      [this.workerId, this.poolId],
    );
  }

  /**
   * Beats and sweeps every `beatMs` until `stop`; `report` is told of each
   * job a dead process left, `afterBeat` runs after each beat.
   */
  start(report: ReportInterrupted, afterBeat: () => Promise<void>): void {
    const tick = () => {
      this.ticking = this.beat()
        .then(afterBeat)
        .then(() => this.sweep(report))
        .then(() => undefined, this.onError)
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.timing.beatMs).unref();
        });
    };
    this.timer = setTimeout(tick, this.timing.beatMs).unref();
  }

  /** Reports and releases what dead processes left; returns how many jobs it reported. One sweep at a time. */
  sweep(report: ReportInterrupted): Promise<number> {
    this.sweeping ??= this.sweepOnce(report).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(report: ReportInterrupted): Promise<number> {
    const deadAfter = this.timing.deadAfterMs / 1000;
    // A running job whose process is silent, or an interrupted one whose reporter died before it finished.
    const claimed = await this.pool.query<{ key: string; job: unknown; processes: unknown; locked_by: string | null; graphile_job_id: string | null }>(
      `update heaven.deploy_jobs j set state = 'interrupted', claimed_by = $1
        where j.state in ('running', 'interrupted')
          and (case when j.state = 'running' then j.worker_id else j.claimed_by end) is distinct from $1
          and not exists (
            select 1 from heaven.worker_heartbeats h
             where h.worker_id = (case when j.state = 'running' then j.worker_id else j.claimed_by end)
               and h.beat_at > now() - make_interval(secs => $2))
       returning key, job, processes, locked_by, graphile_job_id`,
      [this.workerId, deadAfter],
    );
    const stale = await this.pool.query<{ pool_id: string | null }>(
      "delete from heaven.worker_heartbeats where beat_at <= now() - make_interval(secs => $1) and worker_id <> $2 returning pool_id",
      [deadAfter, this.workerId],
    );
    const deadPools = [...new Set([...claimed.rows.map((row) => row.locked_by), ...stale.rows.map((row) => row.pool_id)])].filter((id): id is string => id !== null);
    // Reported (its leftover process group killed) before its lane is let go: the next deployment never overlaps it.
    for (const row of claimed.rows) {
      const read = parseJob(row.job);
      const processes: ProcessRecord[] = processesSchema.safeParse(row.processes).data ?? [];
      if (read.ok) await report(read.job, processes).catch(this.onError);
      await this.pool.query("update heaven.deploy_jobs set state = 'finished', finished_at = now() where key = $1 and state = 'interrupted' and claimed_by = $2", [
        row.key,
        this.workerId,
      ]);
    }
    if (deadPools.length > 0) await this.release(deadPools, claimed.rows.flatMap((row) => (row.graphile_job_id === null ? [] : [row.graphile_job_id])));
    await this.prune();
    return claimed.rows.length;
  }

  /**
   * Unlocks the dead pools' lanes and removes the jobs they were running
   * (tried once, they would never run again). A job a dead pool had locked
   * but not yet started goes back in its lane, in its place.
   */
  private async release(deadPools: string[], deadJobIds: string[]): Promise<void> {
    const unstarted = await this.pool.query<{ key: string; lane: string; accepted_at: Date }>(
      `select d.key, d.lane, d.accepted_at from heaven.deploy_jobs d join graphile_worker.jobs g on g.key = d.key
        where d.state = 'queued' and g.locked_by = any($1::text[])`,
      [deadPools],
    );
    await this.utils.forceUnlockWorkers(deadPools);
    if (deadJobIds.length > 0) await this.utils.completeJobs(deadJobIds);
    for (const row of unstarted.rows) await scheduleRun(this.pool, row.key, row.lane, row.accepted_at);
  }

  private async prune(): Promise<void> {
    await this.pool.query("delete from heaven.deploy_jobs where state = 'finished' and finished_at < now() - make_interval(days => $1)", [KEEP_FINISHED_DAYS]);
    await this.pool.query("delete from heaven.wakes where coalesce(woken_at, '-infinity') < now() - interval '1 day'");
  }

  /** Stops beating; `forget` removes this process's row (a clean exit: what it left is for the next sweeper at once). */
  async stop(forget: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    if (forget) await this.pool.query("delete from heaven.worker_heartbeats where worker_id = $1", [this.workerId]);
  }
}
