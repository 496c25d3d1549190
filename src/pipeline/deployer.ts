/**
 * The core's front door, for the server and the command line alike: accepts
 * jobs into the queue, runs the pipeline when their turn comes, and tells
 * the sinks what happened. Knows nothing of Probot or of any one provider:
 * where a job's sources come from and who listens is handed to `start`.
 */
import type { DeploymentEvent, EventSink } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import type { DeployQueue, Enqueued, JobControl, JobResult, ProcessRecord, RestoreReport } from "../core/queue.js";
import type { DeploymentSources } from "../core/sources.js";
import { DeploymentLog } from "../engine/deployment-log.js";
import { logFilePath, logKey, logUrl } from "../engine/log-links.js";
import { githubWebUrl, LogMetaSink } from "../engine/log-meta-sink.js";
import { killLeftoverGroup, recordProcessGroup } from "../engine/process-groups.js";
import { crashed, runPipeline, type PipelineDeps, type PipelineResult } from "./run-pipeline.js";

export interface DeployerOptions {
  dataDir: string;
  /** Public base URL of heaven, for log links. */
  baseUrl: string;
  logSecret: string;
  /** HEAVEN_LOG_LINK_TTL: each link expires this long after the status that carries it (undefined: never). */
  logLinkTtlSeconds?: number | undefined;
  pipeline: PipelineDeps;
  /** The command line cannot wait for CI: there is none to wait for. */
  canPark: boolean;
  /** Who stops a deployment when the queue aborts it: "heaven's shutdown", "Ctrl-C". */
  abortReason: string;
  /** What an interrupted job means: this process was restarted (embedded), or another worker went silent (scale-out). Default restart. */
  interruption?: "restart" | "worker-stopped";
  /**
   * Whether accepting a job that must wait tells the sinks (`queued`). Off with a shared queue: the
   * process that accepts a job is not the one whose outbox posts its later statuses, so a late
   * `queued` could land on GitHub after the worker's final one. Default on.
   */
  announceQueued?: boolean;
  /** Where the log page's metadata goes; default: beside the log files (LogMetaSink). Scale-out mode: PostgreSQL, for any process's log page. */
  logMetaSink?: EventSink;
}

export interface DeployerIo {
  /** Where a job's configuration, CI and locks come from: GitHub's API, or the repository on disk. */
  sourcesFor(job: DeploymentJob): Promise<DeploymentSources>;
  sinks: readonly EventSink[];
  log: { info(object: object, message: string): void; error(object: object, message: string): void };
  echo?: (line: string) => void;
}

/** The condition a job parked on CI waits for. */
export const ciSettled = (repository: string, sha: string) => `ci:${repository}@${sha}`;
/** The wake-up of deployments waiting for a lane's lock. */
const unlocked = (lane: string) => `unlocked:${lane}`;

export class Deployer {
  private io: DeployerIo | undefined;

  constructor(
    readonly queue: DeployQueue,
    private readonly options: DeployerOptions,
  ) {}

  get workspaces() {
    return this.options.pipeline.workspaces;
  }

  /** Starts running jobs, first those an earlier process left behind. */
  start(io: DeployerIo): Promise<RestoreReport> {
    this.attach(io);
    return this.queue.process({ run: (job, control) => this.run(job, control), interrupted: (job, processes) => this.interrupted(job, processes) });
  }

  /** A process that runs no job (the scale-out server): its sinks, and the reports of what dead workers left. */
  async supervise(io: DeployerIo): Promise<void> {
    this.attach(io);
    await this.queue.supervise?.({ interrupted: (job, processes) => this.interrupted(job, processes) });
  }

  /** Sources and sinks without running jobs: a process that only accepts work (the scale-out server) still tells its sinks. */
  attach(io: DeployerIo): void {
    // The log page's metadata comes with every deployment, whoever else listens.
    const logMeta = this.options.logMetaSink ?? new LogMetaSink({ dataDir: this.options.dataDir, githubUrl: githubWebUrl(this.options.pipeline.hostEnv ?? {}), secrets: this.options.pipeline.secrets });
    this.io = { ...io, sinks: [...io.sinks, logMeta] };
  }

  /** Journaled before it resolves; says `queued` at once when the job must wait. */
  async accept(job: DeploymentJob): Promise<Enqueued> {
    const enqueued = await this.queue.enqueue(job);
    if (enqueued.kind === "added" && enqueued.position !== undefined && this.options.announceQueued !== false) void this.publish(job, { type: "queued", position: enqueued.position });
    return enqueued;
  }

  /** CI settled on a commit: deployments parked on it look again. */
  ciSettled(repository: string, sha: string): Promise<number> {
    return this.queue.wake(ciSettled(repository, sha));
  }

  /** The shas heaven will deploy to an environment (queued, running or parked), so auto-deploy asks for none twice. */
  async shasInFlight(lane: string): Promise<string[]> {
    return (await this.queue.list(lane)).map((entry) => entry.job.request.sha);
  }

