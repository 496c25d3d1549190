/**
 * heaven's own tables in scale-out mode, beside graphile-worker's: the jobs
 * it accepted (the journal's equivalent: what a job is, where it stands,
 * which worker runs it), the latest wake per condition, and each worker's
 * heartbeat. Migrated on start, under an advisory lock so processes starting
 * together do not race; each migration runs once, in order, never edited.
 */
import type { Pool } from "pg";

export const HEAVEN_SCHEMA = "heaven";

const MIGRATIONS: readonly string[] = [
  `create table heaven.deploy_jobs (
     key text primary key,
     seq bigserial not null unique,
     lane text not null,
     job jsonb not null,
     state text not null check (state in ('queued', 'running', 'parked', 'interrupted', 'finished')),
     wake_on text,
     until timestamptz,
     worker_id text,
     locked_by text,
     graphile_job_id bigint,
     started_at timestamptz,
     processes jsonb not null default '[]',
     claimed_by text,
     accepted_at timestamptz not null default now(),
     finished_at timestamptz
   );
   create index deploy_jobs_live on heaven.deploy_jobs (lane, seq) where state <> 'finished';
   create index deploy_jobs_parked on heaven.deploy_jobs (wake_on) where state = 'parked';
   create index deploy_jobs_finished on heaven.deploy_jobs (finished_at) where state = 'finished';
   create table heaven.wakes (condition text primary key, woken_at timestamptz);
   create table heaven.worker_heartbeats (worker_id text primary key, pool_id text, beat_at timestamptz not null);`,
];

/** heaven's advisory lock keys, arbitrary but distinct, in one place so no two parts ever share one. */
export const ADVISORY_LOCKS = {
  /** Held while migrating any heaven schema. */
  migrations: 7_262_351_830,
  /** Held by the one process delivering the shared outbox (github/postgres-outbox.ts), for as long as it does. */
  outboxDeliverer: 7_262_351_831,
  /** Taken by each event write, so ids become visible in order (engine/postgres-event-schema.ts). */
  eventWrites: 7_262_351_832,
} as const;
const MIGRATION_LOCK = ADVISORY_LOCKS.migrations;

export function migrateHeavenSchema(pool: Pool): Promise<void> {
  return applyMigrations(pool, "migrations", MIGRATIONS);
}

/**
 * Applies the `migrations` not yet recorded in `heaven.<table>`, in order, in
 * one transaction, under one advisory lock shared by every heaven schema, so
 * processes starting together never race.
 */
export async function applyMigrations(pool: Pool, table: string, migrations: readonly string[]): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // The lock is taken before the transaction begins: a backend that waited
    // for it only sees the schema the holder created once a new transaction starts.
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query("begin");
      await client.query(`create schema if not exists ${HEAVEN_SCHEMA}`);
      await client.query(`create table if not exists ${HEAVEN_SCHEMA}.${table} (id integer primary key, applied_at timestamptz not null default now())`);
      const { rows } = await client.query<{ id: number }>(`select coalesce(max(id), 0)::int as id from ${HEAVEN_SCHEMA}.${table}`);
      const applied = rows[0]?.id ?? 0;
      for (const [index, sql] of migrations.entries()) {
        if (index + 1 <= applied) continue;
        await client.query(sql);
        await client.query(`insert into ${HEAVEN_SCHEMA}.${table} (id) values ($1)`, [index + 1]);
      }
      await client.query("commit");
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      // A connection that could not let go of the lock is closed rather than pooled.
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch((error: Error) => (broken = error));
    }
  } finally {
    client.release(broken);
  }
}
