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
  /** Jobs handed to a worker and not finished (p-queue frees its slot a tick late to count on). */
  private active = 0;
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
      const busy = this.active;
      if (busy >= this.concurrency) {
        onWait?.(`waiting for a free worker: ${busy} ${busy === 1 ? "deployment" : "deployments"} ahead (concurrency ${this.concurrency})`);
      }
      this.schedule(entry);
    });
  }

  async onIdle(): Promise<void> {
    while (this.lanes.size > 0 || this.active > 0) await this.workers.onIdle();
  }

  private schedule(entry: Entry): void {
    this.active += 1;
    void this.workers.add(async () => {
      let outcome: { failed: false } | { failed: true; error: unknown } = { failed: false };
      try {
        await entry.job.run();
      } catch (error) {
        outcome = { failed: true, error };
      }
      // Free the slot and start the lane's next job before anyone hears this one is done.
      this.active -= 1;
      this.advance(entry.job.lane);
      if (outcome.failed) entry.done.reject(outcome.error);
      else entry.done.resolve();
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
