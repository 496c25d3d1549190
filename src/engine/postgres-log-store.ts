/**
 * The log store in PostgreSQL (scale-out mode): whichever worker ran a
 * deployment, any process reads its log. Same promises as the file store
 * (engine/log-store.ts): byte offsets (UTF-8 bytes of the stored text),
 * complete lines only, a line longer than the read handed out whole,
 * finished once the metadata says so and everything is read. Each read is
 * one statement, so the metadata and the lines it sees are one snapshot: a
 * `finished` seen means the lines written before it are there too. Unlike
 * the file store, a log with lines and no metadata is never finished (there
 * is no older heaven's log here). Live tails wait on LISTEN/NOTIFY.
 */
import type { Pool } from "pg";
import { logMetaSchema, type LogChunk, type LogInfo, type LogMeta, type LogStore } from "../core/log-store.js";
import type { LogNotifications } from "./log-notifications.js";
import { READ_BYTES } from "./log-store.js";

const NEWLINE = 0x0a;

interface ReadRow {
  meta: unknown;
  size: string | null;
  chunks: Array<{ start: number; text: string }>;
}

interface InfoRow {
  meta: unknown;
  size: string | null;
  written: Date | null;
  meta_written: Date | null;
}

const READ = `
  select (select meta from heaven.log_meta where key = $1) as meta,
         (select max(end_offset) from heaven.log_chunks where key = $1) as size,
         coalesce((select json_agg(json_build_object('start', start_offset, 'text', text) order by start_offset)
                     from heaven.log_chunks where key = $1 and end_offset > $2 and start_offset < $2 + $3), '[]') as chunks`;

const INFO = `
  select (select meta from heaven.log_meta where key = $1) as meta,
         (select written_at from heaven.log_meta where key = $1) as meta_written,
         max(end_offset) as size, max(written_at) as written
    from heaven.log_chunks where key = $1`;

/** Metadata as stored; undefined when it is not what this heaven writes. */
export function parseLogMeta(value: unknown): LogMeta | undefined {
  const parsed = logMetaSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export class PostgresLogStore implements LogStore {
  readonly changed?: (key: string, signal: AbortSignal) => Promise<void>;

  /** `notifications`: none, and a live tail polls. */
  constructor(
    private readonly pool: Pool,
    notifications?: LogNotifications,
  ) {
    if (notifications !== undefined) this.changed = (key, signal) => notifications.changed(key, signal);
  }

  async read(key: string, from: number, maxBytes = READ_BYTES): Promise<LogChunk | undefined> {
    const window = Math.max(1, Math.floor(maxBytes));
    const asked = Math.max(0, Math.floor(from));
    const { rows } = await this.pool.query<ReadRow>(READ, [key, asked, window]);
    const row = rows[0];
    const meta = row?.meta === null || row?.meta === undefined ? undefined : parseLogMeta(row.meta);
    if (row === undefined || (row.size === null && row.meta === null)) return undefined;
    const size = Number(row.size ?? 0);
    const start = Math.min(asked, size);
    const first = row.chunks[0];
    // The stored runs overlapping the window, as bytes from `start`; each run ends at a line's end.
    const bytes = first === undefined ? Buffer.alloc(0) : Buffer.concat(row.chunks.map((chunk) => Buffer.from(chunk.text, "utf8"))).subarray(Math.max(0, start - first.start));
    const within = bytes.lastIndexOf(NEWLINE, window - 1) + 1;
    const end = within > 0 ? within : bytes.indexOf(NEWLINE) + 1;
    const next = start + end;
    const text = bytes.subarray(0, end).toString("utf8");
    const toEnd = start + bytes.length >= size && bytes.indexOf(NEWLINE, end) === -1;
    // Finished: nothing more comes, so a last line without its break is handed out too.
    if (toEnd && meta?.finished === true) return { text: bytes.toString("utf8"), next: size, finished: true };
    return { text, next, finished: false };
  }

  async info(key: string): Promise<LogInfo | undefined> {
    const { rows } = await this.pool.query<InfoRow>(INFO, [key]);
    const row = rows[0];
    if (row === undefined || (row.size === null && row.meta === null)) return undefined;
    const meta = row.meta === null ? undefined : parseLogMeta(row.meta);
    const updatedAt = Math.max(row.written?.getTime() ?? 0, row.meta_written?.getTime() ?? 0, meta?.updatedAt ?? 0);
    return { meta, size: Number(row.size ?? 0), updatedAt };
  }

}
