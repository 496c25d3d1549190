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
import { applyMigrations } from "../queue/postgres-schema.js";

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

export function migrateLogSchema(pool: Pool): Promise<void> {
  return applyMigrations(pool, "log_migrations", MIGRATIONS);
}
