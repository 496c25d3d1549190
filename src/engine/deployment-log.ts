/**
 * One deployment's log file: every line timestamped, every known secret
 * masked, written with backpressure so memory stays flat however much a
 * provider prints. Keeps only each track's last line in memory, for the status.
 *
 * Output is taken a chunk at a time, as bytes: the chunk's complete lines are
 * masked as one block, stamped in one pass and written with one write. Only
 * the unfinished last line is carried to the next chunk, so a line (or a
 * secret) split across chunks is whole before it is masked.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { LogSink, OutputStream } from "../core/log.js";
import type { LogAppender } from "../core/log-store.js";
import { lastNonBlankLine, stampLines, textLines } from "./deployment-log-lines.js";
import { LogCap } from "./log-cap.js";
import { Secrets } from "./mask-secrets.js";

/** A line longer than this (in bytes) is written in pieces rather than buffered. */
const MAX_PENDING_LINE = 64 * 1024;
/**
 * What the file may hold unwritten before output waits for the disk: more
 * than a chunk's stamped output (a 64 KiB chunk of `yes` stamps to 1.7 MB), so
 * a write rarely waits. More only holds more memory (4 MiB: no faster).
 */
const FILE_BUFFER = 2 * 1024 * 1024;
const NEWLINE = 0x0a;
const LINE_END = Buffer.from([NEWLINE]);
const NOTHING = Buffer.alloc(0);

export interface DeploymentLogOptions {
  secrets: readonly string[];
  /** Also hand each finished line elsewhere (the CLI prints them). */
  echo?: (line: string) => void;
  now?: () => Date;
  /** HEAVEN_LOG_MAX_BYTES: past it only the head and the tail are kept; 0 or none: no cap. */
  maxBytes?: number | undefined;
  /** Also appends every line the file gets, as written (scale-out mode: to PostgreSQL); none: the file alone. */
  tee?: LogAppender | undefined;
}

/**
 * One stream of output cut into lines: a track (a host) has its own, so
 * lines of hosts running side by side never splice, and each keeps its own
 * last line for the status.
 */
export class TrackOutput {
  /** Each stream's unfinished line, as bytes (a character split across chunks stays whole). */
  private readonly partial: Record<OutputStream, Buffer> = { stdout: NOTHING, stderr: NOTHING };
  private last: string | undefined;

  constructor(
    private readonly log: DeploymentLog,
    private readonly prefix: string,
  ) {}

  async output(chunk: Buffer, stream: OutputStream): Promise<void> {
    let text = chunk;
    const pending = this.partial[stream];
    if (pending.length > 0) {
      // The unfinished line is finished on its own, not by copying the whole chunk behind it.
      const first = chunk.indexOf(NEWLINE) + 1;
      if (first === 0) text = Buffer.concat([pending, chunk]);
      else {
        this.lines(Buffer.concat([pending, chunk.subarray(0, first)]));
        text = chunk.subarray(first);
      }
    }
    const end = text.lastIndexOf(NEWLINE) + 1;
    if (end > 0) this.lines(text.subarray(0, end));
    let rest = text.subarray(end);
    // Cut only once any secret that could cross the cut has arrived whole.
    while (rest.length > MAX_PENDING_LINE + this.log.secrets.longest) {
      const cut = this.log.secrets.cutPoint(rest, MAX_PENDING_LINE);
      this.lines(Buffer.concat([rest.subarray(0, cut), LINE_END]));
      rest = rest.subarray(cut);
    }
    this.partial[stream] = rest;
    await this.log.drained();
  }

  lastLine(): string | undefined {
    return this.last;
  }

  /** Writes what is left of an unterminated line. */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.partial[stream];
      if (rest.length > 0) this.lines(Buffer.concat([rest, LINE_END]));
      this.partial[stream] = NOTHING;
    }
  }

  private lines(block: Buffer): void {
    const masked = this.log.secrets.maskBytes(block);
    this.last = lastNonBlankLine(masked) ?? this.last;
    this.log.writeLines(masked, this.prefix);
  }
}

export class DeploymentLog implements LogSink {
  readonly secrets = new Secrets();
  private readonly tracks: TrackOutput[] = [];
  private readonly main: TrackOutput;
  /** The last timestamp written, and the clock reading it is for: recomputed only when the clock moved. */
  private stamp = { ms: Number.NaN, text: "" };

