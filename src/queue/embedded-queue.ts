/**
 * The embedded deploy queue: one process, no database. One job at a time per
 * lane (repository + environment), in arrival order; lanes side by side up
 * to a concurrency limit (p-queue); parked jobs hold no worker and come back
 * when woken or at their deadline. Every step is journaled before it takes
 * effect, and what an earlier process left is picked up by `process`.
 */
import PQueue from "p-queue";
import type { QueuePosition } from "../core/events.js";
import { jobLabel, type DeploymentJob } from "../core/job.js";
import type { DeployQueue, Enqueued, JobResult, QueueEntry, QueueHandlers, RestoreReport } from "../core/queue.js";
import { Journal } from "./journal.js";
import type { LiveJob } from "./journal-state.js";

interface Lane {
  /** The job holding the lane: running, or handed to p-queue and waiting for a worker. */
  current: string | undefined;
  waiting: string[];
}

/** After the grace, aborted jobs get this long to report before drain gives up on them. */
const ABORTED_REPORT_MS = 30_000;

export class EmbeddedQueue implements DeployQueue {
  private readonly workers: PQueue;
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The latest wake per condition, so a job that read CI before a wake and parks after it is not left waiting. */
  private readonly wakes = new Map<string, number>();
  private wakeCount = 0;
  private handlers: QueueHandlers | undefined;
  private draining = false;
  private graceTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly journal: Journal,
    private readonly concurrency: number,
    readonly skipped: string[],
  ) {
    this.workers = new PQueue({ concurrency });
  }

  /** `journalFile` undefined: nothing survives the process (the command line). */
  static async open(options: { journalFile: string | undefined; concurrency: number }): Promise<EmbeddedQueue> {
    const { journal, skipped } = await Journal.open(options.journalFile);
    return new EmbeddedQueue(journal, options.concurrency, skipped);
  }

  async enqueue(job: DeploymentJob): Promise<Enqueued> {
    if (this.journal.hasSeen(job.key)) return { kind: "duplicate" };
    await this.journal.append({ t: "accepted", job });
    const position = this.positionOf(job.lane);
    this.line(job.key);
    return { kind: "added", position };
  }

  async wake(condition: string): Promise<number> {
    this.wakes.set(condition, ++this.wakeCount);
    const woken = [...this.journal.state.live.values()].filter((entry) => entry.state === "parked" && entry.wakeOn === condition);
    for (const entry of woken) this.unpark(entry);
    return woken.length;
  }

  async process(handlers: QueueHandlers): Promise<RestoreReport> {
    const report: RestoreReport = { interrupted: 0, queued: 0, parked: 0, skipped: this.skipped };
    const left = [...this.journal.state.live.values()];
    // Lined up before anything else can be: jobs accepted from now on go behind them.
    // Parked jobs re-check CI in their turn: it may have settled while no process listened.
    for (const entry of left.filter((e) => e.state !== "running")) {
      report[entry.state === "parked" ? "parked" : "queued"] += 1;
      entry.state = "queued";
      this.line(entry.job.key);
    }
    for (const entry of left.filter((e) => e.state === "running")) {
      await handlers.interrupted(entry.job, entry.processes).catch(() => undefined);
      await this.journal.append({ t: "finished", key: entry.job.key });
      report.interrupted += 1;
    }
    this.handlers = handlers;
    for (const lane of [...this.lanes.keys()]) this.advance(lane);
    return report;
  }

  async list(lane?: string): Promise<QueueEntry[]> {
    return [...this.journal.state.live.values()]
      .filter((entry) => lane === undefined || entry.job.lane === lane)
      .map((entry) => ({ job: entry.job, state: entry.state }));
  }

  async depth(lane?: string): Promise<number> {
    return (await this.list(lane)).filter((entry) => entry.state === "queued").length;
  }

  runningHere(): number {
    return this.running.size;
  }

  drain(graceMs: number): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      this.workers.pause();
      this.workers.clear();
      for (const timer of this.timers.values()) clearTimeout(timer);
      this.timers.clear();
    }
    clearTimeout(this.graceTimer);
    const abortAll = () => {
      for (const { controller } of this.running.values()) controller.abort();
    };
    if (graceMs <= 0) abortAll();
    else this.graceTimer = setTimeout(abortAll, graceMs);
    const settled = Promise.all([...this.running.values()].map((r) => r.done)).then(() => clearTimeout(this.graceTimer));
    const bound = new Promise<void>((resolve) => setTimeout(resolve, Math.max(graceMs, 0) + ABORTED_REPORT_MS).unref());
    return Promise.race([settled, bound]);
  }

  /** Resolves when nothing runs or waits for a worker (parked jobs wait for CI, not for the queue). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || [...this.lanes.values()].some((lane) => lane.current !== undefined)) await this.workers.onIdle();
  }

  async close(): Promise<void> {
    clearTimeout(this.graceTimer);
    await this.journal.close();
  }

  /** Why a job entering `lane` now would not start at once. */
  private positionOf(laneName: string): QueuePosition | undefined {
    const lane = this.lanes.get(laneName);
    const holder = lane?.current ?? lane?.waiting[0];
    const held = holder === undefined ? undefined : this.journal.state.live.get(holder);
    if (lane !== undefined && held !== undefined) {
      const ahead = lane.waiting.length - (lane.current === undefined ? 1 : 0);
      const running = { key: held.job.key, label: jobLabel(held.job), creator: held.job.request.creator, sha: held.job.request.sha };
      return { kind: "lane", running, ahead };
    }
    const busy = this.busyLanes();
    return busy >= this.concurrency ? { kind: "workers", busy, concurrency: this.concurrency } : undefined;
  }

  private busyLanes(): number {
    return [...this.lanes.values()].filter((lane) => lane.current !== undefined).length;
  }

  /** Puts a queued job at the back of its lane. */
  private line(key: string): void {
    const entry = this.journal.state.live.get(key);
    if (entry === undefined) return;
    let lane = this.lanes.get(entry.job.lane);
    if (lane === undefined) {
      lane = { current: undefined, waiting: [] };
      this.lanes.set(entry.job.lane, lane);
    }
    lane.waiting.push(key);
    this.advance(entry.job.lane);
  }

  private advance(laneName: string): void {
    const lane = this.lanes.get(laneName);
    if (lane === undefined || lane.current !== undefined || this.handlers === undefined || this.draining) return;
    const next = lane.waiting.shift();
    if (next === undefined) {
      this.lanes.delete(laneName);
      return;
    }
    lane.current = next;
    void this.workers.add(() => this.runJob(next));
  }

  private async runJob(key: string): Promise<void> {
    const entry = this.journal.state.live.get(key);
    const handlers = this.handlers;
    if (entry === undefined || handlers === undefined) return;
    const controller = new AbortController();
    let finishRun: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finishRun = resolve));
    this.running.set(key, { controller, done });
    const mark = this.wakeCount;
    let result: JobResult = { kind: "done" };
    try {
      await this.journal.append({ t: "started", key });
      result = await handlers.run(entry.job, {
        signal: controller.signal,
        processStarted: (process) => this.journal.append({ t: "process", key, process }),
      });
    } catch {
      // The handler reports its own failures; the job is over either way.
    }
    try {
      if (result.kind === "park") await this.park(result, mark);
      else await this.journal.append({ t: "finished", key });
    } finally {
      this.running.delete(key);
      finishRun();
      const lane = this.lanes.get(entry.job.lane);
      if (lane !== undefined) lane.current = undefined;
      this.advance(entry.job.lane);
    }
  }

  private async park(result: Extract<JobResult, { kind: "park" }>, mark: number): Promise<void> {
    const { job, until, wakeOn } = result;
    await this.journal.append({ t: "parked", job, until, wakeOn });
    const entry = this.journal.state.live.get(job.key);
    if (entry === undefined || this.draining) return;
    // Woken while it was still deciding to park: look again at once.
    if ((this.wakes.get(wakeOn) ?? 0) > mark) return this.unpark(entry);
    const timer = setTimeout(() => this.unpark(entry), Math.max(0, until - Date.now()));
    timer.unref();
    this.timers.set(job.key, timer);
  }

  private unpark(entry: LiveJob): void {
    if (entry.state !== "parked") return;
    clearTimeout(this.timers.get(entry.job.key));
    this.timers.delete(entry.job.key);
    entry.state = "queued";
    this.line(entry.job.key);
  }
}
