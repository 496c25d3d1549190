/**
 * Checkout: a generated origin of 20,000 commits and 2,000 branches, served
 * by the fake GitHub over smart HTTP behind an installation token, checked
 * out at `main`'s tip by a naive clone per deployment (`git clone` of the
 * branch into a fresh directory: the baseline) and by heaven's own
 * `Workspaces` — cold (no cache yet), warm (the cache present, a new commit
 * pushed since) and warm with the sha already in the cache. p50 of a few
 * runs each, the git HTTP requests each made, and the warm speed-up over
 * the naive clone (goal ≥ 10×).
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Workspaces } from "../src/engine/workspace.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { generateRepo, type Shape } from "./helpers/generated-repo.js";
import { record } from "./helpers/scoreboard.js";
import { nowMs, percentile, table } from "./helpers/stats.js";

const run = promisify(execFile);
const FULL_NAME = "bench/large";
const SHAPE: Shape = { commits: 20_000, branches: 2_000, files: 1_000 };
const COLD_RUNS = 3;
const WARM_RUNS = 5;
/** What a naive deployer hands git: a credential helper that reads the token from the environment. */
const CREDENTIAL_HELPER = '!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" "$BENCH_GIT_TOKEN"; }; f';

interface Timed {
  ms: number[];
  /** The part of each run spent writing the files (git's checkout), the same work for every variant. */
  filesMs: number[];
  gitRequests: number;
}

type Run = { ms: number; filesMs: number };

export async function checkoutCacheBenchmark(dir: string): Promise<void> {
  const generatedIn = nowMs();
  const origin = await generateRepo(dir, SHAPE);
  const generatedMs = nowMs() - generatedIn;
  const github = new FakeGitHub();
  await github.start();
  github.addRepo(FULL_NAME, { dir: origin.dir, gitOverHttp: true });
  const cloneUrl = github.cloneUrl(FULL_NAME);
  const token = github.mintToken();
  const home = join(dir, "home");
  mkdirSync(home);
  const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home };
  const naiveEnv = { ...baseEnv, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", BENCH_GIT_TOKEN: token, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "credential.helper", GIT_CONFIG_VALUE_0: CREDENTIAL_HELPER };
  let made = 0;
  const fresh = (name: string) => join(dir, `${name}-${made++}`);

  /** Runs `work` `n` times, counting the git HTTP requests per run. */
  const timed = async (n: number, work: () => Promise<Run>): Promise<Timed> => {
    const before = github.gitRequests.length;
    const runs: Run[] = [];
    for (let i = 0; i < n; i++) runs.push(await work());
    return { ms: runs.map((r) => r.ms), filesMs: runs.map((r) => r.filesMs), gitRequests: (github.gitRequests.length - before) / n };
  };
  /** `git clone` as two steps, so that writing the files is timed apart: the transfer, then the same `reset --hard` a worktree does. */
  const naiveClone = async (): Promise<Run> => {
    const target = fresh("naive");
    const t0 = nowMs();
    await run("git", ["clone", "--quiet", "--no-checkout", "--branch", "main", "--end-of-options", cloneUrl, target], { cwd: dir, env: naiveEnv });
    const t1 = nowMs();
    await run("git", ["reset", "--hard", "--quiet"], { cwd: target, env: naiveEnv });
    return { ms: nowMs() - t0, filesMs: nowMs() - t1 };
  };
  /** heaven's checkout of `sha` (the release afterwards not counted). */
  const checkout = async (workspaces: Workspaces, sha: string): Promise<Run> => {
    let filesMs = NaN;
    const t0 = nowMs();
    const result = await workspaces.checkout({ repository: FULL_NAME, cloneUrl, sha, token, timed: (step, ms) => void (step === "checkout" && (filesMs = ms)) });
    const ms = nowMs() - t0;
    if (result.kind !== "ready") throw new Error(`checkout-cache: ${result.message}`);
    await result.release();
    return { ms, filesMs };
  };

  try {
    const naive = await timed(COLD_RUNS, naiveClone);
    // Each cold run starts with no cache at all; the warm runs share the last one's.
    const caches: Workspaces[] = [];
    const cold = await timed(COLD_RUNS, () => {
      caches.push(new Workspaces(fresh("data"), baseEnv));
      return checkout(caches.at(-1) as Workspaces, origin.head);
    });
    const warm = caches.at(-1) as Workspaces;
    // The push is GitHub's time, not heaven's: only the checkout after it counts.
    const warmNew = await timed(WARM_RUNS, async () => checkout(warm, await origin.push()));
    const head = await origin.push();
    await checkout(warm, head);
    const warmSame = await timed(WARM_RUNS, () => checkout(warm, head));
    report(generatedMs, naive, cold, warmNew, warmSame);
  } finally {
    await github.stop();
  }
}

function report(generatedMs: number, naive: Timed, cold: Timed, warmNew: Timed, warmSame: Timed): void {
  const p50 = (t: Timed) => percentile(t.ms, 50);
  const files = (t: Timed) => percentile(t.filesMs, 50);
  /** The run without writing the files: what the cache is there to save. */
  const git = (t: Timed) => percentile(t.ms.map((ms, i) => ms - (t.filesMs[i] ?? 0)), 50);
  const rows: Array<[string, Timed]> = [
    ["naive: git clone --branch main into a fresh directory (baseline)", naive],
    ["Workspaces, cold (no cache)", cold],
    ["Workspaces, warm (cache present, a new commit pushed since)", warmNew],
    ["Workspaces, warm (sha already in the cache)", warmSame],
  ];
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(
    `checkout: a generated repository of ${SHAPE.commits} commits, ${SHAPE.branches} branches, ${SHAPE.files} files (generated in ${(generatedMs / 1000).toFixed(1)} s), over smart HTTP; ` +
      `${COLD_RUNS} naive and cold runs, ${WARM_RUNS} warm ones; "writing the files" is git's checkout into the new directory, the same work in every row`,
  );
  console.log(
    table([
      ["", "p50", "min", "max", "writing the files", "the rest", "vs naive", "git requests"],
      ...rows.map(([label, t]) => [label, ms(p50(t)), ms(Math.min(...t.ms)), ms(Math.max(...t.ms)), ms(files(t)), ms(git(t)), `${(p50(naive) / p50(t)).toFixed(1)}× faster`, t.gitRequests.toFixed(1)]),
    ]),
  );
  const naiveOf = { baseline: p50(naive), of: "naive clone" };
  record(
    "checkout-cache",
    {
      "naive clone per deploy p50 (ms)": p50(naive),
      "cold checkout p50 (ms)": p50(cold),
      "warm checkout, new commit p50 (ms)": p50(warmNew),
      "warm checkout, sha in cache p50 (ms)": p50(warmSame),
      "warm speed-up vs naive (×)": p50(naive) / p50(warmNew),
      "warm speed-up vs naive, files not counted (×)": git(naive) / git(warmNew),
      "git HTTP requests, warm new commit": warmNew.gitRequests,
    },
    {
      "cold checkout p50 (ms)": naiveOf,
      "warm checkout, new commit p50 (ms)": naiveOf,
      "warm checkout, sha in cache p50 (ms)": naiveOf,
      "warm speed-up vs naive (×)": { goal: "≥ 10" },
    },
  );
}
