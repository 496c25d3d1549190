/**
 * Writes what the log page shows beside a deployment's lines: repository,
 * environment, ref, sha, who, state and times, as `<key>.meta.json` next to
 * the log, on each event. The page and the live tail read it back through
 * the log store; `finished` is how they know nothing more will come.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { DeploymentEvent, EventSink, ProgressEvent } from "../core/events.js";
import { KeyedLock } from "./keyed-lock.js";
import type { DeploymentJob } from "../core/job.js";
import type { LogMeta } from "../core/log-store.js";
import { ownerOf } from "../decisions/lock-state.js";
import { renderStatus } from "../decisions/render-status.js";
import { logKey, logMetaPath } from "./log-links.js";
import { readLogMeta } from "./log-store.js";
import { Secrets } from "./mask-secrets.js";

/** GitHub's web address as Probot reaches it: GitHub Enterprise Server's `GHE_HOST`, or github.com. */
export function githubWebUrl(env: Readonly<Record<string, string | undefined>>): string {
  const host = env.GHE_HOST?.trim();
  return host === undefined || host === "" ? "https://github.com" : `${env.GHE_PROTOCOL?.trim() || "https"}://${host.replace(/\/+$/, "")}`;
}

/** The metadata after `event`; `previous` is what the last event left. Pure. */
export function foldLogMeta(previous: LogMeta | undefined, job: DeploymentJob, event: ProgressEvent, at: number, githubUrl: string): LogMeta {
  const { request, origin } = job;
  const status = renderStatus(job, event);
  const environmentUrl = event.type === "started" || event.type === "finished" ? (event.environmentUrl ?? previous?.environmentUrl) : previous?.environmentUrl;
  const startedAt = event.type === "started" ? at : previous?.startedAt;
  return {
    repository: request.repository.fullName,
    ...(origin.kind === "github" ? { repositoryUrl: `${githubUrl}/${origin.owner}/${origin.repo}` } : {}),
    deploymentId: request.id,
    environment: request.environment,
    ...(environmentUrl === undefined ? {} : { environmentUrl }),
    ref: request.ref,
    sha: request.sha,
    task: request.task,
    who: request.record === undefined ? request.creator : ownerOf(request.record),
    state: status.state,
    description: status.description,
    finished: event.type === "finished",
    acceptedAt: job.acceptedAt,
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(event.type === "finished" ? { finishedAt: at } : {}),
    updatedAt: at,
  };
}

/** Replaces a log's metadata with what `next` makes of the previous one: a file beside the log, or a PostgreSQL row. */
export type UpdateLogMeta = (key: string, next: (previous: LogMeta | undefined) => LogMeta) => Promise<void>;

export interface LogMetaSinkOptions {
  /** Where the files go, when `update` is not given. */
  dataDir?: string;
  /** Where the metadata is kept; default: `<key>.meta.json` beside the log under `dataDir`. */
  update?: UpdateLogMeta;
  /** Where links to the repository, ref and commit point (see githubWebUrl). */
  githubUrl: string;
  /** Masked in what is written, as in the log itself. */
  secrets: readonly string[];
  now?: () => number;
}

/** `<key>.meta.json`, written aside and renamed over, so a reader never sees half a file. */
export function fileLogMeta(dataDir: string): UpdateLogMeta {
  return async (key, next) => {
    const path = logMetaPath(dataDir, key);
    const meta = next(await readLogMeta(path));
    await mkdir(dirname(path), { recursive: true });
    const aside = `${path}.${randomUUID()}.tmp`;
    await writeFile(aside, `${JSON.stringify(meta)}\n`, { mode: 0o600 });
    await rename(aside, path);
  };
}

export class LogMetaSink implements EventSink {
  private readonly secrets = new Secrets();
  /** Events of one deployment are written in the order they were published. */
  private readonly order = new KeyedLock();
  private readonly update: UpdateLogMeta;

  constructor(private readonly options: LogMetaSinkOptions) {
    for (const secret of options.secrets) this.secrets.add(secret);
    const { update, dataDir } = options;
    if (update !== undefined) this.update = update;
    else if (dataDir !== undefined) this.update = fileLogMeta(dataDir);
    else throw new Error("LogMetaSink needs a dataDir or an update");
  }

  /**
   * Resolves once a `finished` event is stored: the queue forgets the job
   * only after that, so a page never waits for an end that was lost. Other
   * events are written in order a moment later, holding nothing back (a
   * parked deployment parks once every sink has its event). The command
   * line's deployments have no link, hence no page: nothing is written.
   */
  publish(job: DeploymentJob, event: DeploymentEvent): Promise<void> {
    if (event.type === "configured" || job.origin.kind !== "github") return Promise.resolve();
    const key = logKey(job.request.repository.fullName, job.request.id);
    const at = (this.options.now ?? Date.now)();
    const write = this.order.run(key, () => this.update(key, (previous) => this.masked(foldLogMeta(previous, job, event, at, this.options.githubUrl))));
    // A failed write shows in the next one, and the last one's failure reaches the deployer's log.
    if (event.type === "finished") return write;
    write.catch(() => undefined);
    return Promise.resolve();
  }

  private masked(meta: LogMeta): LogMeta {
    return { ...meta, ref: this.secrets.mask(meta.ref), who: this.secrets.mask(meta.who), description: this.secrets.mask(meta.description) };
  }
}
