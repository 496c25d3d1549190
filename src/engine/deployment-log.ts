/**
 * One deployment's log file: every line timestamped, every known secret
 * masked, written with backpressure so memory stays flat however much a
 * provider prints. Keeps only each track's last line in memory, for the status.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { LogSink, OutputStream } from "../core/log.js";

/** A line longer than this is written in pieces rather than buffered. */
const MAX_PENDING_LINE = 64 * 1024;
const MASK = "********";

export interface DeploymentLogOptions {
  secrets: readonly string[];
  /** Also hand each finished line elsewhere (the CLI prints them). */
  echo?: (line: string) => void;
  now?: () => Date;
}

/**
 * One stream of output cut into lines: a track (a host) has its own, so
 * lines of hosts running side by side never splice, and each keeps its own
 * last line for the status.
 */
export class TrackOutput {
  private readonly partial: Record<OutputStream, string> = { stdout: "", stderr: "" };
  private readonly decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder("utf8"),
    stderr: new StringDecoder("utf8"),
  };
  private last: string | undefined;

  constructor(
    private readonly log: DeploymentLog,
    private readonly prefix: string,
  ) {}

  async output(chunk: Buffer, stream: OutputStream): Promise<void> {
    let text = this.partial[stream] + this.decoders[stream].write(chunk);
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      this.line(text.slice(0, newline));
      text = text.slice(newline + 1);
      newline = text.indexOf("\n");
    }
    while (text.length > MAX_PENDING_LINE) {
      const cut = this.log.cutPoint(text, MAX_PENDING_LINE);
      this.line(text.slice(0, cut));
      text = text.slice(cut);
    }
    this.partial[stream] = text;
    await this.log.drained();
  }

  lastLine(): string | undefined {
    return this.last;
  }

  /** Writes what is left of an unterminated line. */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      if (rest !== "") this.line(rest);
      this.partial[stream] = "";
    }
  }

  private line(raw: string): void {
    const line = this.log.mask(raw.replace(/\r$/, ""));
    if (line.trim() !== "") this.last = line;
    this.log.writeLine(`${this.prefix}${line}`);
  }
}

export class DeploymentLog implements LogSink {
  private readonly tracks: TrackOutput[] = [];
  private readonly main: TrackOutput;
  private secrets: string[] = [];

  /** Set when the file failed (disk full): the deployment goes on, its log stops. */
  private failure: Error | undefined;

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
  }

  static async open(path: string, options: DeploymentLogOptions): Promise<DeploymentLog> {
    await mkdir(dirname(path), { recursive: true });
    const file = createWriteStream(path, { flags: "a", mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      file.once("open", () => resolve());
      file.once("error", reject);
    });
    return new DeploymentLog(file, options);
  }

  /** Masks a value learned mid-deployment (a freshly minted token). */
  addSecret(secret: string): void {
    if (secret.length < 4 || this.secrets.includes(secret)) return;
    // Longest first, so a secret containing another is masked whole.
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let masked = text;
    for (const secret of this.secrets) masked = masked.split(secret).join(MASK);
    return masked;
  }

  note(text: string): void {
    for (const line of text.split("\n")) this.writeLine(`heaven: ${this.mask(line)}`);
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

  /** Flushes unterminated output and closes the file. */
  async close(): Promise<void> {
    for (const track of this.tracks) track.flush();
    if (this.failure !== undefined || this.file.destroyed) return;
    await new Promise<void>((resolve) => {
      this.file.once("close", resolve);
      this.file.end();
    });
  }

  /**
   * Where to split an overlong line: never through a secret (each half would
   * escape the mask) nor between the halves of a surrogate pair.
   */
  cutPoint(text: string, limit: number): number {
    let cut = limit;
    for (let moved = true; moved; ) {
      moved = false;
      for (const secret of this.secrets) {
        const at = text.indexOf(secret, Math.max(1, cut - secret.length + 1));
        if (at !== -1 && at < cut) {
          cut = at;
          moved = true;
        }
      }
    }
    const high = text.charCodeAt(cut - 1);
    return high >= 0xd800 && high <= 0xdbff ? cut - 1 : cut;
  }

  writeLine(line: string): void {
    const stamp = (this.options.now?.() ?? new Date()).toISOString();
    if (this.failure === undefined && !this.file.destroyed) this.file.write(`${stamp} ${line}\n`);
    this.options.echo?.(line);
  }
}
