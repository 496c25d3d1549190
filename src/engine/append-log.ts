/**
 * A durable append-only file of JSON lines: the journal of accepted work and
 * the outbox are built on it. An append resolves only once its line is on
 * disk (fsync); appends that arrive while one is being written go out
 * together in the next write (group commit), so a burst costs a few fsyncs,
 * not one each.
 *
 * Reading back is defensive: a torn last line (a crash mid-write) and lines
 * that do not parse are skipped and reported, never fatal. The owner folds
 * what it read and rewrites the file compacted (`rewrite`), atomically.
 */
import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

export interface AppendLogRead<T> {
  log: AppendLog<T>;
  records: T[];
  /** One sentence per line that was skipped: where, and why. */
  skipped: string[];
}

type Parse<T> = (value: unknown) => { ok: true; value: T } | { ok: false; error: string };

interface Pending {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class AppendLog<T> {
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Rewrites asked for and not done: appends wait, then go to the new file. */
  private rewriting = 0;
  /** Rewrites run one after another, and close waits for them. */
  private rewrites: Promise<void> = Promise.resolve();
  private compaction: Promise<void> | undefined;
  /** Lines in the file: the owner compacts when this grows past what it keeps. */
  lines = 0;

  private constructor(
    private readonly path: string,
    private file: FileHandle,
  ) {}

  static async open<T>(path: string, parse: Parse<T>): Promise<AppendLogRead<T>> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const records: T[] = [];
    const skipped: string[] = [];
    const lines = text.split("\n");
    const last = lines.pop() ?? "";
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skipped.push(`line ${index + 1}: not JSON; skipped`);
        return;
      }
      const parsed = parse(value);
      if (parsed.ok) records.push(parsed.value);
      else skipped.push(`line ${index + 1}: ${parsed.error}; skipped`);
    });
    if (last !== "") skipped.push(`line ${lines.length + 1}: cut short (written when the process died); skipped`);
    const file = await open(path, "a", 0o600);
    // The next line must not be glued to the torn one.
    if (last !== "") await file.write("\n");
    const log = new AppendLog<T>(path, file);
    log.lines = lines.length;
    return { log, records, skipped };
  }

  /** Resolves when the record is on disk. */
  append(record: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      if (this.rewriting === 0) this.writing ??= this.writeAll();
    });
  }

  /** Replaces the whole file with `records`: written beside it, synced, renamed over it. */
  rewrite(records: readonly T[]): Promise<void> {
    this.rewriting += 1;
    const next = this.rewrites.then(() => this.replace(records));
    this.rewrites = next.catch(() => undefined);
    return next;
  }

  private async replace(records: readonly T[]): Promise<void> {
    try {
      if (this.closed) throw new Error(`${this.path} is closed`);
      await this.settled();
      const temporary = `${this.path}.tmp`;
      const next = await open(temporary, "w", 0o600);
      try {
        await next.writeFile(records.map((record) => `${JSON.stringify(record)}\n`).join(""));
        await next.sync();
      } finally {
        await next.close();
      }
      await rename(temporary, this.path);
      await syncDirectory(dirname(this.path));
      await this.file.close();
      this.file = await open(this.path, "a", 0o600);
      this.lines = records.length;
    } finally {
      this.rewriting -= 1;
      if (this.rewriting === 0 && this.queue.length > 0) this.writing ??= this.writeAll();
    }
  }

  /**
   * Once the file holds more than `limit` lines, rewrites it as `snapshot()`
   * in the background, one compaction at a time (the owner's appends go on,
   * and land after it). Returns the compaction when it starts one; a failed
   * one goes to `failed`, and the file merely keeps growing until the next.
   */
  compactWhenLonger(limit: number, snapshot: () => readonly T[], failed: (error: unknown) => void): Promise<void> | undefined {
    if (this.compaction !== undefined || this.closed || this.lines <= limit) return undefined;
    this.compaction = this.rewrite(snapshot())
      .catch(failed)
      .finally(() => (this.compaction = undefined));
    return this.compaction;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.rewrites;
    await this.settled();
    await this.file.close();
  }

  private async settled(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.file.write(batch.map((pending) => pending.line).join(""));
          await this.file.sync();
          this.lines += batch.length;
          for (const pending of batch) pending.resolve();
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}

/** A rename is durable only once its directory is synced. */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r");
  try {
    await directory.sync();
  } catch {
    // Some filesystems refuse to sync a directory; the rename still happened.
  } finally {
    await directory.close();
  }
}
