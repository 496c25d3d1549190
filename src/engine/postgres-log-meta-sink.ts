/**
 * The log page's metadata in PostgreSQL (scale-out mode): what
 * engine/log-meta-sink.ts writes beside a log file, as a row per log,
 * folded the same way (foldLogMeta) and masked the same way. Each write
 * reads the previous row and upserts the next under a lock on the key, so
 * two processes telling events of one deployment (the server says `queued`,
 * a worker the rest) never lose one another's; and NOTIFYs the live tails.
 */
import type { Pool, PoolClient } from "pg";
import type { DeploymentEvent, EventSink, ProgressEvent } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import type { LogMeta } from "../core/log-store.js";
import { logKey } from "./log-links.js";
import { foldLogMeta } from "./log-meta-sink.js";
import { Secrets } from "./mask-secrets.js";
import { LOG_CHANNEL } from "./postgres-log-schema.js";
import { parseLogMeta } from "./postgres-log-store.js";

export interface PostgresLogMetaSinkOptions {
  /** Where links to the repository, ref and commit point (see githubWebUrl). */
  githubUrl: string;
  /** Masked in what is written, as in the log itself. */
  secrets: readonly string[];
  now?: () => number;
}

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

export class PostgresLogMetaSink implements EventSink {
  private readonly secrets = new Secrets();
  /** Each log's last write: this process's events of one deployment are written in the order published. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresLogMetaSinkOptions,
  ) {
    for (const secret of options.secrets) this.secrets.add(secret);
  }

  /** As LogMetaSink.publish: resolves once a `finished` event is stored; others are written in order, holding nothing back. */
  publish(job: DeploymentJob, event: DeploymentEvent): Promise<void> {
    if (event.type === "configured" || job.origin.kind !== "github") return Promise.resolve();
    const key = logKey(job.request.repository.fullName, job.request.id);
    const at = (this.options.now ?? Date.now)();
    const write = (this.writing.get(key) ?? Promise.resolve()).then(() => this.write(key, job, event, at));
    const settled = write.catch(() => undefined);
    this.writing.set(key, settled);
    void settled.then(() => {
      if (this.writing.get(key) === settled) this.writing.delete(key);
    });
    return event.type === "finished" ? write : Promise.resolve();
  }

  private write(key: string, job: DeploymentJob, event: ProgressEvent, at: number): Promise<void> {
    return updateLogMeta(this.pool, key, (previous) => {
      const meta = foldLogMeta(previous, job, event, at, this.options.githubUrl);
      return { ...meta, ref: this.secrets.mask(meta.ref), who: this.secrets.mask(meta.who), description: this.secrets.mask(meta.description) };
    });
  }
}
