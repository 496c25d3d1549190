/**
 * A deployment's lines on their way to PostgreSQL: DeploymentLog hands each
 * block of complete, stamped, masked (and capped) lines here as it writes
 * the file. They are batched into chunk rows — written every `flushMs`, or
 * at once when `chunkBytes` are waiting, and at close — each write one
 * statement that also NOTIFYs the live tails of that log.
 *
 * The deploy script never waits for the database: at most `bufferBytes` are
 * held (waiting plus being written). When a slow or unreachable database
 * lets it fill, further lines are dropped, counted, and replaced by one
 * marker line once there is room again (the worker's own log file still has
 * them all). A failed write is retried `retryMs` later. `close` waits for
 * everything to be written, for at most `closeTimeoutMs`, then gives up.
 */
import type { Pool } from "pg";
import { setTimeout as delay } from "node:timers/promises";
import type { LogAppender } from "../core/log-store.js";
import { LOG_CHANNEL } from "./postgres-log-schema.js";

const NEWLINE = 0x0a;

export interface PostgresLogWriterOptions {
  flushMs?: number;
  chunkBytes?: number;
  bufferBytes?: number;
  retryMs?: number;
  closeTimeoutMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
  /** Told once close has finished. */
  onClosed?: () => void;
}

export const WRITER_DEFAULTS = { flushMs: 100, chunkBytes: 64 * 1024, bufferBytes: 4 * 1024 * 1024, retryMs: 1_000, closeTimeoutMs: 10_000 };

const INSERT = `
  with base as (select coalesce(max(end_offset), 0) as at from heaven.log_chunks where key = $1),
  inserted as (
    insert into heaven.log_chunks (key, start_offset, end_offset, text)
    select $1, base.at + r.s, base.at + r.e, r.t from base, unnest($2::bigint[], $3::bigint[], $4::text[]) as r(s, e, t)
    returning 1)
  select pg_notify('${LOG_CHANNEL}', $1) where exists (select 1 from inserted)`;

/**
 * Appends complete lines to a log's end as rows of about `chunkBytes` (a
 * longer line is one row of its own). Offsets count the stored text's bytes:
 * bytes PostgreSQL text cannot hold (NUL, invalid UTF-8) become U+FFFD first.
 */
export async function insertLogLines(pool: Pool, key: string, lines: Buffer, chunkBytes: number): Promise<void> {
  const starts: number[] = [];
  const ends: number[] = [];
  const texts: string[] = [];
  let at = 0;
  for (let from = 0; from < lines.length; ) {
    const window = lines.subarray(from, from + chunkBytes);
    const cut = window.length < chunkBytes && from + window.length === lines.length ? window.length : window.lastIndexOf(NEWLINE) + 1;
    const to = cut > 0 ? from + cut : (lines.indexOf(NEWLINE, from) + 1 || lines.length);
    const text = lines.subarray(from, to).toString("utf8").replaceAll("\u0000", "\uFFFD");
    const length = Buffer.byteLength(text);
    starts.push(at);
    ends.push(at + length);
    texts.push(text);
    at += length;
    from = to;
  }
  if (texts.length > 0) await pool.query(INSERT, [key, starts, ends, texts]);
}

export class PostgresLogWriter implements LogAppender {
  private readonly settings: typeof WRITER_DEFAULTS;
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private writingBytes = 0;
  private readonly dropped = { bytes: 0, lines: 0 };
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Set when close gave up: nothing more is tried. */
  private abandoned = false;

  constructor(
    private readonly pool: Pool,
    readonly key: string,
    private readonly options: PostgresLogWriterOptions = {},
  ) {
    const { flushMs, chunkBytes, bufferBytes, retryMs, closeTimeoutMs } = WRITER_DEFAULTS;
    this.settings = {
      flushMs: options.flushMs ?? flushMs,
      chunkBytes: options.chunkBytes ?? chunkBytes,
      bufferBytes: options.bufferBytes ?? bufferBytes,
      retryMs: options.retryMs ?? retryMs,
      closeTimeoutMs: options.closeTimeoutMs ?? closeTimeoutMs,
    };
  }

  /** Bytes held in memory: never much over `bufferBytes`. */
  get heldBytes(): number {
    return this.waitingBytes + this.writingBytes;
  }

  append(lines: Buffer): void {
    if (this.closed || lines.length === 0) return;
    if (this.heldBytes + lines.length > this.settings.bufferBytes) {
      this.dropped.bytes += lines.length;
      for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, at + 1)) this.dropped.lines += 1;
      return;
    }
    this.hold(this.marker());
    this.hold(lines);
    if (this.waitingBytes >= this.settings.chunkBytes) this.writeSoon(0);
    else this.writeSoon(this.settings.flushMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hold(this.marker());
    clearTimeout(this.timer);
    this.timer = undefined;
    const written = (async () => {
      this.start();
      while (this.writing !== undefined) await this.writing;
    })();
    const limit = new AbortController();
    await Promise.race([written, delay(this.settings.closeTimeoutMs, undefined, { signal: limit.signal }).catch(() => undefined)]);
    limit.abort();
    if (this.heldBytes > 0) {
      this.abandoned = true;
      this.waiting = [];
      this.waitingBytes = 0;
    }
    this.options.onClosed?.();
  }

  private hold(bytes: Buffer | undefined): void {
    if (bytes === undefined) return;
    this.waiting.push(bytes);
    this.waitingBytes += bytes.length;
  }

  /** The line that stands for what was dropped, once; undefined when nothing was. */
  private marker(): Buffer | undefined {
    const { bytes, lines } = this.dropped;
    if (bytes === 0) return undefined;
    this.dropped.bytes = 0;
    this.dropped.lines = 0;
    const at = new Date((this.options.now ?? Date.now)()).toISOString();
    return Buffer.from(`${at} heaven: … ${bytes} bytes (${lines} lines) of output dropped here: the database took them slower than the deployment printed them (the worker's own log file has them)\n`);
  }

  private writeSoon(ms: number): void {
    if (ms === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.start();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, ms);
  }

  /** One write loop at a time; lines that arrive while it runs go in its next round. */
  private start(): void {
    if (this.writing !== undefined || this.abandoned) return;
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
      if (this.waiting.length > 0 && !this.abandoned) this.writeSoon(this.closed ? 0 : this.settings.flushMs);
    });
  }

  /**
   * Writes what waits, and goes on while a chunk's worth (or, closing,
   * anything) is waiting; a few lines that came meanwhile wait for the next
   * flush, so a chatty script makes one row per `flushMs`, not one per line.
   */
  private async writeAll(): Promise<void> {
    for (let first = true; this.waiting.length > 0 && !this.abandoned && (first || this.closed || this.waitingBytes >= this.settings.chunkBytes); first = false) {
      const batch = Buffer.concat(this.waiting);
      this.waiting = [];
      this.waitingBytes = 0;
      this.writingBytes = batch.length;
      try {
        await insertLogLines(this.pool, this.key, batch, this.settings.chunkBytes);
      } catch (error) {
        this.options.onError?.(error);
        // Back at the front, before what came since; tried again a moment later.
        this.waiting.unshift(batch);
        this.waitingBytes += batch.length;
        if (!this.abandoned) await delay(this.settings.retryMs);
      } finally {
        this.writingBytes = 0;
      }
    }
  }
}