  private logUrlOf(job: DeploymentJob): string {
    const ttl = this.options.logLinkTtlSeconds;
    const expiresAt = ttl === undefined ? undefined : Math.floor(Date.now() / 1000) + ttl;
    return logUrl(this.options.baseUrl, this.options.logSecret, logKey(job.request.repository.fullName, job.request.id), expiresAt);
  }

  private logPathOf(job: DeploymentJob): string {
    return logFilePath(this.options.dataDir, logKey(job.request.repository.fullName, job.request.id));
  }

  private async run(job: DeploymentJob, control: JobControl): Promise<JobResult> {
    const io = this.required();
    let result: PipelineResult;
    try {
      const sources = await io.sourcesFor(job);
      result = await runPipeline(
        {
          job,
          sources,
          logPath: this.logPathOf(job),
          publish: (event) => void this.publish(job, event),
          canPark: this.options.canPark,
          supersededBy: () => this.newerAutomatic(job),
          signal: control.signal,
          abortReason: this.options.abortReason,
          processStarted: (pgid) => void control.processStarted(recordProcessGroup(pgid)).catch(() => undefined),
          echo: io.echo,
        },
        this.options.pipeline,
      );
    } catch (error) {
      // No sources (GitHub would not authenticate the installation): still a final status.
      result = crashed(error);
    }
    if (result.kind === "parked") {
      const { sha } = job.request;
      await this.publish(result.job, { type: "waiting-for-ci", sha, waiting: result.waiting, deadline: result.deadline });
      return { kind: "park", job: result.job, until: result.deadline, wakeOn: ciSettled(job.request.repository.fullName, sha) };
    }
    if (result.kind === "waiting-for-unlock") {
      const { holder, deadline } = result;
      await this.publish(result.job, { type: "waiting-for-unlock", holder, deadline });
      // A lock that expires lets it go too: look again then.
      const expires = holder.expiresAt === undefined ? NaN : Date.parse(holder.expiresAt);
      return { kind: "park", job: result.job, until: Number.isNaN(expires) ? deadline : Math.min(deadline, expires), wakeOn: unlocked(job.lane) };
    }
    // On disk in every sink before the queue records the job as finished: a crash in between repeats nothing twice.
    await this.publish(job, { type: "finished", outcome: result.outcome, environmentUrl: result.environmentUrl });
    // Whatever ended here (an unlock, a deploy of the default branch that released a branch lock)
    // may have freed the lane's lock: deployments waiting for it look again.
    await this.queue.wake(unlocked(job.lane));
    return { kind: "done" };
  }

  /**
   * A job that was running when heaven (or, scale-out, its worker) died: its
   * leftover processes on this machine are killed, and it ends with one error.
   */
  private async interrupted(job: DeploymentJob, processes: readonly ProcessRecord[]): Promise<void> {
    const killed = processes.map((record) => ({ pgid: record.pgid, result: killLeftoverGroup(record) }));
    const workerStopped = this.options.interruption === "worker-stopped";
    this.io?.log.info({ key: job.key, killed }, `a deployment was running when ${workerStopped ? "its worker" : "heaven"} stopped; reporting it as interrupted`);
    const groups = killed.length > 0 ? `; its process groups: ${killed.map((k) => `${k.pgid} ${k.result}`).join(", ")}` : "";
    const note = `${workerStopped ? "the worker running this deployment stopped" : "heaven restarted while this deployment ran"}${groups}`;
    // The deployment's own log says so too, the way it says everything else.
    const tee = this.options.pipeline.logTee?.(logKey(job.request.repository.fullName, job.request.id));
    await DeploymentLog.open(this.logPathOf(job), { secrets: this.options.pipeline.secrets, tee })
      .then(async (log) => {
        log.note(note);
        await log.close();
      })
      .catch(() => undefined);
    // Another worker's processes may be on another machine: stopped only if one was killed here.
    const outcome = workerStopped
      ? { kind: "interrupted" as const, processStopped: killed.some((k) => k.result === "killed"), workerStopped }
      : { kind: "interrupted" as const, processStopped: processes.length > 0 };
    await this.publish(job, { type: "finished", outcome, environmentUrl: undefined });
  }

  private async newerAutomatic(job: DeploymentJob): Promise<{ id: string; sha: string } | undefined> {
    const waiting = (await this.queue.list(job.lane)).filter((e) => e.state === "queued" && e.job.request.automatic === true);
    const newest = waiting.map((e) => e.job.request).sort((a, b) => Number(b.id) - Number(a.id))[0];
    return newest !== undefined && Number(newest.id) > Number(job.request.id) ? { id: newest.id, sha: newest.sha } : undefined;
  }

  /** Never throws: a sink that fails is logged, and the deployment goes on. */
  private async publish(job: DeploymentJob, event: DeploymentEvent): Promise<void> {
    const io = this.io;
    if (io === undefined) return;
    const link = this.logUrlOf(job);
    await Promise.all(
      io.sinks.map((sink) =>
        sink.publish(job, event, link).catch((error: unknown) => io.log.error({ err: error, key: job.key, event: event.type }, "a sink could not take an event")),
      ),
    );
  }

  private required(): DeployerIo {
    if (this.io === undefined) throw new Error("the deployer has not been started");
    return this.io;
  }
}
