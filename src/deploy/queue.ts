/**
 * The deploy queue: one deployment at a time per lane (repository +
 * environment) in arrival order, lanes in parallel up to a concurrency limit.
 * Behind an interface so a shared engine (Redis, a database) can replace the
 * in-process one when heaven runs on more than one box.
 */
import PQueue from "p-queue";

export interface QueuedJob {
  /** Jobs with the same lane run one after another. */
  lane: string;
  /** How waiting jobs name this one: "deployment 42 (main → production)". */
  label: string;
  run: () => Promise<void>;
}

export interface DeployQueue {
  /**
   * Resolves when the job has run. `onWait` is called at once, with a reason
   * a person can read, if the job cannot start straight away.
   */
  add(job: QueuedJob, onWait?: (reason: string) => void): Promise<void>;
  /** Resolves when nothing is running or waiting. */
  onIdle(): Promise<void>;
}

interface Entry {
  job: QueuedJob;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

export class LocalDeployQueue implements DeployQueue {
  private readonly workers: PQueue;
  private readonly lanes = new Map<string, { current: QueuedJob; waiting: Entry[] }>();

  constructor(private readonly concurrency: number) {
    this.workers = new PQueue({ concurrency });
  }

  add(job: QueuedJob, onWait?: (reason: string) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = { job, done: { resolve, reject } };
      const lane = this.lanes.get(job.lane);
      if (lane !== undefined) {
        lane.waiting.push(entry);
        const ahead = lane.waiting.length - 1;
        onWait?.(`waiting for ${lane.current.label}${ahead > 0 ? ` and ${ahead} more queued before it` : ""}`);
        return;
      }
      this.lanes.set(job.lane, { current: job, waiting: [] });
      const busy = this.workers.pending + this.workers.size;
      if (busy >= this.concurrency) onWait?.(`waiting for a free worker: ${busy} deployments ahead (concurrency ${this.concurrency})`);
      this.schedule(entry);
    });
  }

  async onIdle(): Promise<void> {
    while (this.lanes.size > 0 || this.workers.pending > 0 || this.workers.size > 0) await this.workers.onIdle();
  }

  private schedule(entry: Entry): void {
    void this.workers.add(async () => {
      try {
        await entry.job.run();
        entry.done.resolve();
      } catch (error) {
        entry.done.reject(error);
      } finally {
        this.advance(entry.job.lane);
      }
    });
  }

  private advance(laneName: string): void {
    const lane = this.lanes.get(laneName);
    const next = lane?.waiting.shift();
    if (lane === undefined || next === undefined) {
      this.lanes.delete(laneName);
      return;
    }
    lane.current = next.job;
    this.schedule(next);
  }
}
