/**
 * The deployment logs' tables in scale-out mode: each log's lines as chunks
 * (a run of complete lines and the byte range it covers, in UTF-8 bytes of
 * the text stored) and each log's metadata (what the page shows beside the
 * lines). Migrated on start like the queue's tables (queue/postgres-schema.ts),
 * under the same advisory lock, so processes starting together — and the
 * two sets of migrations — never race; counted in a table of their own, so
 * each set is numbered on its own. Each migration runs once, never edited.
 */
import type { Pool } from "pg";
import { HEAVEN_SCHEMA, MIGRATION_LOCK } from "../queue/postgres-schema.js";

/** NOTIFY channel: the payload is the log key written to (lines or metadata). */
export const LOG_CHANNEL = "heaven_log";

const MIGRATIONS: readonly string[] = [
  `create table heaven.log_chunks (
     key text not null,
     start_offset bigint not null,
     end_offset bigint not null check (end_offset > start_offset),
     text text not null,
     written_at timestamptz not null default now(),
     primary key (key, start_offset)
   );
   create index log_chunks_end on heaven.log_chunks (key, end_offset);
   create table heaven.log_meta (key text primary key, meta jsonb not null, written_at timestamptz not null default now());`,
];

export async function migrateLogSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // Taken before the transaction begins, so a waiter sees what the holder created.
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query("begin");
      await client.query(`create schema if not exists ${HEAVEN_SCHEMA}`);
      await client.query(`create table if not exists ${HEAVEN_SCHEMA}.log_migrations (id integer primary key, applied_at timestamptz not null default now())`);
      const { rows } = await client.query<{ id: number }>(`select coalesce(max(id), 0)::int as id from ${HEAVEN_SCHEMA}.log_migrations`);
      const applied = rows[0]?.id ?? 0;
      for (const [index, sql] of MIGRATIONS.entries()) {
        if (index + 1 <= applied) continue;
        await client.query(sql);
        await client.query(`insert into ${HEAVEN_SCHEMA}.log_migrations (id) values ($1)`, [index + 1]);
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
