/**
 * Who holds an environment, derived only from its deployment records. Pure.
 *
 * GitHub is the store: a lock is a deployment with task `deploy:lock`, an
 * unlock one with `deploy:unlock` (hubot-deploy sends both). The state is
 * found by replaying an environment's records oldest → newest with
 * `applyRecord`, the same rule heaven applies when it processes each record,
 * so every process, after any restart, computes the same state and nothing is
 * kept on local disk.
 *
 * Two kinds of lock: an explicit one (`deploy:lock`), and a branch lock taken
 * by deploying a branch other than the default one, which keeps others from
 * deploying over a topic branch until someone ships the default branch again.
 */
import { isObject } from "../core/json.js";
import type { Lock, LockState } from "../core/lock.js";
import { LOCK_TASK, UNLOCK_TASK, type DeploymentRecord } from "../core/record.js";
import { isFullSha } from "../core/sha.js";
import { isDeployTask } from "./is-deploy-task.js";
import { DESCRIPTION_LIMIT, truncate } from "./text.js";


export interface LockRules {
  defaultBranch: string;
  /** environment default TTL for explicit locks, seconds; undefined = no expiry */
  ttlSeconds: number | undefined;
}

export type LockEffect =
  | { kind: "locked"; lock: Lock }
  | { kind: "relocked"; lock: Lock }
  | { kind: "lock-refused"; holder: Lock }
  | { kind: "unlocked"; previous: Lock }
  | { kind: "was-unlocked" }
  | { kind: "deploy-allowed"; lockedForDeployer: Lock | undefined; released: Lock | undefined }
  | { kind: "deploy-forced"; over: Lock }
  | { kind: "deploy-refused"; holder: Lock }
  | { kind: "no-effect" };

const UNLOCKED: LockState = { kind: "unlocked" };
const NO_REASON = "no reason given";

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
const positiveSeconds = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;

/**
 * The human behind a record. A chat client or bot names who it acts for
 * (hubot-deploy: `notify.user_name`, then `notify.user`, which is a chat id
 * on some adapters; others: `actor`); hubot's token belongs to a machine
 * user of type User, so this is read whatever the creator's type. It names
 * people in statuses and locks; who may act is GitHub's to decide.
 */
export function ownerOf(record: Pick<DeploymentRecord, "creator" | "payload">): string {
  const notify = isObject(record.payload.notify) ? record.payload.notify : {};
  return text(notify.user_name) ?? text(notify.user) ?? text(record.payload.actor) ?? record.creator.login;
}

