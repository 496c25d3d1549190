/**
 * The core's front door: takes a deployment request, queues it in its lane
 * and runs the pipeline when its turn comes. Used by the GitHub app and the
 * command line alike.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { logFilePath, logKey, logUrl } from "./log-links.js";
import { runPipeline, type Parking, type PipelineDeps, type PipelineResult } from "./pipeline.js";
import type { ProviderRegistry } from "./provider.js";
import { LocalDeployQueue, type DeployQueue } from "./queue.js";
import type { DeploymentReporter } from "./reporter.js";
import type { DeploymentRequest } from "./request.js";
import type { DeploymentSources } from "./sources.js";
import { Workspaces } from "./workspace.js";

export interface DeployerOptions {
  dataDir: string;
  /** Public base URL of heaven, for log links. */
  baseUrl: string;
  logSecret: string;
  concurrency: number;
  defaultTimeoutSeconds: number;
  providers: ProviderRegistry;
  baseEnv: Readonly<Record<string, string>>;
  secrets: readonly string[];
  queue?: DeployQueue;
  killGraceMs?: number;
}

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

interface ParkedDeployment {
  submission: Submission;
  parking: Parking;
  timer: NodeJS.Timeout;
  journal: string | undefined;
}

/** What a parked deployment's journal file holds. */
interface ParkedJournal {
  request: DeploymentRequest;
  deadline: number;
  resume: unknown;
}

/** Deployments of one repository and environment run one at a time. */
function laneOf(repository: string, environment: string): string {
  return `${repository}#${environment.toLowerCase()}`;
}

/** Merge commits remembered per lane (see shippedMerges). */
const REMEMBERED_MERGES = 20;

export type Rebuild = (resume: unknown) => Promise<Pick<Submission, "sources" | "reporter"> | undefined>;

export class Deployer {
  private readonly queue: DeployQueue;
  private readonly shutdown = new AbortController();
  private readonly deps: PipelineDeps;
  /** Final statuses still being delivered (they outlive their queue slot). */
  private readonly deliveries = new Set<Promise<void>>();
  /** Deployments waiting for CI, by log key. They hold no lane while they wait. */
  private readonly parked = new Map<string, ParkedDeployment>();
  /** Automatic deployments queued and not started, per lane: a newer one supersedes older ones. */
  private readonly automaticWaiting = new Map<string, Map<string, string>>();
  /** Every deployment not finished yet (queued, running or parked), per lane: id → the sha it will deploy. */
  private readonly inFlight = new Map<string, Map<string, string>>();
  /**
   * Merge commits this process shipped in place of a deployment's recorded sha, per lane (newest last).
   * GitHub's records cannot tell auto-deploy they are already there; forgotten on restart.
   */
  private readonly shippedMerges = new Map<string, Map<string, string>>();
  /** Sequence number of the latest CI event per `repository@sha`: a deployment that read CI
   * before an event and parks after it must not wait for an event that already came. */
  private readonly ciEvents = new Map<string, number>();
  private ciEventCount = 0;

  constructor(private readonly options: DeployerOptions) {
    this.queue = options.queue ?? new LocalDeployQueue(options.concurrency);
    this.deps = {
      providers: options.providers,
      workspaces: new Workspaces(options.dataDir, options.baseEnv),
      defaultTimeoutSeconds: options.defaultTimeoutSeconds,
      baseEnv: options.baseEnv,
      secrets: options.secrets,
      shutdown: this.shutdown.signal,
      killGraceMs: options.killGraceMs,
    };
  }

  get workspaces(): Workspaces {
    return this.deps.workspaces;
  }

  /** Resolves with the final status once the deployment has run and its final status is delivered. */
  submit(submission: Submission): Promise<PipelineResult> {
    const { request, reporter } = submission;
    const key = logKey(request.repository.fullName, request.id);
    const link = logUrl(this.options.baseUrl, this.options.logSecret, key);
    let result: PipelineResult | undefined;
    const lane = laneOf(request.repository.fullName, request.environment);
    if (request.automatic === true) this.laneAutomatics(lane).set(request.id, request.sha);
    this.laneMap(this.inFlight, lane).set(request.id, request.sha);
    const job = {
      lane,
      label: `deployment ${request.id} (${request.ref} to ${request.environment})`,
      run: async () => {
        this.laneAutomatics(lane).delete(request.id);
        const ciEventsBefore = this.ciEventCount;
        result = await runPipeline(
          {
            ...submission,
            logPath: logFilePath(this.options.dataDir, key),
            logUrl: link,
            park: (parking) => this.park(key, submission, parking, ciEventsBefore),
            supersededBy: () => this.newerAutomatic(lane, request.id),
            shipsMergeCommit: (sha) => {
              this.laneMap(this.inFlight, lane).set(request.id, sha);
              const shipped = this.laneMap(this.shippedMerges, lane);
              shipped.set(request.id, sha);
              if (shipped.size > REMEMBERED_MERGES) shipped.delete(shipped.keys().next().value as string);
            },
          },
          this.deps,
        );
        if (result.state !== "pending") this.laneMap(this.inFlight, lane).delete(request.id);
        const delivery = result.delivered.catch(() => undefined);
        this.deliveries.add(delivery);
        void delivery.then(() => this.deliveries.delete(delivery));
      },
    };
    return this.queue
      .add(job, (reason) => reporter.queued(reason, link))
      .then(async () => {
        if (result === undefined) throw new Error(`deployment ${request.id} finished without a result`);
        await result.delivered;
        return result;
      });
  }

