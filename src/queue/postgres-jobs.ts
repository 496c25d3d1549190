/**
 * heaven's rows for deployment jobs in scale-out mode, and the graphile-worker
 * job that runs each: one graphile job per heaven job, in the named queue of
 * its lane (one running per lane, FIFO), keyed by the deployment key, tried
 * once. The heaven row says what the job is and where it stands; the
 * graphile job only says when it may run and who holds it.
 */
import type { Pool, PoolClient } from "pg";
import type { QueuePosition } from "../core/events.js";
import { parseJob, type DeploymentJob } from "../core/job.js";
import type { ProcessRecord, QueueEntry } from "../core/queue.js";
import { lanePosition } from "../decisions/lane-position.js";

export const DEPLOY_TASK = "heaven_deploy";
const GRAPHILE = "graphile_worker";

type Db = Pick<PoolClient, "query">;

export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (error) {
    // A connection that cannot even roll back is closed rather than pooled.
    await client.query("rollback").catch((failed: Error) => (broken = failed));
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Lets the graphile job of `key` run at `runAt` (now when null): a new job,
 * or the waiting one moved. A job that already started keeps running and a
 * new one is made (graphile-worker's replace mode).
 */
export async function scheduleRun(db: Db, key: string, lane: string, runAt: Date | null): Promise<void> {
  await db.query(
    `select ${GRAPHILE}.add_job($1::text, json_build_object('key', $2::text), queue_name := $3::text, run_at := $4::timestamptz, max_attempts := 1, job_key := $2::text)`,
    [DEPLOY_TASK, key, lane, runAt],
  );
}

/** Accepts `job` unless its key is known (finished keys are kept 30 days); says why it would not start at once. */
export async function insertJob(pool: Pool, job: DeploymentJob): Promise<{ added: false } | { added: true; position: QueuePosition | undefined }> {
  return inTransaction(pool, async (client) => {
    const inserted = await client.query(
      "insert into heaven.deploy_jobs (key, lane, job, state) values ($1, $2, $3, 'queued') on conflict (key) do nothing returning key",
      [job.key, job.lane, JSON.stringify(job)],
    );
    if (inserted.rowCount === 0) return { added: false as const };
    const ahead = await client.query<{ job: unknown; state: string }>(
      "select job, state from heaven.deploy_jobs where lane = $1 and key <> $2 and state in ('queued', 'running') order by seq",
      [job.lane, job.key],
    );
    await scheduleRun(client, job.key, job.lane, null);
    return { added: true as const, position: lanePosition(readEntries(ahead.rows)) };
  });
}

/** Takes the job for a run on `workerId` (and beats for it): undefined when it is not waiting any more. */
export async function startRun(
  pool: Pool,
  run: { key: string; workerId: string; lockedBy: string | null; graphileJobId: string },
): Promise<{ job: DeploymentJob; startedAt: Date } | { unreadable: string } | undefined> {
  const { rows } = await pool.query<{ job: unknown; started_at: Date }>(
    `with beat as (
       insert into heaven.worker_heartbeats (worker_id, beat_at) values ($2, now())
       on conflict (worker_id) do update set beat_at = now()
     )
     update heaven.deploy_jobs
        set state = 'running', worker_id = $2, locked_by = $3, graphile_job_id = $4, started_at = now(), processes = '[]', claimed_by = null
      where key = $1 and state in ('queued', 'parked')
     returning job, started_at`,
    [run.key, run.workerId, run.lockedBy, run.graphileJobId],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const read = parseJob(row.job);
  if (read.ok) return { job: read.job, startedAt: row.started_at };
  await finishRun(pool, run.key, run.workerId);
  return { unreadable: read.error };
}

export async function recordProcess(pool: Pool, key: string, workerId: string, process: ProcessRecord): Promise<void> {
  await pool.query("update heaven.deploy_jobs set processes = processes || $3::jsonb where key = $1 and worker_id = $2 and state = 'running'", [
    key,
    workerId,
    JSON.stringify([process]),
  ]);
}

export async function finishRun(pool: Pool, key: string, workerId: string): Promise<void> {
  await pool.query("update heaven.deploy_jobs set state = 'finished', finished_at = now() where key = $1 and worker_id = $2 and state = 'running'", [key, workerId]);
}

/**
 * Parks a run: its graphile job comes back at `until`, or at once when its
 * condition was woken after the run started (the run may have read CI just
 * before). The wake row is locked first, so a wake and a park never miss
 * each other.
 */
export async function parkRun(pool: Pool, run: { key: string; workerId: string; startedAt: Date }, parked: { job: DeploymentJob; until: number; wakeOn: string }): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("insert into heaven.wakes (condition, woken_at) values ($1, null) on conflict (condition) do nothing", [parked.wakeOn]);
    const wake = await client.query<{ woken: boolean }>("select coalesce(woken_at >= $2, false) as woken from heaven.wakes where condition = $1 for update", [
      parked.wakeOn,
      run.startedAt,
    ]);
    const woken = wake.rows[0]?.woken === true;
    const updated = await client.query<{ lane: string }>(
      "update heaven.deploy_jobs set state = $3, job = $4, wake_on = $5, until = $6 where key = $1 and worker_id = $2 and state = 'running' returning lane",
      [run.key, run.workerId, woken ? "queued" : "parked", JSON.stringify(parked.job), parked.wakeOn, new Date(parked.until)],
    );
    const lane = updated.rows[0]?.lane;
    if (lane !== undefined) await scheduleRun(client, run.key, lane, woken ? null : new Date(parked.until));
  });
}

