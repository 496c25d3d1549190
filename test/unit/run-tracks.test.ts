import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderStep, ProviderTrack } from "../../src/core/provider.js";
import { describeOutcome } from "../../src/decisions/describe-outcome.js";
import { DeploymentLog } from "../../src/engine/deployment-log.js";
import { runTracks, type TracksRun } from "../../src/pipeline/steps/run-tracks.js";
import { tempDir } from "../helpers/git-repo.js";

const PATH = process.env.PATH ?? "/usr/bin:/bin";
let dir: ReturnType<typeof tempDir>;
let checkout: string;

beforeEach(() => {
  dir = tempDir("heaven-tracks-");
  checkout = join(dir.path, "checkout");
  mkdirSync(checkout);
});
afterEach(() => dir.remove());

const sh = (name: string, command: string, extra: Partial<ProviderStep> = {}): ProviderStep => ({
  name,
  spec: { file: "sh", args: ["-c", command], env: {}, cwd: checkout },
  ...extra,
});

async function run(tracks: ProviderTrack[], overrides: Partial<TracksRun> = {}) {
  const logPath = join(dir.path, "deploy.log");
  const log = await DeploymentLog.open(logPath, { secrets: [] });
  const started: number[] = [];
  const outcome = await runTracks(tracks, "the provider", log, {
    signal: new AbortController().signal,
    abortReason: "a test",
    processStarted: (pgid) => started.push(pgid),
    checkoutDir: checkout,
    timeoutSeconds: 20,
    parallel: 4,
    baseEnv: { PATH },
    ...overrides,
  });
  await log.close();
  const lines = readFileSync(logPath, "utf8").trim().split("\n").map((line) => line.replace(/^\S+ /, ""));
  return { outcome, lines, started };
}

