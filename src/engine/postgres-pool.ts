/** A pool for one of heaven's PostgreSQL parts (logs, events, outbox), its tables migrated before it is handed out. */
import pg from "pg";

export async function openMigratedPool(options: { connectionString: string; max: number; onError: (error: unknown) => void; migrate: (pool: pg.Pool) => Promise<void> }): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max });
  // An idle connection that breaks must not take the process down.
  pool.on("error", options.onError);
  try {
    await options.migrate(pool);
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
