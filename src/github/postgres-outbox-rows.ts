/**
 * The outbox's rows in scale-out mode: every heaven process adds its GitHub
 * writes here, and the one process that delivers (postgres-outbox.ts) reads
 * them. A write's key is the primary key, so a write added twice, by any
 * process, is stored once; a finished write keeps its row for a week, so a
 * redelivered webhook stays a duplicate. Migrated on start like the queue's
 * tables, counted on their own.
 */
import type { Pool, QueryResult, QueryResultRow } from "pg";

type Queryable = { query<R extends QueryResultRow>(sql: string, values?: unknown[]): Promise<QueryResult<R>> };
import { applyMigrations } from "../queue/postgres-schema.js";
import { parseOutboxRecord, type DoneHow, type OutboxWrite, type StoredWrite } from "./outbox-state.js";

/** NOTIFY channel: a write was added; the deliverer looks for new rows. */
export const OUTBOX_CHANNEL = "heaven_outbox";

const MIGRATIONS: readonly string[] = [
  `create table heaven.outbox (
     key text primary key,
     seq bigserial not null unique,
     created_at bigint not null,
     write jsonb not null,
     done text check (done in ('delivered', 'coalesced', 'dropped')),
     done_at timestamptz,
     check_first boolean not null default false
   );
   create index outbox_pending on heaven.outbox (seq) where done is null;
   create index outbox_done on heaven.outbox (done_at) where done is not null;
   create table heaven.outbox_comments (group_key text primary key, comment_id bigint not null, saved_at timestamptz not null default now());
   create table heaven.outbox_deliverer (id integer primary key check (id = 1), backend_pid integer not null, beat_at timestamptz not null);`,
];

/** Finished writes are kept this long: adding one again is a duplicate. */
const KEEP_DONE_DAYS = 7;
/** Reply groups whose comment is remembered (the file outbox keeps as many). */
const COMMENTS_KEPT = 10_000;

export function migrateOutboxSchema(pool: Pool): Promise<void> {
  return applyMigrations(pool, "outbox_migrations", MIGRATIONS);
}

/**
 * Stores the write and wakes the deliverer; undefined when its key was
 * stored before. `checkFirst`: it may have reached GitHub already (a file
 * outbox's, moved in), so the deliverer asks before sending it.
 */
export async function insertWrite(pool: Pool, write: OutboxWrite, createdAt: number, checkFirst = false): Promise<StoredWrite | undefined> {
  const { rows } = await pool.query<{ seq: string }>(
    `with added as (insert into heaven.outbox (key, created_at, write, check_first) values ($1, $2, $3, $4) on conflict (key) do nothing returning seq)
     select seq, pg_notify('${OUTBOX_CHANNEL}', '') from added`,
    [write.key, createdAt, JSON.stringify(write), checkFirst],
  );
  const seq = rows[0]?.seq;
  return seq === undefined ? undefined : { seq: Number(seq), createdAt, write };
}

/** Keys a file outbox had finished, so adding one again stays a duplicate. */
export async function insertFinished(pool: Pool, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await pool.query(
    `insert into heaven.outbox (key, created_at, write, done, done_at) select key, 0, '{}'::jsonb, 'delivered', now() from unnest($1::text[]) as key on conflict (key) do nothing`,
    [keys],
  );
}

/** Writes not finished, oldest first; rows that no longer read as a write are reported, not delivered. */
export async function readPending(pool: Pool): Promise<{ writes: Array<{ stored: StoredWrite; check: boolean }>; skipped: string[] }> {
  const { rows } = await pool.query<{ seq: string; created_at: string; write: unknown; check_first: boolean }>(
    "select seq, created_at, write, check_first from heaven.outbox where done is null order by seq",
  );
  const writes: Array<{ stored: StoredWrite; check: boolean }> = [];
  const skipped: string[] = [];
  for (const row of rows) {
    const parsed = parseOutboxRecord({ t: "add", seq: Number(row.seq), createdAt: Number(row.created_at), write: row.write });
    if (parsed.ok && parsed.value.t === "add") writes.push({ stored: { seq: parsed.value.seq, createdAt: parsed.value.createdAt, write: parsed.value.write }, check: row.check_first });
    else if (!parsed.ok) skipped.push(`row ${row.seq}: ${parsed.error}`);
  }
  return { writes, skipped };
}

export async function markDone(pool: Pool, key: string, how: DoneHow): Promise<void> {
  await pool.query("update heaven.outbox set done = $2, done_at = now() where key = $1 and done is null", [key, how]);
}

export async function saveComment(pool: Pool, group: string, id: number): Promise<void> {
  await pool.query(
    "insert into heaven.outbox_comments (group_key, comment_id) values ($1, $2) on conflict (group_key) do update set comment_id = $2, saved_at = now()",
    [group, id],
  );
}

/** The reply groups' comments, oldest first. */
export async function readComments(pool: Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ group_key: string; comment_id: string }>(
    `select group_key, comment_id from (select * from heaven.outbox_comments order by saved_at desc limit ${COMMENTS_KEPT}) recent order by saved_at`,
  );
  return new Map(rows.map((row) => [row.group_key, Number(row.comment_id)]));
}

/** The deliverer says it is alive, on the connection that holds its lock (so the pid is that connection's). */
export async function beatAsDeliverer(client: Queryable): Promise<void> {
  await client.query(
    "insert into heaven.outbox_deliverer (id, backend_pid, beat_at) values (1, pg_backend_pid(), now()) on conflict (id) do update set backend_pid = excluded.backend_pid, beat_at = now()",
  );
}

/**
 * Ends the connection of a deliverer silent for `silentMs` that still holds
 * `lock` (a frozen process keeps its connection, and with it the turn):
 * the lock goes with it. Returns whether one was ended.
 */
export async function unseatFrozenDeliverer(client: Queryable, lock: number, silentMs: number): Promise<boolean> {
  const { rows } = await client.query<{ ended: boolean }>(
    `select pg_terminate_backend(d.backend_pid) as ended from heaven.outbox_deliverer d
       join pg_locks l on l.pid = d.backend_pid and l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and (l.classid::bigint << 32) + l.objid::bigint = $1
     where d.beat_at < now() - make_interval(secs => $2::double precision / 1000) and d.backend_pid <> pg_backend_pid()`,
    [lock, silentMs],
  );
  return rows.some((row) => row.ended);
}

/** Forgets finished writes and comments older than the window; returns how many rows went. */
export async function sweepFinished(pool: Pool): Promise<number> {
  const writes = await pool.query(`delete from heaven.outbox where done is not null and done_at < now() - interval '${KEEP_DONE_DAYS} days'`);
  const comments = await pool.query(`delete from heaven.outbox_comments where saved_at < now() - interval '${KEEP_DONE_DAYS * 4} days'`);
  return (writes.rowCount ?? 0) + (comments.rowCount ?? 0);
}
