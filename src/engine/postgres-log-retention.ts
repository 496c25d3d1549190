/**
 * HEAVEN_LOG_RETENTION_DAYS for the logs in PostgreSQL: a log (its chunks
 * and its metadata) last written more than `days` ago goes, unless the
 * queue still holds its deployment — the rule the file sweep follows
 * (decisions/select-expired.ts). One process sweeping is enough; several
 * sweeping together delete the same rows, which is harmless.
 */
import type { Pool } from "pg";
import { selectExpired } from "../decisions/select-expired.js";

export interface LogRetentionRule {
  /** 0: keep for ever. */
  days: number;
  /** Log keys (owner/repo/id) of the deployments the queue still holds. */
  live: ReadonlySet<string>;
  now: number;
}

const LAST_WRITTEN = `
  select key, extract(epoch from max(written_at)) * 1000 as written
    from (select key, written_at from heaven.log_chunks union all select key, written_at from heaven.log_meta) as writes
   group by key`;

/** Removes the expired logs; resolves with how many went. */
export async function sweepPostgresLogs(pool: Pool, rule: LogRetentionRule): Promise<number> {
  if (rule.days <= 0) return 0;
  const { rows } = await pool.query<{ key: string; written: string | number }>(LAST_WRITTEN);
  const expired = selectExpired(
    rows.map((row) => ({ key: row.key, mtimeMs: Number(row.written) })),
    rule,
  ).map((entry) => entry.key);
  if (expired.length === 0) return 0;
  await pool.query("delete from heaven.log_chunks where key = any($1::text[])", [expired]);
  await pool.query("delete from heaven.log_meta where key = any($1::text[])", [expired]);
  return expired.length;
}
