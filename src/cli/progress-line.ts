/**
 * The terminal's view of a deployment: log lines stream as they come, and on
 * a TTY one status line below them keeps the current step and the elapsed
 * time (redrawn each second). Not a TTY (CI, a pipe): plain lines only, so
 * what is captured reads like the log.
 */
const CLEAR = "\r\x1b[2K";

/** The step a line starts: the CLI's own "resolving …" and the log's "running …" notes, with a track's host prefix. */
export function stepOf(line: string): string | undefined {
  const match = /^(\[[^\]]+\] |[\w.@:-]+: (?=heaven: ))?heaven: (resolving .*|running .*|queued.*|waiting.*)$/.exec(line);
  if (match === null) return undefined;
  return `${match[1] ?? ""}${match[2]}`;
}

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressLine {
  private step = "starting";
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private readonly now: () => number = Date.now,
    private readonly errors: Output = process.stderr,
  ) {
    this.started = now();
    if (out.isTTY === true) {
      this.timer = setInterval(() => this.draw(), 1000);
      // The status line never keeps the process alive.
      this.timer.unref();
    }
  }

  line(text: string): void {
    this.step = stepOf(text) ?? this.step;
    this.clear();
    this.out.write(`${text}\n`);
    this.draw();
  }

  /** A line for stderr, kept clear of the status line. */
  error(text: string): void {
    this.clear();
    this.errors.write(`${text}\n`);
    this.draw();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.out.write(CLEAR);
    this.drawn = false;
  }

  private draw(): void {
    if (this.timer === undefined) return;
    const status = `… ${this.step} (${formatElapsed(this.now() - this.started)})`;
    this.clear();
    this.out.write(status.slice(0, Math.max(20, (this.out.columns || 80) - 1)));
    this.drawn = true;
  }
}
