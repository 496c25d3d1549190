/**
 * Which outbox write goes next, and when to look again. Each group is a line
 * (only its head may go, one at a time); among the heads that may go now,
 * the one added first starts, as long as its installation's pacer allows and
 * fewer than `maxInFlight` requests are out. One timer (unref'd) wakes the
 * scheduler when the next write becomes eligible.
 */
import type { StoredWrite } from "./outbox-state.js";
import type { Pacer } from "./pacer.js";

export interface OutboxEntry {
  stored: StoredWrite;
  /** Epoch ms before which it is not tried (a backoff, a rate limit). */
  notBefore: number;
  inFlight: boolean;
  /** Failed attempts so far: the backoff's exponent. */
  failures: number;
  tokenRefreshed: boolean;
  /** May have reached GitHub already: ask before sending. */
  check: boolean;
}

export interface SchedulerHooks {
  pacer: Pacer;
  maxInFlight: number;
  now: () => number;
  /** Requests out now, across installations. */
  busy: () => number;
  stale: (entry: OutboxEntry) => boolean;
  giveUpStale: (entry: OutboxEntry) => void;
  start: (entry: OutboxEntry) => void;
}

/** setTimeout's longest delay; a longer wait just wakes up and looks again. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class OutboxScheduler {
  /** Each group's writes, oldest first. */
  private readonly groups = new Map<string, OutboxEntry[]>();
  private timer: { handle: NodeJS.Timeout; at: number } | undefined;
  private stopped = false;

  constructor(private readonly hooks: SchedulerHooks) {}

  enqueue(entry: OutboxEntry): void {
    const line = this.groups.get(entry.stored.write.group) ?? [];
    // A head in flight stays the head: one write of a group at a time, even when an older one arrives late.
    const head = line[0]?.inFlight === true ? line.shift() : undefined;
    line.push(entry);
    // Appends finish in the order they were made, so this is a no-op but for an odd failure or a late arrival.
    line.sort((a, b) => a.stored.seq - b.stored.seq);
    if (head !== undefined) line.unshift(head);
    this.groups.set(entry.stored.write.group, line);
  }

  /** The highest seq of the group's writes waiting or in flight; -1 for none. */
  newestSeq(group: string): number {
    return Math.max(-1, ...(this.groups.get(group) ?? []).map((entry) => entry.stored.seq));
  }

  remove(entry: OutboxEntry): void {
    const group = entry.stored.write.group;
    const line = this.groups.get(group);
    if (line === undefined) return;
    const index = line.indexOf(entry);
    if (index !== -1) line.splice(index, 1);
    if (line.length === 0) this.groups.delete(group);
  }

  /** The intermediate writes of its group that `stored` makes pointless: still waiting, added before it. */
  supersededBy(stored: StoredWrite): OutboxEntry[] {
    const line = this.groups.get(stored.write.group) ?? [];
    return line.filter((entry) => entry.stored.write.supersedable && !entry.inFlight && entry.stored.seq < stored.seq);
  }

  pause(installationId: number, until: number): void {
    this.hooks.pacer.pause(installationId, until);
  }

  /** Starts every write that may go now; sets the timer for the next one that may not yet. */
  pump(): void {
    if (this.stopped) return;
    this.dropStale();
    let wake = Infinity;
    for (;;) {
      const now = this.hooks.now();
      const next = this.pick(now);
      wake = Math.min(wake, next.wake);
      if (next.entry === undefined) break;
      this.hooks.pacer.took(next.entry.stored.write.installationId, now);
      this.hooks.start(next.entry);
    }
    this.wakeAt(wake);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer.handle);
    this.timer = undefined;
  }

  private pick(now: number): { entry: OutboxEntry | undefined; wake: number } {
    let wake = Infinity;
    let best: OutboxEntry | undefined;
    const earliest = new Map<number, number>();
    for (const line of [...this.groups.values()]) {
      const head = line[0];
      if (head === undefined || head.inFlight) continue;
      if (head.notBefore > now) {
        wake = Math.min(wake, head.notBefore);
        continue;
      }
      const installationId = head.stored.write.installationId;
      const allowed = earliest.get(installationId) ?? this.hooks.pacer.earliest(installationId, now);
      earliest.set(installationId, allowed);
      if (allowed > now) {
        wake = Math.min(wake, allowed);
        continue;
      }
      if (best === undefined || head.stored.seq < best.stored.seq) best = head;
    }
    // Out of slots: a finishing request pumps again, no timer needed for that.
    if (best !== undefined && this.hooks.busy() >= this.hooks.maxInFlight) return { entry: undefined, wake };
    return { entry: best, wake };
  }

  /** Heads past their age limit are given up before anything is sent; each may uncover another. */
  private dropStale(): void {
    for (const line of [...this.groups.values()]) {
      for (let head = line[0]; head !== undefined && !head.inFlight && this.hooks.stale(head); head = line[0]) {
        this.hooks.giveUpStale(head);
      }
    }
  }

  private wakeAt(at: number): void {
    if (!Number.isFinite(at)) return;
    if (this.timer !== undefined && this.timer.at <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer.handle);
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - this.hooks.now()));
    const handle = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delay);
    handle.unref();
    this.timer = { handle, at };
  }
}
