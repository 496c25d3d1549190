/**
 * The log store on local disk: `<data>/logs/<key>.log`, appended by
 * DeploymentLog a whole line per write, and `<key>.meta.json` beside it.
 * Reads hand out complete lines only; the last line of a finished log is
 * handed out even without its line break.
 */
import { open, readFile, stat, type FileHandle } from "node:fs/promises";
import { logMetaSchema, type LogChunk, type LogInfo, type LogMeta, type LogStore } from "../core/log-store.js";
import { logFilePath, logMetaPath } from "./log-links.js";

const NEWLINE = 0x0a;
/**
 * What one read hands out by default. Smaller reads keep a reader's garbage
 * small (measured on the 100 MB page: 256 KiB reads grew the server by about
 * twice as much as 64 KiB ones); a longer line is still read whole.
 */
export const READ_BYTES = 64 * 1024;

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

export class FileLogStore implements LogStore {
  /**
   * `olderHeavenBefore` (epoch ms; default: now, this process's start): a log
   * with no metadata last written before it is from a heaven that kept none,
   * and is finished. One written since may be starting: its metadata follows
   * with its first event.
   */
  constructor(
    private readonly dataDir: string,
    private readonly olderHeavenBefore = Date.now(),
  ) {}

  async read(key: string, from: number, maxBytes = READ_BYTES): Promise<LogChunk | undefined> {
    let file: FileHandle;
    try {
      file = await open(logFilePath(this.dataDir, key), "r");
    } catch (error) {
      if (!missing(error)) throw error;
      // Metadata before the log: a deployment queued, not started yet.
      const meta = await this.meta(key);
      return meta === undefined ? undefined : { text: "", next: 0, finished: meta.finished };
    }
    try {
      const { size, mtimeMs } = await file.stat();
      const start = Math.min(Math.max(0, Math.floor(from)), size);
      const { lines, toEnd } = await completeLines(file, start, size, Math.max(1, maxBytes));
      const next = start + lines.length;
      if (!toEnd) return { text: lines.toString("utf8"), next, finished: false };
      // At the end of what is complete: is anything more coming?
      if (!(await this.finished(key, mtimeMs))) return { text: lines.toString("utf8"), next, finished: false };
      // Finished means written and closed, unless bytes arrived since the size above was read.
      if ((await file.stat()).size !== size) return { text: lines.toString("utf8"), next, finished: false };
      const rest = next < size ? await readAt(file, next, size - next) : Buffer.alloc(0);
      return { text: Buffer.concat([lines, rest]).toString("utf8"), next: size, finished: true };
    } finally {
      await file.close();
    }
  }

  async info(key: string): Promise<LogInfo | undefined> {
    const [meta, stats] = await Promise.all([
      this.meta(key),
      stat(logFilePath(this.dataDir, key)).catch((error: unknown) => {
        if (missing(error)) return undefined;
        throw error;
      }),
    ]);
    if (meta === undefined && stats === undefined) return undefined;
    return { meta, size: stats?.size ?? 0, updatedAt: Math.max(stats?.mtimeMs ?? 0, meta?.updatedAt ?? 0) };
  }

  private async finished(key: string, logWrittenAt: number): Promise<boolean> {
    const meta = await this.meta(key);
    return meta === undefined ? logWrittenAt < this.olderHeavenBefore : meta.finished;
  }

  private meta(key: string): Promise<LogMeta | undefined> {
    return readLogMeta(logMetaPath(this.dataDir, key));
  }
}

/** A log's metadata; undefined when there is none (yet) or it is another heaven's format. */
export async function readLogMeta(path: string): Promise<LogMeta | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
  try {
    const parsed = logMetaSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Written by rename, so never half a file: unreadable means another format.
    return undefined;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * The complete lines from `start`, about `window` bytes of them (a line
 * longer than the window is read whole); `toEnd`: they are all there are.
 */
async function completeLines(file: FileHandle, start: number, size: number, window: number): Promise<{ lines: Buffer; toEnd: boolean }> {
  for (let length = Math.min(window, size - start); length > 0; length = Math.min(length * 2, size - start)) {
    const bytes = await readAt(file, start, length);
    // The last line break within the window, else (a longer line) the first past it.
    const within = bytes.lastIndexOf(NEWLINE, window - 1) + 1;
    const end = within > 0 ? within : bytes.indexOf(NEWLINE) + 1;
    const readToEnd = start + length >= size;
    if (end > 0 || readToEnd) return { lines: bytes.subarray(0, end), toEnd: readToEnd && bytes.indexOf(NEWLINE, end) === -1 };
  }
  return { lines: Buffer.alloc(0), toEnd: true };
}
