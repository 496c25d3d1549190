/**
 * Deployments waiting for CI. A parked deployment holds no lane; it goes
 * back through the pipeline when a CI event settles on its sha, at its CI
 * deadline, or after a restart (each is journaled on disk when the caller
 * gave a way to rebuild it).
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Parking } from "./pipeline.js";
import type { DeploymentReporter } from "./reporter.js";
import type { DeploymentRequest } from "../core/request.js";
import type { DeploymentSources } from "../core/sources.js";

export interface Submission {
  request: DeploymentRequest;
  sources: DeploymentSources;
  reporter: DeploymentReporter;
  echo?: (line: string) => void;
  /**
   * JSON the caller can turn back into sources and a reporter after a
   * restart (restoreParked). Without it a parked deployment is not journaled.
   */
  resume?: unknown;
  /** Set when a parked deployment comes back: the CI timeout counts from its first parking. */
  ciDeadline?: number | undefined;
}

export type Rebuild = (resume: unknown) => Promise<Pick<Submission, "sources" | "reporter"> | undefined>;

interface ParkedDeployment {
  submission: Submission;
  sha: string;
  timer: NodeJS.Timeout;
  journal: string | undefined;
}

/** What a parked deployment's journal file holds. */
interface ParkedJournal {
  request: DeploymentRequest;
  deadline: number;
  resume: unknown;
}

const REMEMBERED_CI_EVENTS = 10_000;

export class ParkingLot {
  private readonly parked = new Map<string, ParkedDeployment>();
  /**
   * Sequence number of the latest CI event per `repository@sha`: a deployment
   * that read CI before an event and parks after it must not wait for an
   * event that already came.
   */
  private readonly ciEvents = new Map<string, number>();
  private ciEventCount = 0;

  constructor(
    private readonly dir: string,
    /** Sends a deployment through the pipeline again. */
    private readonly resubmit: (submission: Submission) => void,
  ) {}

  /** A mark to pass to park(): CI events after it count as "came while reading". */
  get ciEventMark(): number {
    return this.ciEventCount;
  }

  async park(key: string, submission: Submission, parking: Parking, ciEventMark: number): Promise<void> {
    const parked: Submission = {
      ...submission,
      request: { ...submission.request, sha: parking.sha, requiredContexts: parking.requiredContexts },
      ciDeadline: parking.deadline,
    };
    if ((this.ciEvents.get(eventKey(submission.request.repository.fullName, parking.sha)) ?? 0) > ciEventMark) {
      this.resubmit(parked);
      return;
    }
    let journal: string | undefined;
    if (submission.resume !== undefined) {
      journal = join(this.dir, `${key.replace(/\//g, "__")}.json`);
      await mkdir(this.dir, { recursive: true });
      const record: ParkedJournal = { request: parked.request, deadline: parking.deadline, resume: submission.resume };
      await writeFile(journal, JSON.stringify(record), { mode: 0o600 });
    }
    // At the deadline it goes through the pipeline once more, which gives up if CI is still pending.
    const timer = setTimeout(() => this.leave(key), Math.max(0, parking.deadline - Date.now()));
    timer.unref();
    this.parked.set(key, { submission: parked, sha: parking.sha, timer, journal });
  }

  /** CI settled on `sha`: its parked deployments go round again. Returns how many. */
  ciChanged(repository: string, sha: string): number {
    const event = eventKey(repository, sha);
    this.ciEvents.delete(event);
    this.ciEvents.set(event, ++this.ciEventCount);
    if (this.ciEvents.size > REMEMBERED_CI_EVENTS) this.ciEvents.delete(this.ciEvents.keys().next().value as string);
    const woken = [...this.parked.entries()].filter(
      ([, entry]) => entry.submission.request.repository.fullName === repository && entry.sha === sha,
    );
    for (const [key] of woken) this.leave(key);
    return woken.length;
  }

  /** Deployments journaled by an earlier process come back (and re-check their CI). */
  async restore(rebuild: Rebuild, failed?: (file: string, error: unknown) => void): Promise<number> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    let restored = 0;
    for (const file of files.filter((name) => name.endsWith(".json"))) {
      const path = join(this.dir, file);
      // One unreadable journal (cut short by a crash mid-write) or one installation GitHub will not
      // authenticate right now must neither stop the others nor take the server down.
      let journal: ParkedJournal;
      try {
        journal = JSON.parse(await readFile(path, "utf8")) as ParkedJournal;
      } catch (error) {
        failed?.(file, error);
        await rm(path, { force: true }).catch(() => undefined);
        continue;
      }
      let io: Awaited<ReturnType<Rebuild>>;
      try {
        io = await rebuild(journal.resume);
      } catch (error) {
        failed?.(file, error); // journal kept: the next start tries again
        continue;
      }
      await rm(path, { force: true }).catch(() => undefined);
      if (io === undefined) continue;
      restored += 1;
      this.resubmit({ request: journal.request, ...io, resume: journal.resume, ciDeadline: journal.deadline });
    }
    return restored;
  }

  /** Forgets every parked deployment; their journals stay for the next process. */
  clear(): void {
    for (const entry of this.parked.values()) clearTimeout(entry.timer);
    this.parked.clear();
  }

  private leave(key: string): void {
    const entry = this.parked.get(key);
    if (entry === undefined) return;
    this.parked.delete(key);
    clearTimeout(entry.timer);
    const removed = entry.journal === undefined ? Promise.resolve() : rm(entry.journal, { force: true });
    void removed.then(() => this.resubmit(entry.submission));
  }
}

function eventKey(repository: string, sha: string): string {
  return `${repository}@${sha}`;
}
