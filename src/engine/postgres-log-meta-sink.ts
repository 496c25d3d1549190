/**
 * The log page's metadata in PostgreSQL (scale-out mode): LogMetaSink's
 * `update` (engine/log-meta-sink.ts) as a row per log instead of a file
 * beside it. Each write reads the previous row and upserts the next under a lock on the key, so
 * two processes telling events of one deployment (the server says `queued`,
 * a worker the rest) never lose one another's; and NOTIFYs the live tails.
 */
import type { Pool, PoolClient } from "pg";
import type { LogMeta } from "../core/log-store.js";
import { LOG_CHANNEL } from "./postgres-log-schema.js";
import { parseLogMeta } from "./postgres-log-store.js";

/** Replaces a log's metadata with what `fold` makes of it, as one transaction holding the key's lock. */
export async function updateLogMeta(pool: Pool, key: string, fold: (previous: LogMeta | undefined) => LogMeta): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    await client.query("select pg_advisory_xact_lock(hashtext('heaven.log_meta'), hashtext($1))", [key]);
    const meta = fold(await previousMeta(client, key));
    await client.query(
      `insert into heaven.log_meta (key, meta) values ($1, $2) on conflict (key) do update set meta = excluded.meta, written_at = now()`,
      [key, JSON.stringify(meta)],
    );
    await client.query(`select pg_notify('${LOG_CHANNEL}', $1)`, [key]);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch((failed: Error) => (broken = failed));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function previousMeta(client: PoolClient, key: string): Promise<LogMeta | undefined> {
  const { rows } = await client.query<{ meta: unknown }>("select meta from heaven.log_meta where key = $1", [key]);
  return rows[0] === undefined ? undefined : parseLogMeta(rows[0].meta);
}
