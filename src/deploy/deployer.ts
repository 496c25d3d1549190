/**
 * The core's front door: takes a deployment request, queues it in its lane
 * and runs the pipeline when its turn comes. Used by the GitHub app and the
 * command line alike.
 */
import { join } from "node:path";
import { describeOutcome } from "../decisions/describe-outcome.js";
import { logFilePath, logKey, logUrl } from "../engine/log-links.js";
import { ParkingLot, type Rebuild, type Submission } from "./parking-lot.js";
import { runPipeline, type PipelineDeps, type PipelineResult } from "./pipeline.js";
import type { ProviderRegistry } from "../core/provider.js";
import { LocalDeployQueue, type DeployQueue } from "./queue.js";
import { Workspaces } from "../engine/workspace.js";

export type { Rebuild, Submission } from "./parking-lot.js";

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

/** Deployments of one repository and environment run one at a time. */
function laneOf(repository: string, environment: string): string {
  return `${repository}#${environment.toLowerCase()}`;
}

/** Merge commits remembered per lane (see shippedMerges). */
const REMEMBERED_MERGES = 20;

export class Deployer {
  private readonly queue: DeployQueue;
  private readonly shutdown = new AbortController();
  private readonly deps: PipelineDeps;
  /** Final statuses still being delivered (they outlive their queue slot). */
  private readonly deliveries = new Set<Promise<void>>();
  private readonly parking: ParkingLot;
  /** Automatic deployments queued and not started, per lane: a newer one supersedes older ones. */
  private readonly automaticWaiting = new Map<string, Map<string, string>>();
  /** Every deployment not finished yet (queued, running or parked), per lane: id → the sha it will deploy. */
  private readonly inFlight = new Map<string, Map<string, string>>();
  /**
   * Merge commits this process shipped in place of a deployment's recorded sha, per lane (newest last).
   * GitHub's records cannot tell auto-deploy they are already there; forgotten on restart.
   */
  private readonly shippedMerges = new Map<string, Map<string, string>>();

  constructor(private readonly options: DeployerOptions) {
    this.queue = options.queue ?? new LocalDeployQueue(options.concurrency);
    this.parking = new ParkingLot(join(options.dataDir, "parked"), (submission) => {
      this.submit(submission).catch(() => undefined); // nobody awaits it; the pipeline reports its own failures
    });
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
        const ciEventMark = this.parking.ciEventMark;
        result = await runPipeline(
          {
            ...submission,
            logPath: logFilePath(this.options.dataDir, key),
            logUrl: link,
            park: async (parking) => {
              this.laneMap(this.inFlight, lane).set(request.id, parking.sha);
              await this.parking.park(key, submission, parking, ciEventMark);
            },
            supersededBy: () => this.newerAutomatic(lane, request.id),
            shipsMergeCommit: (sha) => {
              this.laneMap(this.inFlight, lane).set(request.id, sha);
              const shipped = this.laneMap(this.shippedMerges, lane);
              shipped.set(request.id, sha);
              if (shipped.size > REMEMBERED_MERGES) shipped.delete(shipped.keys().next().value as string);
            },
          },
          this.deps,
        ).catch((error: unknown) => {
          // The log could not be opened, or the journal of a parked deployment not written:
          // the deployment still gets a final status rather than stay pending for ever.
          const status = describeOutcome({ kind: "crashed", message: error instanceof Error ? error.message : String(error) });
          const delivered = reporter.finished({ ...status, logUrl: link, environmentUrl: undefined });
          return { ...status, outcome: undefined, delivered };
        });
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

  /** CI settled on `sha`: parked deployments of it go back through the pipeline (and park again if still pending). */
  ciChanged(repository: string, sha: string): number {
    return this.parking.ciChanged(repository, sha);
  }

  /** Parked deployments journaled by an earlier process come back (and re-check their CI). */
  restoreParked(rebuild: Rebuild, failed?: (file: string, error: unknown) => void): Promise<number> {
    return this.parking.restore(rebuild, failed);
  }

  /** Stops running providers (their deployments end with an error status) and waits for the queue to drain. Parked deployments stay journaled. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    this.parking.clear();
    await this.idle();
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
}