describe("runTracks", () => {
  it("runs a track's steps in order and succeeds with the provider's name", async () => {
    const order = join(dir.path, "order");
    const { outcome, started } = await run([{ steps: [sh("first", `echo 1 >> ${order}`), sh("second", `echo 2 >> ${order}`)] }]);
    expect(outcome).toMatchObject({ kind: "succeeded", what: "the provider" });
    expect(readFileSync(order, "utf8")).toBe("1\n2\n");
    expect(started).toHaveLength(2); // every process group is journaled
  });

  it("announces each step it runs, except a lone step named as the provider, which the provider's own note names already", async () => {
    const lone = await run([{ steps: [sh("the provider", "echo shipped")] }]);
    expect(lone.lines.filter((line) => line.includes("running"))).toEqual([]);
    const two = await run([{ steps: [sh("first", "true"), sh("second", "true")] }]);
    expect(two.lines.filter((line) => line.includes("running"))).toEqual(["heaven: running first", "heaven: running second"]);
  });

  it("prefixes every line of a track with its label, so hosts side by side never splice", async () => {
    // Both print half a line, wait for the other, then finish it: unsplit lines prove one splitter per track.
    const a = join(dir.path, "a");
    const b = join(dir.path, "b");
    const half = (me: string, other: string, word: string) =>
      `printf '${word}-begin '; touch ${me}; while [ ! -e ${other} ]; do :; done; echo '${word}-end'`;
    const { outcome, lines } = await run([
      { label: "app1", steps: [sh("deploy", half(a, b, "one"))] },
      { label: "app2", steps: [sh("deploy", half(b, a, "two"))] },
    ]);
    expect(outcome.kind).toBe("succeeded");
    expect(lines).toContain("app1 | one-begin one-end");
    expect(lines).toContain("app2 | two-begin two-end");
  });

  it("names the host and step that failed, with that host's last line, and starts nothing after it", async () => {
    const after = join(dir.path, "after");
    const { outcome } = await run(
      [
        { label: "app1.example.com", steps: [sh("git reset", "echo 'fatal: bad object' >&2; exit 128"), sh("restart", `touch ${after}`)] },
        { label: "app2.example.com", steps: [sh("git reset", "echo fine")] },
      ],
      { parallel: 1 },
    );
    expect(outcome).toMatchObject({ kind: "failed", what: "app1.example.com: git reset", exitCode: 128, lastLine: "fatal: bad object" });
    expect(describeOutcome(outcome).description).toBe('app1.example.com: git reset exited 128: "fatal: bad object"');
    expect(() => readFileSync(after)).toThrow();
  });

  it("runs at most `parallel` tracks at once", async () => {
    const running = join(dir.path, "running");
    mkdirSync(running);
    // Each track records how many were running when it started.
    const step = (n: number) => sh("deploy", `touch ${running}/${n}; ls ${running} | wc -l >> ${dir.path}/seen; sleep 0.2; rm ${running}/${n}`);
    const { outcome } = await run([1, 2, 3, 4].map((n) => ({ label: `h${n}`, steps: [step(n)] })), { parallel: 2 });
    expect(outcome.kind).toBe("succeeded");
    const seen = readFileSync(join(dir.path, "seen"), "utf8").trim().split("\n").map(Number);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
  });

  it("says which tool is missing and how to install it", async () => {
    const step: ProviderStep = { name: "fab deploy", spec: { file: "fab-not-installed", args: [], env: {}, cwd: checkout }, install: "apt-get install fabric" };
    const { outcome } = await run([{ steps: [step] }]);
    expect(outcome).toEqual({ kind: "tool-missing", what: "fab deploy", tool: "fab-not-installed", install: "apt-get install fabric" });
    expect(describeOutcome(outcome)).toEqual({
      state: "error",
      description: "fab deploy: fab-not-installed is not installed on the heaven host; install it (apt-get install fabric)",
    });
  });

  it("refuses a script of the checkout that is a symlink to a file outside it", async () => {
    writeFileSync(join(dir.path, "secret.env"), "PRIVATE_KEY=x\n");
    mkdirSync(join(checkout, "script"));
    symlinkSync("/bin/sh", join(checkout, "script", "deploy"));
    const step: ProviderStep = { name: "script/deploy", spec: { file: join(checkout, "script", "deploy"), args: ["-c", "echo ran"], env: {}, cwd: checkout } };
    const { outcome, lines } = await run([{ steps: [step] }]);
    expect(outcome).toEqual({ kind: "not-runnable", what: "script/deploy", reason: "outside-checkout" });
    expect(describeOutcome(outcome).description).toBe("script/deploy is a symlink to a file outside the repository; heaven runs only files of the checkout");
    expect(lines).not.toContain("ran");
  });

  it("runs a symlink that stays inside the checkout", async () => {
    mkdirSync(join(checkout, "script"));
    writeFileSync(join(checkout, "script", "real"), "#!/bin/sh\necho inside\n", { mode: 0o755 });
    symlinkSync("real", join(checkout, "script", "deploy"));
    const step: ProviderStep = { name: "script/deploy", spec: { file: join(checkout, "script", "deploy"), args: [], env: {}, cwd: checkout } };
    const { outcome, lines } = await run([{ steps: [step] }]);
    expect(outcome.kind).toBe("succeeded");
    expect(lines).toContain("inside");
  });

  it("shares one deadline across the steps", async () => {
    const { outcome } = await run([{ steps: [sh("warm", "sleep 0.6"), sh("slow", "sleep 30")] }], { timeoutSeconds: 1 });
    expect(outcome).toMatchObject({ kind: "timed-out", what: "slow", timeoutSeconds: 1 });
  });

  it("does not start a step once the deadline has passed", async () => {
    // A deadline already behind (the steps before used it up) leaves nothing to start.
    const marker = join(checkout, "late-step-ran");
    const { outcome, started } = await run([{ steps: [sh("late", `touch '${marker}'`)] }], { timeoutSeconds: 0 });
    expect(outcome).toMatchObject({ kind: "timed-out", what: "late" });
    // Not even spawned (given 1 ms, it might not have got as far as the touch).
    expect(started).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });
});
