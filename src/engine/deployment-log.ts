/**
 * One deployment's log file: every line timestamped, every known secret
 * masked, written with backpressure so memory stays flat however much a
 * provider prints. Keeps only the last line in memory, for the status.
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

export class DeploymentLog implements LogSink {
  private readonly partial: Record<OutputStream, string> = { stdout: "", stderr: "" };
  private readonly decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder("utf8"),
    stderr: new StringDecoder("utf8"),
  };
  private last: string | undefined;
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

  async output(chunk: Buffer, stream: OutputStream): Promise<void> {
    let text = this.partial[stream] + this.decoders[stream].write(chunk);
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      this.providerLine(text.slice(0, newline));
      text = text.slice(newline + 1);
      newline = text.indexOf("\n");
    }
    while (text.length > MAX_PENDING_LINE) {
      const cut = this.cutPoint(text);
      this.providerLine(text.slice(0, cut));
      text = text.slice(cut);
    }
    this.partial[stream] = text;
    if (this.file.writableNeedDrain && this.failure === undefined) {
      // 'drain' never comes to a failed file: 'close' ends the wait too.
      await new Promise<void>((resolve) => {
        const done = () => {
          this.file.off("drain", done).off("close", done);
          resolve();
        };
        this.file.once("drain", done).once("close", done);
      });
    }
  }

  lastLine(): string | undefined {
    return this.last;
  }

  /** Flushes unterminated output and closes the file. */
  async close(): Promise<void> {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      if (rest !== "") this.providerLine(rest);
      this.partial[stream] = "";
    }
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
  private cutPoint(text: string): number {
    let cut = MAX_PENDING_LINE;
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

  private providerLine(raw: string): void {
    const line = this.mask(raw.replace(/\r$/, ""));
    if (line.trim() !== "") this.last = line;
    this.writeLine(line);
  }

  private writeLine(line: string): void {
    const stamp = (this.options.now?.() ?? new Date()).toISOString();
    if (this.failure === undefined && !this.file.destroyed) this.file.write(`${stamp} ${line}\n`);
    this.options.echo?.(line);
  }
}
