/**
 * What is where, per environment: derived from GitHub's deployment records
 * (the system of record: deploys, locks, statuses) plus heaven's own queue,
 * never from a copy of either. Pure: plain data in, the API's view out.
 *
 * Locks are replayed by lock-state.ts, exactly as heaven decides them when it
 * deploys; the person named is `ownerOf` (who a chat client acted for, else
 * the record's creator), as in statuses and locks.
 */
import type { Lock } from "../core/lock.js";
import type { DeploymentRecord } from "../core/record.js";
import { deploymentOutcome, liveSince, type Outcome, type StatusSeen } from "./deployment-outcome.js";
import { isDeployTask } from "./is-deploy-task.js";
import { currentLockState, ownerOf } from "./lock-state.js";

export interface RecordWithStatuses {
  record: DeploymentRecord;
  /** Every status of the record; undefined when they were not read (older records, to save requests). */
  statuses: readonly StatusSeen[] | undefined;
}

/** One job of heaven's queue, as plain data. */
export interface QueuedWork {
  deploymentId: string;
  environment: string;
  ref: string;
  sha: string;
  by: string;
  state: "queued" | "running" | "parked";
  /** ISO 8601: when heaven accepted it. */
  acceptedAt: string;
  /** Parked: the checks it waits for, when heaven has seen them since it started; undefined otherwise. */
  waitingFor?: readonly string[] | undefined;
}

export interface EnvironmentSettings {
  name: string;
  lockTtlSeconds: number | undefined;
  autoDeploy: boolean;
}

export interface ReleaseStateInput {
  records: readonly RecordWithStatuses[];
  /** This repository's queue entries, in queue order. */
  queue: readonly QueuedWork[];
  /** Environments of `.github/heaven.yml`; undefined when it could not be read (auto-deploy is then unknown). */
  configured: readonly EnvironmentSettings[] | undefined;
  defaultBranch: string;
  /** ISO 8601. */
  now: string;
}

export interface Release {
  deploymentId: number;
  ref: string;
  sha: string;
  /** ISO 8601: when it went live (its success status). */
  at: string;
  by: string;
}

export interface NewestDeployment {
  deploymentId: number;
  ref: string;
  sha: string;
  /** ISO 8601: when it was created. */
  createdAt: string;
  by: string;
  /** GitHub's newest status state; null when it has none (or they were not read). */
  state: string | null;
  outcome: Outcome;
}

export type LockView = Pick<Lock, "owner" | "reason" | "since" | "kind"> & { expiresAt: string | null; branch: string | null };

export type WorkView = Omit<QueuedWork, "environment" | "state" | "waitingFor">;
export type ParkedView = WorkView & { waitingFor: readonly string[] | null };

export interface EnvironmentState {
  name: string;
  deployed: Release | null;
  /** The newest earlier live deployment of a different commit: what a rollback goes back to. */
  previous: Release | null;
  newest: NewestDeployment | null;
  lock: LockView | null;
  running: WorkView | null;
  queued: WorkView[];
  parked: ParkedView[];
  /** null: `.github/heaven.yml` could not be read. */
  autoDeploy: boolean | null;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function release(entry: RecordWithStatuses, at: string): Release {
  const { record } = entry;
  return { deploymentId: record.id, ref: record.ref, sha: record.sha, at, by: ownerOf(record) };
}

/** The live deployment and the one before it with another sha, newest first among `deploys`. */
function releases(deploys: readonly RecordWithStatuses[]): { deployed: Release | null; previous: Release | null } {
  const live = deploys.flatMap((entry) => {
    const at = entry.statuses === undefined ? undefined : liveSince(entry.statuses);
    return at === undefined ? [] : [release(entry, at)];
  });
  const [deployed = null] = live;
  const previous = deployed === null ? null : (live.find((r) => r.sha !== deployed.sha) ?? null);
  return { deployed, previous };
}

function newestOf(entry: RecordWithStatuses | undefined): NewestDeployment | null {
  if (entry === undefined) return null;
  const { record } = entry;
  const { outcome, state } = deploymentOutcome(record.createdAt, entry.statuses ?? []);
  return { deploymentId: record.id, ref: record.ref, sha: record.sha, createdAt: record.createdAt, by: ownerOf(record), state: entry.statuses === undefined ? null : (state ?? null), outcome: entry.statuses === undefined ? "unknown" : outcome };
}

function lockView(lock: Lock): LockView {
  return { owner: lock.owner, reason: lock.reason, since: lock.since, expiresAt: lock.expiresAt ?? null, kind: lock.kind, branch: lock.branch ?? null };
}

const work = ({ deploymentId, ref, sha, by, acceptedAt }: QueuedWork): WorkView => ({ deploymentId, ref, sha, by, acceptedAt });

export function deriveEnvironmentState(name: string, input: ReleaseStateInput): EnvironmentState {
  const mine = input.records.filter((entry) => same(entry.record.environment, name));
  const deploys = mine.filter((entry) => isDeployTask(entry.record.task)).sort((a, b) => b.record.id - a.record.id);
  const settings = input.configured?.find((c) => c.name === name);
  const lock = currentLockState(mine.map((entry) => entry.record), { defaultBranch: input.defaultBranch, ttlSeconds: settings?.lockTtlSeconds }, input.now);
  const queue = input.queue.filter((w) => same(w.environment, name));
  const running = queue.find((w) => w.state === "running");
  return {
    name,
    ...releases(deploys),
    newest: newestOf(deploys[0]),
    lock: lock.kind === "locked" ? lockView(lock.lock) : null,
    running: running === undefined ? null : work(running),
    queued: queue.filter((w) => w.state === "queued").map(work),
    parked: queue.filter((w) => w.state === "parked").map((w) => ({ ...work(w), waitingFor: w.waitingFor ?? null })),
    autoDeploy: input.configured === undefined ? null : (settings?.autoDeploy ?? false),
  };
}

/** Every environment heaven knows of: configured ones first (in file order), then any other with records or queued work. */
export function environmentNames(input: Pick<ReleaseStateInput, "records" | "queue" | "configured">): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (name !== "" && !names.some((known) => same(known, name))) names.push(name);
  };
  for (const c of input.configured ?? []) add(c.name);
  for (const entry of [...input.records].sort((a, b) => b.record.id - a.record.id)) add(entry.record.environment);
  for (const w of input.queue) add(w.environment);
  return names;
}

export function deriveReleaseState(input: ReleaseStateInput): EnvironmentState[] {
  return environmentNames(input).map((name) => deriveEnvironmentState(name, input));
}

/** A queue entry of the repository `fullName` as plain work; `waitingFor` names what a parked job's checks were when heaven last looked. */
export function queuedWork(
  entries: ReadonlyArray<{ state: QueuedWork["state"]; job: { key: string; acceptedAt: number; request: { id: string; repository: { fullName: string }; environment: string; ref: string; sha: string; creator: string } } }>,
  fullName: string,
  waitingFor: (jobKey: string) => readonly string[] | undefined,
): QueuedWork[] {
  return entries
    .filter((entry) => same(entry.job.request.repository.fullName, fullName))
    .map(({ state, job }) => ({
      deploymentId: job.request.id,
      environment: job.request.environment,
      ref: job.request.ref,
      sha: job.request.sha,
      by: job.request.creator,
      state,
      acceptedAt: new Date(job.acceptedAt).toISOString(),
      ...(state === "parked" ? { waitingFor: waitingFor(job.key) } : {}),
    }));
}
