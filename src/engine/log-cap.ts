/**
 * A size cap for one deployment's log (HEAVEN_LOG_MAX_BYTES). The file only
 * ever grows by appending complete lines, because the log page reads it by
 * byte offset while it is written: the head is written as it comes until its
 * budget is used, then the newest lines are held in a bounded tail in memory,
 * and on close a marker saying what was dropped is appended, then the tail.
 * heaven's notes are never dropped: one that leaves the tail window is
 * written at once, above the marker, so every note stays in order.
 */
const NEWLINE = 0x0a;
/** The tail held in memory is at most this, however large the cap. */
export const MAX_TAIL = 4 * 1024 * 1024;
/** Small blocks are copied into slabs of this size: one buffer per line would cost more than the line. */
const SLAB = 64 * 1024;

interface Held {
  bytes: Buffer;
  note: boolean;
}

export class LogCap {
  /** Bytes of the head still to write before output is held back. */
  private headLeft: number;
  readonly tailBudget: number;
  private held: Held[] = [];
  private first = 0;
  /** The slab the newest held output is being copied into, and how far it is filled. */
  private slab: { bytes: Buffer; fill: number } | undefined;
  private heldBytes = 0;
  readonly dropped = { bytes: 0, lines: 0 };

  constructor(
    readonly maxBytes: number,
    private readonly write: (bytes: Buffer) => void,
  ) {
    this.tailBudget = Math.min(Math.floor(maxBytes / 2), MAX_TAIL);
    this.headLeft = maxBytes - this.tailBudget;
  }

  /** Bytes of output held for the tail: never more than `tailBudget` between calls. */
  get tailBytes(): number {
    return this.heldBytes;
  }

  /** Takes a block of stamped, complete lines: writes it, holds it, or drops it. */
  take(block: Buffer, note: boolean): void {
    let rest = block;
    if (this.headLeft > 0) {
      // Whole lines only: the head ends at the last line that fits.
      const fits = rest.length <= this.headLeft ? rest.length : rest.lastIndexOf(NEWLINE, this.headLeft - 1) + 1;
      if (fits > 0) this.write(rest.subarray(0, fits));
      this.headLeft = fits === rest.length ? this.headLeft - fits : 0;
      rest = rest.subarray(fits);
      if (rest.length === 0) return;
    }
    this.hold(rest, note);
    this.trim();
  }

  /** The marker line's text, when anything was dropped. */
  marker(): string | undefined {
    const { bytes, lines } = this.dropped;
    if (bytes === 0) return undefined;
    return `… ${bytes} bytes (${lines} lines) of output dropped here: the log is capped at HEAVEN_LOG_MAX_BYTES=${this.maxBytes}`;
  }

  /** The held tail, oldest first; empties it. */
  takeTail(): Buffer[] {
    const tail = this.held.slice(this.first).map((held) => held.bytes);
    this.held = [];
    this.first = 0;
    this.slab = undefined;
    this.heldBytes = 0;
    return tail;
  }

  private hold(bytes: Buffer, note: boolean): void {
    this.heldBytes += bytes.length;
    const last = this.held.length > this.first ? this.held[this.held.length - 1] : undefined;
    const slab = this.slab;
    if (!note && bytes.length < SLAB / 4 && last !== undefined && slab !== undefined && slab.fill + bytes.length <= SLAB) {
      // Grow the newest held block in its slab.
      const start = slab.fill - last.bytes.length;
      slab.fill += bytes.copy(slab.bytes, slab.fill);
      last.bytes = slab.bytes.subarray(start, slab.fill);
      return;
    }
    if (!note && bytes.length < SLAB / 4) {
      const fresh = Buffer.allocUnsafeSlow(SLAB);
      this.slab = { bytes: fresh, fill: bytes.copy(fresh) };
      this.held.push({ bytes: fresh.subarray(0, this.slab.fill), note });
      return;
    }
    this.slab = undefined;
    this.held.push({ bytes, note });
  }

  /** Drops the oldest held output (writing out any note in it) until the tail fits its budget. */
  private trim(): void {
    while (this.heldBytes > this.tailBudget) {
      const front = this.held[this.first];
      if (front === undefined) break;
      const excess = this.heldBytes - this.tailBudget;
      const cut = front.note ? front.bytes.length : front.bytes.indexOf(NEWLINE, Math.min(excess, front.bytes.length) - 1) + 1;
      if (front.note) this.write(front.bytes);
      else this.drop(front.bytes.subarray(0, cut));
      this.heldBytes -= cut;
      if (cut < front.bytes.length) {
        // A copy of what is kept, so the dropped part's memory goes with it.
        front.bytes = Buffer.from(front.bytes.subarray(cut));
        if (this.first === this.held.length - 1) this.slab = undefined;
      } else {
        this.first += 1;
      }
    }
    if (this.first > 1024 && this.first * 2 > this.held.length) {
      this.held = this.held.slice(this.first);
      this.first = 0;
    }
  }

  private drop(lines: Buffer): void {
    this.dropped.bytes += lines.length;
    for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, at + 1)) this.dropped.lines += 1;
  }
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `50MB`, `512KiB`, `1000000` as bytes; `off` or `0`: no cap (0). undefined: not a size. */
export function parseByteSize(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (value === "off") return 0;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(value);
  const unit = UNITS[match?.[2] === "" ? "b" : (match?.[2] ?? "")];
  if (match === null || unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
