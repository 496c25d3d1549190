/**
 * Housekeeping: at start and then every hour, removes deployment logs (with
 * their `.meta.json`) and left-over checkouts last written more than
 * HEAVEN_LOG_RETENTION_DAYS ago. A deployment still running, queued or
 * parked keeps its log and checkout (selectExpired decides); checkouts go
 * through git so their cache clone stays consistent.
 */
import { lstat, readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { selectExpired, type AgedEntry } from "../decisions/select-expired.js";
import { every, type Repeating } from "./every.js";
import type { Workspaces } from "./workspace.js";

export interface RetentionOptions {
  dataDir: string;
  /** 0: keep for ever (no sweep runs). */
  days: number;
  workspaces: Pick<Workspaces, "checkoutsDir" | "inUse" | "removeLeftover">;
  /** Log keys (owner/repo/id) of the deployments the queue still holds. */
  liveLogKeys: () => Promise<ReadonlySet<string>>;
  /** Scale-out mode: removes logs kept in PostgreSQL by the same rule (PostgresLogs.sweep); resolves with how many. */
  sweepShared?: (rule: { days: number; live: ReadonlySet<string>; now: number }) => Promise<number>;
  now?: () => number;
}

export interface SweepReport {
  logs: number;
  checkouts: number;
  bytes: number;
}

interface Found extends AgedEntry {
  paths: string[];
  bytes: number;
}

export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

const LOG_SUFFIXES = [".meta.json", ".log"];

export async function sweepRetention(options: RetentionOptions): Promise<SweepReport> {
  const report: SweepReport = { logs: 0, checkouts: 0, bytes: 0 };
  if (options.days <= 0) return report;
  const now = (options.now ?? Date.now)();
  const live = await options.liveLogKeys();
  const logs = selectExpired(await findLogs(join(options.dataDir, "logs")), { now, days: options.days, live });
  for (const log of logs) {
    await Promise.all(log.paths.map((path) => rm(path, { force: true })));
    report.logs += 1;
    report.bytes += log.bytes;
  }
  await removeEmptyDirs(join(options.dataDir, "logs"), logs);
  const checkouts = selectExpired(await findCheckouts(options.workspaces.checkoutsDir), { now, days: options.days, live: options.workspaces.inUse });
  for (const checkout of checkouts) {
    // Held since the listing? Then it is in use after all.
    if (options.workspaces.inUse.has(checkout.key)) continue;
    await options.workspaces.removeLeftover(checkout.key);
    report.checkouts += 1;
    report.bytes += checkout.bytes;
  }
  if (options.sweepShared !== undefined) report.logs += await options.sweepShared({ days: options.days, live, now });
  return report;
}

/** The sweep now and every `intervalMs`; `log` is told what a round removed (nothing removed: not told). */
export function startRetentionSweep(options: RetentionOptions & { log: (line: string) => void; warn: (line: string) => void; intervalMs?: number }): Repeating {
  if (options.days <= 0) return { stop: async () => undefined };
  return every(options.intervalMs ?? SWEEP_INTERVAL_MS, async () => {
    try {
      const { logs, checkouts, bytes } = await sweepRetention(options);
      if (logs + checkouts > 0) options.log(`retention (${options.days} days): removed ${count(logs, "deployment log")} and ${count(checkouts, "checkout")}, ${formatBytes(bytes)}`);
    } catch (error) {
      options.warn(`retention sweep failed, trying again in an hour: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

/** `logs/<owner>/<repo>/<id>.log` and `.meta.json`, one entry per key, as new as its newest file. */
async function findLogs(root: string): Promise<Found[]> {
  const byKey = new Map<string, Found>();
  for (const owner of await dirs(root)) {
    for (const repo of await dirs(join(root, owner))) {
      for (const name of await names(join(root, owner, repo))) {
        const suffix = LOG_SUFFIXES.find((end) => name.endsWith(end));
        if (suffix === undefined) continue;
        const path = join(root, owner, repo, name);
        const stats = await lstat(path).catch(() => undefined);
        if (stats === undefined || !stats.isFile()) continue;
        const key = `${owner}/${repo}/${name.slice(0, -suffix.length)}`;
        const found = byKey.get(key) ?? { key, mtimeMs: 0, paths: [], bytes: 0 };
        found.mtimeMs = Math.max(found.mtimeMs, stats.mtimeMs);
        found.paths.push(path);
        found.bytes += stats.size;
        byKey.set(key, found);
      }
    }
  }
  return [...byKey.values()];
}

/** Each checkout directory, keyed by its path, with the bytes it holds. */
async function findCheckouts(root: string): Promise<Found[]> {
  const found: Found[] = [];
  for (const name of await dirs(root)) {
    const path = join(root, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats !== undefined) found.push({ key: path, mtimeMs: stats.mtimeMs, paths: [path], bytes: await treeBytes(path) });
  }
  return found;
}

async function treeBytes(path: string): Promise<number> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined) return 0;
  if (!stats.isDirectory()) return stats.size;
  let total = 0;
  for (const name of await names(path)) total += await treeBytes(join(path, name));
  return total;
}

/** An owner's or repository's folder left empty goes too; rmdir refuses one that is not empty. */
async function removeEmptyDirs(root: string, removed: readonly Found[]): Promise<void> {
  const folders = new Set(removed.map((log) => log.key.split("/").slice(0, 2).join("/")));
  for (const folder of folders) {
    await rmdir(join(root, folder)).catch(() => undefined);
    await rmdir(join(root, folder.split("/")[0] ?? "")).catch(() => undefined);
  }
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
    throw error;
  });
}

async function dirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
    throw error;
  });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}
