/**
 * Deployment logs in PostgreSQL, for one process of the scale-out mode: the
 * store the log page reads (any process's), the tee a deployment's lines
 * go through (DeploymentLogOptions.tee), and the metadata sink. One pool of
 * a few connections and one LISTEN connection, whatever number of
 * deployments and readers. Migrates its tables on open.
 */
import pg from "pg";
import { LogNotifications } from "./log-notifications.js";
import { openMigratedPool } from "./postgres-pool.js";
import { migrateLogSchema } from "./postgres-log-schema.js";
import { LogMetaSink, type LogMetaSinkOptions } from "./log-meta-sink.js";
import { updateLogMeta } from "./postgres-log-meta-sink.js";
import { sweepPostgresLogs, type LogRetentionRule } from "./postgres-log-retention.js";
import { PostgresLogStore } from "./postgres-log-store.js";
import { PostgresLogWriter, type PostgresLogWriterOptions } from "./postgres-log-writer.js";

export interface PostgresLogsOptions {
  /** DATABASE_URL. */
  connectionString: string;
  /** A connection or write that failed (logged; the deployment goes on). */
  onError: (error: unknown) => void;
  /** Connections for reads and writes (LISTEN has one more of its own). */
  poolSize?: number;
  writer?: Omit<PostgresLogWriterOptions, "onError" | "onClosed">;
}

export class PostgresLogs {
  readonly store: PostgresLogStore;
  private readonly writers = new Set<PostgresLogWriter>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly notifications: LogNotifications,
    private readonly options: PostgresLogsOptions,
  ) {
    this.store = new PostgresLogStore(pool, notifications);
  }

  static async open(options: PostgresLogsOptions): Promise<PostgresLogs> {
    const pool = await openMigratedPool({ connectionString: options.connectionString, max: options.poolSize ?? 4, onError: options.onError, migrate: migrateLogSchema });
    try {
      const notifications = await LogNotifications.open(options.connectionString, options.onError);
      return new PostgresLogs(pool, notifications, options);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  /** Where the lines of log `key` (logKey) go besides the worker's file: pass as DeploymentLogOptions.tee. */
  tee(key: string): PostgresLogWriter {
    // Closed by the deployment's log; `close` below flushes any a crash path left open.
    const writer: PostgresLogWriter = new PostgresLogWriter(this.pool, key, {
      ...this.options.writer,
      onError: this.options.onError,
      onClosed: () => this.writers.delete(writer),
    });
    this.writers.add(writer);
    return writer;
  }

  /** The log page's metadata sink, writing rows here instead of files beside the logs. */
  metaSink(options: Omit<LogMetaSinkOptions, "dataDir" | "update">): LogMetaSink {
    return new LogMetaSink({ ...options, update: (key, next) => updateLogMeta(this.pool, key, next) });
  }

  /** HEAVEN_LOG_RETENTION_DAYS: removes logs last written longer ago, but none the queue still holds. */
  sweep(rule: LogRetentionRule): Promise<number> {
    return sweepPostgresLogs(this.pool, rule);
  }

  /** After the deployments have stopped: flushes what is left, stops listening, closes the pool. */
  async close(): Promise<void> {
    await Promise.all([...this.writers].map((writer) => writer.close()));
    await this.notifications.close();
    await this.pool.end();
  }
}
