/**
 * The retention sweep against a real data directory: real log files and
 * real git worktrees of a real cache clone, aged with fs.utimes.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sweepRetention, startRetentionSweep } from "../../src/engine/retention-sweep.js";
import { Workspaces, type Checkout } from "../../src/engine/workspace.js";
import { createRepo, tempDir, type GitRepo } from "../helpers/git-repo.js";

const DAY = 86_400_000;
const PATH = process.env.PATH ?? "/usr/bin:/bin";

let root: ReturnType<typeof tempDir>;
let origin: GitRepo & { sha: string };
let dataDir: string;
let baseEnv: Record<string, string>;
const now = Date.now();

beforeEach(() => {
  root = tempDir("heaven-retention-");
  origin = createRepo(root.path, "origin", { VERSION: "1\n" });
  dataDir = join(root.path, "data");
  baseEnv = { PATH, HOME: root.path };
});

afterEach(() => root.remove());

function age(path: string, days: number): void {
  const when = new Date(now - days * DAY);
  utimesSync(path, when, when);
}

function writeLog(key: string, days: number, meta = true): string[] {
  const log = join(dataDir, "logs", `${key}.log`);
  mkdirSync(join(log, ".."), { recursive: true });
  writeFileSync(log, "2026-01-01T00:00:00.000Z hello\n");
  const paths = [log];
  if (meta) {
    writeFileSync(join(dataDir, "logs", `${key}.meta.json`), "{}");
    paths.push(join(dataDir, "logs", `${key}.meta.json`));
  }
  for (const path of paths) age(path, days);
  return paths;
}

function ready(result: Checkout): Extract<Checkout, { kind: "ready" }> {
  if (result.kind !== "ready") throw new Error(`expected a checkout, got: ${result.message}`);
  return result;
}

function worktreesOf(workspaces: Workspaces): string[] {
  const cache = workspaces.cacheDir("octo/app", origin.dir);
  return execFileSync("git", ["worktree", "list", "--porcelain"], { cwd: cache, encoding: "utf8", env: { ...baseEnv, GIT_CONFIG_NOSYSTEM: "1" } })
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
}

const checkout = async (workspaces: Workspaces) => ready(await workspaces.checkout({ repository: "octo/app", cloneUrl: origin.dir, sha: origin.sha }));

describe("sweepRetention", () => {
  it("removes old logs with their metadata, and keeps young ones and those of deployments the queue still holds", async () => {
    const old = writeLog("octo/app/1", 40);
    const live = writeLog("octo/app/2", 40);
    const young = writeLog("octo/app/3", 5);
    const gone = writeLog("other/site/9", 31, false);
    const workspaces = new Workspaces(dataDir, baseEnv);

    const report = await sweepRetention({ dataDir, days: 30, workspaces, liveLogKeys: async () => new Set(["octo/app/2"]), now: () => now });

    expect(report).toEqual({ logs: 2, checkouts: 0, bytes: 31 + 2 + 31 });
    for (const path of [...old, ...gone]) expect(existsSync(path)).toBe(false);
    for (const path of [...live, ...young]) expect(existsSync(path)).toBe(true);
    // A folder the sweep emptied goes too.
    expect(existsSync(join(dataDir, "logs", "other"))).toBe(false);
  });

  it("removes an old left-over checkout through git, keeps the young one and the one a deployment holds, and the cache still checks out", async () => {
    // Left by an earlier process (a crash): nobody will release them.
    const before = new Workspaces(dataDir, baseEnv);
    const leftOld = await checkout(before);
    const leftYoung = await checkout(before);
    // The next process holds one of its own, as old as can be (a clock moved, say).
    const workspaces = new Workspaces(dataDir, baseEnv);
    const held = await checkout(workspaces);
    age(leftOld.dir, 45);
    age(held.dir, 45);
    age(leftYoung.dir, 3);

    const report = await sweepRetention({ dataDir, days: 30, workspaces, liveLogKeys: async () => new Set(), now: () => now });

    expect(report.checkouts).toBe(1);
    expect(report.bytes).toBeGreaterThan(0);
    expect(existsSync(leftOld.dir)).toBe(false);
    expect(existsSync(held.dir)).toBe(true);
    expect(existsSync(leftYoung.dir)).toBe(true);
    expect(worktreesOf(workspaces)).not.toContain(leftOld.dir);
    expect(worktreesOf(workspaces)).toEqual(expect.arrayContaining([held.dir, leftYoung.dir]));

    await held.release();
    const again = await checkout(workspaces);
    expect(existsSync(join(again.dir, "VERSION"))).toBe(true);
    await again.release();
  });

  it("removes nothing when retention is off", async () => {
    const old = writeLog("octo/app/1", 4000);
    const workspaces = new Workspaces(dataDir, baseEnv);
    expect(await sweepRetention({ dataDir, days: 0, workspaces, liveLogKeys: async () => new Set(), now: () => now })).toEqual({ logs: 0, checkouts: 0, bytes: 0 });
    for (const path of old) expect(existsSync(path)).toBe(true);
  });

  it("runs at start and logs one line with what it removed", async () => {
    writeLog("octo/app/1", 40);
    const workspaces = new Workspaces(dataDir, baseEnv);
    let logged!: (line: string) => void;
    const line = new Promise<string>((resolve) => (logged = resolve));
    const sweep = startRetentionSweep({ dataDir, days: 30, workspaces, liveLogKeys: async () => new Set(), log: logged, warn: logged });
    expect(await line).toBe("retention (30 days): removed 1 deployment log and 0 checkouts, 33 bytes");
    await sweep.stop();
  });
});