/**
 * Parked jobs waiting on `condition` go to the back of their lanes now; with
 * no condition (a restart), every parked job goes back in its lane in the
 * place it was first accepted.
 */
export async function wakeParked(pool: Pool, condition: string | undefined): Promise<number> {
  return inTransaction(pool, async (client) => {
    if (condition !== undefined) {
      await client.query("insert into heaven.wakes (condition, woken_at) values ($1, now()) on conflict (condition) do update set woken_at = now()", [condition]);
    }
    const { rows } = await client.query<{ key: string; lane: string; accepted_at: Date }>(
      "update heaven.deploy_jobs set state = 'queued' where state = 'parked' and ($1::text is null or wake_on = $1) returning key, lane, accepted_at",
      [condition ?? null],
    );
    for (const row of rows) await scheduleRun(client, row.key, row.lane, condition === undefined ? row.accepted_at : null);
    return rows.length;
  });
}

/** Jobs not finished, in the order they were accepted; one being reported as interrupted counts as running. */
export async function listJobs(pool: Pool, lane: string | undefined): Promise<QueueEntry[]> {
  const { rows } = await pool.query<{ job: unknown; state: string }>(
    "select job, state from heaven.deploy_jobs where state <> 'finished' and ($1::text is null or lane = $1) order by seq",
    [lane ?? null],
  );
  return readEntries(rows);
}

/**
 * What a starting process finds waiting: queued and parked jobs, and rows it
 * cannot read, which are set aside as finished and reported with why.
 */
export async function takeStock(pool: Pool): Promise<{ queued: number; parked: number; skipped: string[] }> {
  const { rows } = await pool.query<{ key: string; state: string; job: unknown }>("select key, state, job from heaven.deploy_jobs where state in ('queued', 'parked') order by seq");
  const stock = { queued: 0, parked: 0, skipped: [] as string[] };
  for (const row of rows) {
    const read = parseJob(row.job);
    if (read.ok) {
      stock[row.state === "parked" ? "parked" : "queued"] += 1;
      continue;
    }
    await pool.query("update heaven.deploy_jobs set state = 'finished', finished_at = now() where key = $1 and state = $2", [row.key, row.state]);
    stock.skipped.push(`job ${row.key}: ${read.error}; skipped`);
  }
  return stock;
}

function readEntries(rows: ReadonlyArray<{ job: unknown; state: string }>): QueueEntry[] {
  return rows.flatMap((row) => {
    const read = parseJob(row.job);
    if (!read.ok) return [];
    const state = row.state === "queued" || row.state === "parked" ? row.state : "running";
    return [{ job: read.job, state }];
  });
}
