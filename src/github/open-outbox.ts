/**
 * The process's outbox from its settings: a file under the data directory,
 * or with DATABASE_URL the rows every heaven process shares. Switching to
 * PostgreSQL loses nothing: writes the file still holds are stored there
 * first, and the file is set aside (renamed, not deleted).
 */
import { access, rename } from "node:fs/promises";
import { join } from "node:path";
import { Outbox, type OutboxLog, type OutboxOptions } from "./outbox.js";
import { OutboxFile } from "./outbox-file.js";
import { pendingInOrder } from "./outbox-state.js";
import { PostgresOutbox, type DeliveringOutbox } from "./postgres-outbox.js";
import { insertFinished, insertWrite, saveComment } from "./postgres-outbox-rows.js";
import type pg from "pg";

export interface OpenOutboxOptions extends Omit<OutboxOptions, "file" | "log"> {
  dataDir: string;
  log: OutboxLog;
  /** Scale-out mode. */
  databaseUrl?: string | undefined;
  onDatabaseError?: (error: unknown) => void;
}

export async function openOutbox(options: OpenOutboxOptions): Promise<DeliveringOutbox> {
  const { dataDir, databaseUrl, onDatabaseError, ...rest } = options;
  const file = join(dataDir, "outbox.jsonl");
  if (databaseUrl === undefined) {
    // Outbox.open says itself how many writes it restored.
    const { outbox, skipped } = await Outbox.open({ ...rest, file });
    for (const line of skipped) rest.log.error({ line }, `outbox: ${line}`);
    return outbox;
  }
  const onError = onDatabaseError ?? ((error: unknown) => rest.log.error({ err: error }, "outbox: a PostgreSQL error in the background"));
  return PostgresOutbox.open({ ...rest, connectionString: databaseUrl, onError, importFrom: (pool) => importFileOutbox(file, pool, rest.log) });
}

/**
 * An embedded heaven's outbox, moved into PostgreSQL before this process
 * delivers or adds anything: its undelivered writes (asked about on GitHub
 * before they are sent, as after any restart), the keys it had finished
 * (still duplicates) and its replies' comments (still edited).
 */
async function importFileOutbox(path: string, pool: pg.Pool, log: OutboxLog): Promise<void> {
  if (!(await access(path).then(() => true, () => false))) return;
  const { file, skipped } = await OutboxFile.open(path, { failed: () => undefined });
  const { state } = file;
  await file.close();
  for (const line of skipped) log.error({ line }, `outbox: ${line}`);
  await insertFinished(pool, [...state.remembered]);
  for (const [group, id] of state.comments) await saveComment(pool, group, id);
  const pending = pendingInOrder(state);
  for (const stored of pending) await insertWrite(pool, stored.write, stored.createdAt, true);
  const aside = `${path}.imported-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  // Another process sharing this data directory may have moved it first: it holds the same writes.
  await rename(path, aside).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
  log.info({ moved: pending.length, aside }, `outbox: ${pending.length} GitHub writes of ${path} moved into PostgreSQL; the file is kept as ${aside}`);
}
