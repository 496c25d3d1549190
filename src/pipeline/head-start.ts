/**
 * A deployment's head start: what it will almost always need is asked for
 * at once, side by side — the environment's records (locks), CI on its sha,
 * and its checkout — while the configuration is read, instead of one after
 * the other. Reads nobody ends up using cost a GET; the checkout belongs to
 * the deployment: `settle` removes it if nothing took it (a fetch under way
 * finishes first — its commits serve the next deployment — but no worktree
 * is made), and the pipeline awaits that before its final status.
 */
import { LOCK_TASK, ROLLBACK_TASK, UNLOCK_TASK } from "../core/record.js";
import type { DeploymentRequest } from "../core/request.js";
import { isFullSha } from "../core/sha.js";
import type { DeploymentSources } from "../core/sources.js";
import { isChatDeployment } from "../decisions/trusts-creation-check.js";
import type { Checkout, Workspaces } from "../engine/workspace.js";
import { StepTimings } from "./step-timings.js";

/**
 * Whether each lane's last deployment read CI, so the next one reads it
 * early only where it will be needed: a lane whose configuration skips CI
 * (`required_contexts: []`) does not pay two GETs per deployment for a guess.
 */
export class ReadAheadMemory {
  private readonly readsCi = new Map<string, boolean>();

  guess(lane: string): boolean {
    return this.readsCi.get(lane) ?? false;
  }

  learn(lane: string, readCi: boolean): void {
    this.readsCi.delete(lane);
    this.readsCi.set(lane, readCi);
    // Forget the least recently deployed lane beyond a bound.
    if (this.readsCi.size > 10_000) this.readsCi.delete(this.readsCi.keys().next().value as string);
  }
}

export interface HeadStart {
  /** The deployment's sources, answering the first read of records and CI with the one already under way. */
  sources: DeploymentSources;
  /** The checkout, started early where the deployment will run a provider. */
  checkout(): Promise<Checkout>;
  timings: StepTimings;
  /** The CI step is behind: remembers whether CI was read, for the lane's next deployment. */
  ciDecided(): void;
  /** Removes a checkout nobody took, once its fetch is done. */
  settle(): Promise<void>;
}

export interface HeadStartDeps {
  workspaces: Workspaces;
  memory: ReadAheadMemory | undefined;
  note: (text: string) => void;
  addSecret: (secret: string) => void;
}

/** Lock tasks and rollbacks run no provider here; nothing else is known before the configuration is read. */
function runsProvider(request: DeploymentRequest): boolean {
  return isFullSha(request.sha) && ![LOCK_TASK, UNLOCK_TASK, ROLLBACK_TASK].includes(request.task) && request.record?.payload.rollback !== true;
}

export function startEarly(request: DeploymentRequest, sources: DeploymentSources, deps: HeadStartDeps): HeadStart {
  const timings = new StepTimings();
  const records = sources.environmentRecords && request.record !== undefined ? once(request.environment, timings.time("lock", sources.environmentRecords(request.environment))) : undefined;
  const lane = `${request.repository.fullName}\n${request.environment}`;
  // A chat deployment's CI was checked by GitHub when it was created (ci_gate: auto).
  const readsCi = deps.memory?.guess(lane) === true && runsProvider(request) && !request.force && !isChatDeployment(request);
  const ci = readsCi && sources.ciState ? once(request.sha, timings.time("ci", sources.ciState(request.sha))) : undefined;
  let ciRead = false;

  const stop = new AbortController();
  const token = async () => {
    const minted = await sources.gitToken?.();
    if (minted !== undefined) deps.addSecret(minted);
    return minted;
  };
  let checkout: Promise<Checkout> | undefined;
  const begin = () =>
    deps.workspaces.checkout({
      repository: request.repository.fullName,
      cloneUrl: request.repository.cloneUrl,
      sha: request.sha,
      token,
      note: deps.note,
      timed: (step, ms) => timings.record(step, ms),
      signal: stop.signal,
    });
  if (runsProvider(request)) {
    checkout = begin();
    // Awaited later (or by settle): a failure before then is not an unhandled rejection that stops heaven.
    checkout.catch(() => undefined);
  }
  let taken = false;

  return {
    sources: {
      ...sources,
      ...(records && { environmentRecords: (environment: string) => records.take(environment) ?? sources.environmentRecords!(environment) }),
      ...(sources.ciState && {
        ciState: (sha: string) => {
          ciRead = true;
          return ci?.take(sha) ?? timings.time("ci", sources.ciState!(sha));
        },
      }),
    },
    ciDecided: () => deps.memory?.learn(lane, ciRead),
    checkout: () => {
      taken = true;
      checkout ??= begin();
      return checkout;
    },
    timings,
    settle: async () => {
      if (taken || checkout === undefined) return;
      stop.abort();
      const left = await checkout;
      if (left.kind === "ready") await left.release();
    },
  };
}

/** A read already under way, handed to the first caller asking for the same thing; later callers ask again. */
function once<T>(key: string, read: Promise<T>): { take(asked: string): Promise<T> | undefined } {
  // Nobody may ever await it (the deployment was refused first): its failure is not an unhandled rejection.
  read.catch(() => undefined);
  let pending: Promise<T> | undefined = read;
  return {
    take: (asked) => {
      if (asked !== key || pending === undefined) return undefined;
      const taken = pending;
      pending = undefined;
      return taken;
    },
  };
}