  /** Resolves when nothing is queued, running, or waiting to deliver its final status. */
  async idle(): Promise<void> {
    await this.queue.onIdle();
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }

  /**
   * CI changed on `sha`: parked deployments of it go back through the
   * pipeline (and park again if CI is still pending).
   */
  ciChanged(repository: string, sha: string): number {
    const event = `${repository}@${sha}`;
    this.ciEvents.delete(event);
    this.ciEvents.set(event, ++this.ciEventCount);
    if (this.ciEvents.size > 10_000) this.ciEvents.delete(this.ciEvents.keys().next().value as string);
    const woken = [...this.parked.entries()].filter(
      ([, entry]) => entry.submission.request.repository.fullName === repository && entry.parking.sha === sha,
    );
    for (const [key, entry] of woken) void this.unpark(key).then(() => this.resubmit(entry.submission));
    return woken.length;
  }

  /** Parked deployments journaled by an earlier process come back (and re-check their CI). */
  async restoreParked(rebuild: Rebuild): Promise<number> {
    const dir = this.journalDir();
    const files = await readdir(dir).catch(() => [] as string[]);
    let restored = 0;
    for (const file of files.filter((name) => name.endsWith(".json"))) {
      const path = join(dir, file);
      const journal = JSON.parse(await readFile(path, "utf8")) as ParkedJournal;
      await rm(path, { force: true });
      const io = await rebuild(journal.resume);
      if (io === undefined) continue;
      restored += 1;
      this.resubmit({ request: journal.request, ...io, resume: journal.resume, ciDeadline: journal.deadline });
    }
    return restored;
  }

  /** Stops running providers (their deployments end with an error status) and waits for the queue to drain. Parked deployments stay journaled. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    for (const entry of this.parked.values()) clearTimeout(entry.timer);
    this.parked.clear();
    await this.idle();
  }

  /** A parked deployment goes round again; nobody awaits it, and the pipeline reports its own failures. */
  private resubmit(submission: Submission): void {
    this.submit(submission).catch(() => undefined);
  }

  /**
   * The shas this process will deploy to an environment (queued, running or
   * parked), and merge commits it already shipped there, so auto-deploy does
   * not ask for one of them a second time.
   */
  inFlightShas(repository: string, environment: string): string[] {
    const lane = laneOf(repository, environment);
    // A merge commit shipped earlier counts too: the records say the branch's older sha was deployed.
    return [...this.laneMap(this.inFlight, lane).values(), ...this.laneMap(this.shippedMerges, lane).values()];
  }

  private laneAutomatics(lane: string): Map<string, string> {
    return this.laneMap(this.automaticWaiting, lane);
  }

  private laneMap(maps: Map<string, Map<string, string>>, lane: string): Map<string, string> {
    let map = maps.get(lane);
    if (map === undefined) {
      map = new Map();
      maps.set(lane, map);
    }
    return map;
  }

  private newerAutomatic(lane: string, id: string): { id: string; sha: string } | undefined {
    let newest: { id: string; sha: string } | undefined;
    for (const [otherId, sha] of this.laneAutomatics(lane)) {
      if (Number(otherId) > Number(newest?.id ?? id)) newest = { id: otherId, sha };
    }
    return newest;
  }

  private journalDir(): string {
    return join(this.options.dataDir, "parked");
  }

  private async park(key: string, submission: Submission, parking: Parking, ciEventsBefore: number): Promise<void> {
    const parkedSubmission: Submission = {
      ...submission,
      request: { ...submission.request, sha: parking.sha, requiredContexts: parking.requiredContexts },
      ciDeadline: parking.deadline,
    };
    const { repository, environment, id } = submission.request;
    this.laneMap(this.inFlight, laneOf(repository.fullName, environment)).set(id, parking.sha);
    if ((this.ciEvents.get(`${repository.fullName}@${parking.sha}`) ?? 0) > ciEventsBefore) {
      // CI settled while this deployment was reading it: look again now rather than wait for an event that came.
      this.resubmit(parkedSubmission);
      return;
    }
    let journal: string | undefined;
    if (submission.resume !== undefined) {
      journal = join(this.journalDir(), `${key.replace(/\//g, "__")}.json`);
      await mkdir(this.journalDir(), { recursive: true });
      const record: ParkedJournal = { request: parkedSubmission.request, deadline: parking.deadline, resume: submission.resume };
      await writeFile(journal, JSON.stringify(record), { mode: 0o600 });
    }
    // At the deadline it goes through the pipeline once more, which gives up if CI is still pending.
    const timer = setTimeout(() => void this.unpark(key).then(() => this.resubmit(parkedSubmission)), Math.max(0, parking.deadline - Date.now()));
    timer.unref();
    this.parked.set(key, { submission: parkedSubmission, parking, timer, journal });
  }

  private async unpark(key: string): Promise<void> {
    const entry = this.parked.get(key);
    if (entry === undefined) return;
    this.parked.delete(key);
    clearTimeout(entry.timer);
    if (entry.journal !== undefined) await rm(entry.journal, { force: true });
  }
}