  /** Set when the file failed (disk full): the deployment goes on, its log stops. */
  private failure: Error | undefined;
  /** Set when the log is capped: what is written goes through it. */
  readonly cap: LogCap | undefined;

  private constructor(
    private readonly file: WriteStream,
    private readonly options: DeploymentLogOptions,
  ) {
    for (const secret of options.secrets) this.addSecret(secret);
    // An unhandled 'error' would take the whole server down.
    file.on("error", (error) => {
      this.failure = error;
    });
    this.main = this.track();
    const maxBytes = options.maxBytes ?? 0;
    this.cap = maxBytes > 0 ? new LogCap(maxBytes, (bytes) => this.append(bytes)) : undefined;
  }

  static async open(path: string, options: DeploymentLogOptions): Promise<DeploymentLog> {
    await mkdir(dirname(path), { recursive: true });
    const file = createWriteStream(path, { flags: "a", mode: 0o600, highWaterMark: FILE_BUFFER });
    await new Promise<void>((resolve, reject) => {
      file.once("open", () => resolve());
      file.once("error", reject);
    });
    return new DeploymentLog(file, options);
  }

  /** Masks a value learned mid-deployment (a freshly minted token). */
  addSecret(secret: string): void {
    this.secrets.add(secret);
  }

  mask(text: string): string {
    return this.secrets.mask(text);
  }

  note(text: string): void {
    const lines = text.split("\n").map((line) => this.mask(line));
    this.writeLines(Buffer.from(`${lines.join("\n")}\n`), "heaven: ", true);
  }

  /** A line splitter of its own whose lines start with `label | ` (none: unprefixed). */
  track(label?: string): TrackOutput {
    const track = new TrackOutput(this, label === undefined ? "" : `${this.mask(label)} | `);
    this.tracks.push(track);
    return track;
  }

  output(chunk: Buffer, stream: OutputStream): Promise<void> {
    return this.main.output(chunk, stream);
  }

  lastLine(): string | undefined {
    return this.main.lastLine();
  }

  /** Resolves once the file can take more (at once when it can, or when it failed). */
  async drained(): Promise<void> {
    if (!this.file.writableNeedDrain || this.failure !== undefined) return;
    // 'drain' never comes to a failed file: 'close' ends the wait too.
    await new Promise<void>((resolve) => {
      const done = () => {
        this.file.off("drain", done).off("close", done);
        resolve();
      };
      this.file.once("drain", done).once("close", done);
    });
  }

  /** Flushes unterminated output, appends a capped log's marker and tail, and closes the file. */
  async close(): Promise<void> {
    for (const track of this.tracks) track.flush();
    const marker = this.cap?.marker();
    if (marker !== undefined) this.append(stampLines(Buffer.from(`${marker}\n`), Buffer.from(`${this.timestamp()} heaven: `)));
    for (const held of this.cap?.takeTail() ?? []) this.append(held);
    const tee = this.options.tee?.close();
    if (this.failure === undefined && !this.file.destroyed) {
      await new Promise<void>((resolve) => {
        this.file.once("close", resolve);
        this.file.end();
      });
    }
    await tee;
  }

  /**
   * Writes a block of masked, complete lines with one write, every line
   * stamped with the time the block arrived (its lines arrived together).
   */
  writeLines(block: Buffer, prefix: string, note = false): void {
    // Nothing is stamped for a file that failed (unless a tee still takes it).
    if (this.writable() || this.options.tee !== undefined) {
      const stamped = stampLines(block, Buffer.from(`${this.timestamp()} ${prefix}`));
      if (this.cap === undefined) this.append(stamped);
      else this.cap.take(stamped, note);
    }
    const echo = this.options.echo;
    if (echo !== undefined) for (const line of textLines(block)) echo(`${prefix}${line}`);
  }

  private append(bytes: Buffer): void {
    if (this.writable()) this.file.write(bytes);
    this.options.tee?.append(bytes);
  }

  private writable(): boolean {
    return this.failure === undefined && !this.file.destroyed;
  }

  private timestamp(): string {
    const ms = this.options.now?.().getTime() ?? Date.now();
    if (ms !== this.stamp.ms) this.stamp = { ms, text: new Date(ms).toISOString() };
    return this.stamp.text;
  }
}
