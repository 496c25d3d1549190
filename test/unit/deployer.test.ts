/**
 * The deployer around the pipeline: parking deployments on pending CI (and
 * their journal), waking them, and superseding older automatic deployments.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { providers } from "../../providers/index.js";
import { Deployer } from "../../src/deploy/deployer.js";
import type { DeploymentReporter, FinalReport } from "../../src/deploy/reporter.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import type { DeploymentSources } from "../../src/core/sources.js";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import type { CheckRun } from "../../src/core/ci.js";

let tmp: ReturnType<typeof tempDir>;
let origin: ReturnType<typeof createRepo>;
let deployer: Deployer;

const newDeployer = () =>
  new Deployer({
    dataDir: join(tmp.path, "data"),
    baseUrl: "http://heaven.test",
    logSecret: "deployer-test-secret-0123",
    concurrency: 2,
    defaultTimeoutSeconds: 30,
    providers,
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    secrets: [],
    killGraceMs: 200,
  });

beforeEach(() => {
  tmp = tempDir("heaven-deployer-");
  origin = createRepo(tmp.path, "origin", {
    "script/deploy": script(`echo "$DEPLOYMENT_ID" >> '${join(tmp.path, "ran")}'\n[ -p '${join(tmp.path, "gate")}' ] && [ "$DEPLOYMENT_ID" = 1 ] && read line < '${join(tmp.path, "gate")}'\nexit 0`),
  });
  deployer = newDeployer();
});

afterEach(async () => {
  await deployer.stop();
  tmp.remove();
});

function request(id: string, changes: Partial<DeploymentRequest> = {}): DeploymentRequest {
  return {
    id,
    repository: { fullName: "octo/app", cloneUrl: origin.dir },
    environment: "production",
    ref: "main",
    sha: origin.sha,
    task: "deploy",
    force: false,
    payloadConfig: undefined,
    creator: "alice",
    ...changes,
  };
}

function recorder() {
  const events: string[] = [];
  let finished: (report: FinalReport) => void = () => undefined;
  const final = new Promise<FinalReport>((resolve) => (finished = resolve));
  const reporter: DeploymentReporter = {
    queued: (d) => void events.push(`queued: ${d}`),
    waiting: (d) => void events.push(`waiting: ${d}`),
    started: (r) => void events.push(`started: ${r.description}`),
    finished: async (r) => {
      events.push(`${r.state}: ${r.description}`);
      finished(r);
    },
  };
  return { events, reporter, final };
}

function ci(checkRuns: CheckRun[]): DeploymentSources & { set: (runs: CheckRun[]) => void } {
  let runs = checkRuns;
  return {
    loadConfig: async () => ({ ok: true, file: null }),
    ciState: async () => ({ statuses: [], checkRuns: runs }),
    set: (next) => (runs = next),
  };
}

const pendingTest: CheckRun = { name: "test", status: "in_progress", conclusion: null };
const greenTest: CheckRun = { name: "test", status: "completed", conclusion: "success" };

describe("Deployer", () => {
  it("parks a deployment on pending CI, journals it, and deploys it when CI turns green", async () => {
    const sources = ci([pendingTest]);
    const { events, reporter, final } = recorder();
    const parked = await deployer.submit({ request: request("7"), sources, reporter, resume: { note: "opaque" } });

    expect(parked.state).toBe("pending");
    expect(events).toEqual([`waiting: waiting for CI on ${origin.sha.slice(0, 7)}: test`]);
    expect(readdirSync(join(tmp.path, "data", "parked"))).toHaveLength(1);
    expect(existsSync(join(tmp.path, "ran"))).toBe(false);
    // Auto-deploy asks this so it does not create a second deployment of the same sha.
    expect(deployer.inFlightShas("octo/app", "Production")).toEqual([origin.sha]);
    expect(deployer.inFlightShas("octo/app", "staging")).toEqual([]);

    sources.set([greenTest]);
    expect(deployer.ciChanged("octo/app", origin.sha)).toBe(1);
    expect((await final).state).toBe("success");
    expect(readFileSync(join(tmp.path, "ran"), "utf8")).toBe("7\n");
    await deployer.idle();
    expect(readdirSync(join(tmp.path, "data", "parked"))).toEqual([]);
    expect(deployer.inFlightShas("octo/app", "production")).toEqual([]);
  });

  it("looks at CI again at once when CI settled while the deployment was reading it", async () => {
    const { reporter, final } = recorder();
    let reads = 0;
    const sources: DeploymentSources = {
      loadConfig: async () => ({ ok: true, file: null }),
      ciState: async () => {
        reads += 1;
        // The completed-check event arrives while heaven is still reading the pending state.
        if (reads === 1) deployer.ciChanged("octo/app", origin.sha);
        return { statuses: [], checkRuns: [reads === 1 ? pendingTest : greenTest] };
      },
    };
    await deployer.submit({ request: request("11"), sources, reporter });
    expect((await final).state).toBe("success");
    expect(reads).toBe(2);
  });

  it("after merging the default branch in, waits for the CI the branch had rather than deploying an unchecked merge commit", async () => {
    const merge = origin.commit({ "merged.txt": "from main\n" }, "Merge main into topic");
    const { events, reporter } = recorder();
    const sources: DeploymentSources = {
      loadConfig: async () => ({ ok: true, file: null }),
      // The branch's commit has green CI; the fresh merge commit has reported nothing yet.
      ciState: async (sha) => ({ statuses: [], checkRuns: sha === origin.sha ? [greenTest] : [] }),
      mergeDefaultBranch: async () => ({ kind: "merged", sha: merge }),
    };
    const result = await deployer.submit({ request: request("12", { ref: "topic", defaultBranch: "main" }), sources, reporter });
    expect(result.state).toBe("pending");
    expect(events).toEqual([`waiting: merged main into topic as ${merge.slice(0, 7)}; waiting for CI on ${merge.slice(0, 7)}: test`]);
    expect(existsSync(join(tmp.path, "ran"))).toBe(false);
  });

  it("does not ship into a lock someone took while the deployment waited for CI", async () => {
    const { reporter, final } = recorder();
    const mine = { id: 41, sha: origin.sha, ref: "main", task: "deploy", environment: "production", createdAt: "2026-11-22T10:00:00Z", creator: { login: "bob", type: "User" }, payload: {}, description: null };
    const records = [mine];
    let runs = [pendingTest];
    const sources: DeploymentSources = {
      loadConfig: async () => ({ ok: true, file: null }),
      ciState: async () => ({ statuses: [], checkRuns: runs }),
      environmentRecords: async () => records,
    };
    await deployer.submit({ request: request("41", { record: mine, defaultBranch: "main" }), sources, reporter });
    // alice locks production while deployment 41 waits for CI.
    records.push({ ...mine, id: 42, task: "deploy:lock", creator: { login: "alice", type: "User" }, createdAt: "2026-11-22T10:05:00Z", description: "db maintenance" });
    runs = [greenTest];
    deployer.ciChanged("octo/app", origin.sha);

    expect(await final).toMatchObject({ state: "error", description: expect.stringMatching(/^production is locked by @alice: db maintenance/) });
    expect(existsSync(join(tmp.path, "ran"))).toBe(false);
  });

  it("ignores CI changes on other commits and other repositories", async () => {
    await deployer.submit({ request: request("8"), sources: ci([pendingTest]), reporter: recorder().reporter });
    expect(deployer.ciChanged("octo/other", origin.sha)).toBe(0);
    expect(deployer.ciChanged("octo/app", "f".repeat(40))).toBe(0);
  });

  it("fails a parked deployment naming the check when CI turns red", async () => {
    const sources = ci([pendingTest]);
    const { reporter, final } = recorder();
    await deployer.submit({ request: request("9"), sources, reporter });
    sources.set([{ name: "test", status: "completed", conclusion: "failure" }]);
    deployer.ciChanged("octo/app", origin.sha);
    expect(await final).toMatchObject({ state: "failure", description: `CI failed on ${origin.sha.slice(0, 7)}: test; fix it, or deploy with force` });
  });

  it("brings a journaled deployment back in a new process and deploys it once CI is green", async () => {
    await deployer.submit({ request: request("10"), sources: ci([pendingTest]), reporter: recorder().reporter, resume: { id: 10 } });
    await deployer.stop();

    deployer = newDeployer();
    const { reporter, final } = recorder();
    const resumed: unknown[] = [];
    const restored = await deployer.restoreParked(async (resume) => {
      resumed.push(resume);
      return { sources: ci([greenTest]), reporter };
    });
    expect(restored).toBe(1);
    expect(resumed).toEqual([{ id: 10 }]);
    expect((await final).state).toBe("success");
  });

  it("restores the readable journals and keeps going past one cut short by a crash", async () => {
    await deployer.submit({ request: request("11"), sources: ci([pendingTest]), reporter: recorder().reporter, resume: { id: 11 } });
    await deployer.stop();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(tmp.path, "data", "parked", "octo__app__0.json"), '{"request": {"id"');

    deployer = newDeployer();
    const { reporter, final } = recorder();
    const failed: string[] = [];
    const restored = await deployer.restoreParked(async () => ({ sources: ci([greenTest]), reporter }), (file) => failed.push(file));
    expect(restored).toBe(1);
    expect(failed).toEqual(["octo__app__0.json"]);
    expect((await final).state).toBe("success");
    expect(readdirSync(join(tmp.path, "data", "parked"))).toEqual([]);
  });

  it("keeps a journal for the next start when its deployment cannot be rebuilt now", async () => {
    await deployer.submit({ request: request("12"), sources: ci([pendingTest]), reporter: recorder().reporter, resume: { id: 12 } });
    await deployer.stop();

    deployer = newDeployer();
    const failed: unknown[] = [];
    const restored = await deployer.restoreParked(
      async () => {
        throw new Error("GitHub is down");
      },
      (_file, error) => failed.push((error as Error).message),
    );
    expect(restored).toBe(0);
    expect(failed).toEqual(["GitHub is down"]);
    expect(readdirSync(join(tmp.path, "data", "parked"))).toHaveLength(1);
  });

  it("posts an error status instead of staying pending when heaven cannot open the deployment's log", async () => {
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(join(tmp.path, "data"), { recursive: true });
    writeFileSync(join(tmp.path, "data", "logs"), "not a directory");
    const { reporter, final } = recorder();
    const result = await deployer.submit({ request: request("13"), sources: ci([greenTest]), reporter });
    expect(result.state).toBe("error");
    expect(await final).toMatchObject({ state: "error", description: expect.stringMatching(/^heaven failed unexpectedly: /) });
    expect(deployer.inFlightShas("octo/app", "production")).toEqual([]);
  });

  it("supersedes an automatic deployment when a newer one waits in the same lane", async () => {
    const { execFileSync } = await import("node:child_process");
    execFileSync("mkfifo", [join(tmp.path, "gate")]);
    const sources: DeploymentSources = { loadConfig: async () => ({ ok: true, file: null }) };
    const first = recorder();
    const older = recorder();
    const newer = recorder();
    const running = deployer.submit({ request: request("1"), sources, reporter: first.reporter });
    const olderDone = deployer.submit({ request: request("2", { automatic: true }), sources, reporter: older.reporter });
    const newerDone = deployer.submit({ request: request("3", { automatic: true }), sources, reporter: newer.reporter });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(tmp.path, "gate"), "go\n"); // lets deployment 1 finish

    await Promise.all([running, olderDone, newerDone]);
    expect(await older.final).toMatchObject({ state: "inactive", description: `superseded by deployment 3 (${origin.sha.slice(0, 7)}), a newer green head` });
    expect((await newer.final).state).toBe("success");
    expect(readFileSync(join(tmp.path, "ran"), "utf8")).toBe("1\n3\n");
  });
});
