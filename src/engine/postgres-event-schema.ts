/**
 * The table deployment events travel through in scale-out mode, from the
 * process that runs a deployment to the processes that serve pages
 * (postgres-event-relay.ts), and the statements that write, read and expire
 * its rows. Migrated like the logs' tables (postgres-log-schema.ts): through
 * the shared runner, under its advisory lock, counted in a table of its own.
 * Each migration runs once, never edited.
 */
import type { Pool } from "pg";
import { ADVISORY_LOCKS, applyMigrations } from "../queue/postgres-schema.js";

/** NOTIFY channel: the payload is the id of the row written, never the event (NOTIFY payloads stop at 8000 bytes). */
export const EVENT_CHANNEL = "heaven_events";

const MIGRATIONS: readonly string[] = [
  `create table heaven.relayed_events (
     id bigserial primary key,
     created_at timestamptz not null default now(),
     origin text not null,
     job jsonb not null,
     event jsonb not null,
     log_url text not null
   );
   create index relayed_events_created on heaven.relayed_events (created_at);`,
];

export function migrateEventSchema(pool: Pool): Promise<void> {
  return applyMigrations(pool, "event_migrations", MIGRATIONS);
}

const WRITE_LOCK = ADVISORY_LOCKS.eventWrites;

/**
 * One statement: the row and its NOTIFY commit together. Writers take turns
 * (a transaction-level advisory lock, held until the row is visible), so ids
 * become visible in id order: a reader that has seen id n never meets a
 * smaller id committed later, and "id > last seen" misses nothing.
 */
const INSERT = `
  with turn as (select pg_advisory_xact_lock($5::bigint)),
       added as (insert into heaven.relayed_events (origin, job, event, log_url) select $1, $2::jsonb, $3::jsonb, $4 from turn returning id)
  select pg_notify('${EVENT_CHANNEL}', id::text) from added`;

export async function insertEvent(pool: Pool, row: { origin: string; job: unknown; event: unknown; logUrl: string }): Promise<void> {
  await pool.query(INSERT, [row.origin, JSON.stringify(row.job), JSON.stringify(row.event), row.logUrl, WRITE_LOCK]);
}

/** A row after the last one read; `mine`: written by the reader itself (job and event left out, it skips them). */
export interface RelayedRow {
  id: string;
  mine: boolean;
  job: unknown;
  event: unknown;
  log_url: string;
}

/** Where a new listener starts: after every event written so far. */
export async function lastEventId(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>("select coalesce(max(id), 0)::text as id from heaven.relayed_events");
  return rows[0]?.id ?? "0";
}

/** The next `limit` rows after `after`, oldest first; the reader's own come back bare, so it moves past them. */
export async function rowsAfter(pool: Pool, after: string, origin: string, limit: number): Promise<RelayedRow[]> {
  const { rows } = await pool.query<RelayedRow>(
    `select id::text as id, origin = $2 as mine, case when origin <> $2 then job end as job, case when origin <> $2 then event end as event, log_url
       from heaven.relayed_events where id > $1::bigint order by id limit $3`,
    [after, origin, limit],
  );
  return rows;
}

/** Events are news, not history: a listener that was away that long has nothing to catch up on. */
export async function deleteEventsOlderThan(pool: Pool, ageMs: number): Promise<number> {
  const { rowCount } = await pool.query("delete from heaven.relayed_events where created_at < now() - $1::bigint * interval '1 millisecond'", [ageMs]);
  return rowCount ?? 0;
}