/** GitHub logins are case-insensitive, and chat names often differ in case. */
function sameOwner(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function addSeconds(iso: string, seconds: number | undefined): string | undefined {
  if (seconds === undefined) return undefined;
  const start = Date.parse(iso);
  if (Number.isNaN(start)) return undefined;
  const end = new Date(start + seconds * 1000);
  return Number.isNaN(end.getTime()) ? undefined : end.toISOString();
}

/** A lock whose expiry has come (expiresAt <= at) is no lock at all. */
export function expire(state: LockState, at: string): LockState {
  if (state.kind === "unlocked" || state.lock.expiresAt === undefined) return state;
  return Date.parse(state.lock.expiresAt) <= Date.parse(at) ? UNLOCKED : state;
}

function explicitLock(record: DeploymentRecord, owner: string, rules: LockRules): Lock {
  return {
    owner,
    reason: text(record.description) ?? text(record.payload.reason) ?? NO_REASON,
    since: record.createdAt,
    expiresAt: addSeconds(record.createdAt, positiveSeconds(record.payload.ttl) ?? positiveSeconds(rules.ttlSeconds)),
    kind: "explicit",
    branch: undefined,
    recordId: record.id,
  };
}

function branchLock(record: DeploymentRecord, owner: string, branch: string): Lock {
  return {
    owner,
    reason: `deployed ${branch}`,
    since: record.createdAt,
    expiresAt: addSeconds(record.createdAt, positiveSeconds(record.payload.ttl)),
    kind: "branch",
    branch,
    recordId: record.id,
  };
}

/** What a deploy's ref is, for locking: the default branch, another branch, or a pinned commit. */
function refKind(ref: string, defaultBranch: string): { kind: "default" } | { kind: "branch"; branch: string } | { kind: "commit" } {
  const name = ref.trim().replace(/^refs\/heads\//, "");
  if (name === defaultBranch.replace(/^refs\/heads\//, "")) return { kind: "default" };
  if (name === "" || isFullSha(name)) return { kind: "commit" };
  return { kind: "branch", branch: name };
}

const locked = (lock: Lock): LockState => ({ kind: "locked", lock });

/** The rule heaven applies to one record, given the state every earlier record left. */
export function applyRecord(
  state: LockState,
  record: DeploymentRecord,
  rules: LockRules,
): { state: LockState; effect: LockEffect } {
  const current = expire(state, record.createdAt);
  const held = current.kind === "locked" ? current.lock : undefined;
  const owner = ownerOf(record);

  if (record.task === LOCK_TASK) {
    if (held !== undefined && !sameOwner(held.owner, owner)) {
      return { state: current, effect: { kind: "lock-refused", holder: held } };
    }
    const lock = explicitLock(record, owner, rules);
    return { state: locked(lock), effect: held === undefined ? { kind: "locked", lock } : { kind: "relocked", lock } };
  }

  if (record.task === UNLOCK_TASK) {
    return {
      state: UNLOCKED,
      effect: held === undefined ? { kind: "was-unlocked" } : { kind: "unlocked", previous: held },
    };
  }

  if (!isDeployTask(record.task)) return { state: current, effect: { kind: "no-effect" } };

  if (held !== undefined && !sameOwner(held.owner, owner)) {
    const effect: LockEffect =
      record.payload.force === true ? { kind: "deploy-forced", over: held } : { kind: "deploy-refused", holder: held };
    return { state: current, effect };
  }

  // Unlocked, or held by the deployer.
  let next = current;
  let released: Lock | undefined;
  const ref = refKind(record.ref, rules.defaultBranch);
  if (ref.kind === "default") {
    if (held?.kind === "branch") {
      next = UNLOCKED;
      released = held;
    }
  } else if (ref.kind === "branch") {
    if (held === undefined || held.kind === "branch") next = locked(branchLock(record, owner, ref.branch));
  }
  return {
    state: next,
    effect: { kind: "deploy-allowed", lockedForDeployer: next.kind === "locked" ? next.lock : undefined, released },
  };
}

/**
 * The lock state a record with id `beforeId` meets: every earlier record
 * (lower id) replayed oldest first, whatever order they are given in, then
 * expired at `now`.
 */
export function lockStateBefore(
  records: readonly DeploymentRecord[],
  options: LockRules & { beforeId: number; now: string },
): LockState {
  const rules: LockRules = { defaultBranch: options.defaultBranch, ttlSeconds: options.ttlSeconds };
  const earlier = records.filter((record) => record.id < options.beforeId).sort((a, b) => a.id - b.id);
  const state = earlier.reduce<LockState>((before, record) => applyRecord(before, record, rules).state, UNLOCKED);
  return expire(state, options.now);
}

/** The lock state every record leaves, expired at `now`: what a new request would meet. */
export function currentLockState(records: readonly DeploymentRecord[], rules: LockRules, now: string): LockState {
  return lockStateBefore(records, { ...rules, beforeId: Number.MAX_SAFE_INTEGER, now });
}

/** `2024-05-01T12:30Z`: the minute a lock expires (seconds dropped), or undefined if unreadable. */
function isoMinute(iso: string): string | undefined {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : `${new Date(time).toISOString().slice(0, 16)}Z`;
}

/** `locked by @alice: db maintenance until 2024-05-01T12:30Z`, at most 140 characters. */
export function describeLock(lock: Lock): string {
  const who = `locked by @${truncate(lock.owner, 40)}`;
  const minute = lock.expiresAt === undefined ? undefined : isoMinute(lock.expiresAt);
  const until = minute === undefined ? "" : ` until ${minute}`;
  if (lock.kind === "branch") {
    const room = DESCRIPTION_LIMIT - who.length - until.length - " (deployed )".length;
    return truncate(`${who} (deployed ${truncate(lock.branch ?? "a branch", room)})${until}`);
  }
  const room = DESCRIPTION_LIMIT - who.length - until.length - ": ".length;
  return truncate(`${who}: ${truncate(lock.reason, room)}${until}`);
}
