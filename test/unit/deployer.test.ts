/**
 * The deployer: the pipeline behind the embedded queue, with its events
 * rendered the way GitHub's statuses are. Parking on pending CI and waking,
 * superseding automatic deployments, merge commits shipped as deployments of
 * their own, and what a restarted process does with the journal.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { providers } from "../../providers/index.js";
import type { CheckRun } from "../../src/core/ci.js";
import type { DeploymentEvent, EventSink } from "../../src/core/events.js";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import type { DeploymentSources, NewDeployment } from "../../src/core/sources.js";
import { renderStatus } from "../../src/decisions/render-status.js";
import { Workspaces } from "../../src/engine/workspace.js";
import { Deployer } from "../../src/pipeline/deployer.js";
import { EmbeddedQueue } from "../../src/queue/embedded-queue.js";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import { isDead, readPid } from "../helpers/process-state.js";

let tmp: ReturnType<typeof tempDir>;
let origin: ReturnType<typeof createRepo>;
const opened: Deployer[] = [];

/** Statuses as GitHub would show them, per deployment id, plus a way to wait for one. */
function recorder() {
  const seen: Array<{ id: string; event: DeploymentEvent; line: string }> = [];
  const waiters: Array<() => void> = [];
  const sink: EventSink = {
    publish: async (job, event) => {
      const { state, description } = renderStatus(job, event);
      seen.push({ id: job.request.id, event, line: `${state}: ${description}` });
      for (const wake of waiters.splice(0)) wake();
    },
  };
  const of = (id: string) => seen.filter((s) => s.id === id).map((s) => s.line);
  const final = (id: string) => seen.find((s) => s.id === id && s.event.type === "finished")?.line;
  const until = async (test: () => boolean) => {
    while (!test()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { sink, of, final, waitFinal: async (id: string) => (await until(() => final(id) !== undefined), final(id) as string), until };
}

async function newDeployer(sources: (job: DeploymentJob) => DeploymentSources, sink: EventSink, echo?: (line: string) => void): Promise<Deployer> {
  const dataDir = join(tmp.path, "data");
  const queue = await EmbeddedQueue.open({ journalFile: join(dataDir, "journal.jsonl"), concurrency: 2 });
  const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  const deployer = new Deployer(queue, {
    dataDir,
    baseUrl: "http://heaven.test",
    logSecret: "deployer-test-secret-0123",
    canPark: true,
    abortReason: "heaven's shutdown",
    pipeline: { providers, workspaces: new Workspaces(dataDir, baseEnv), defaultTimeoutSeconds: 30, baseEnv, secrets: [], killGraceMs: 200 },
  });
  await deployer.start({ sourcesFor: async (job) => sources(job), sinks: [sink], log: { info: () => undefined, error: () => undefined }, echo });
  opened.push(deployer);
  return deployer;
}

beforeEach(() => {
  tmp = tempDir("heaven-deployer-");
  origin = createRepo(tmp.path, "origin", {
    "script/deploy": script(
      [
        `echo "$DEPLOYMENT_ID" >> '${join(tmp.path, "ran")}'`,
        `if [ -p '${join(tmp.path, "gate")}' ] && [ "$DEPLOYMENT_ID" = 1 ]; then read line < '${join(tmp.path, "gate")}'; fi`,
        `if [ "$DEPLOYMENT_ID" = hang ]; then sleep 1000 & echo $! > '${join(tmp.path, "pid")}'; echo started; wait; fi`,
        "exit 0",
      ].join("\n"),
    ),
  });
});

afterEach(async () => {
  for (const deployer of opened.splice(0)) {
    await deployer.queue.drain(0);
    await deployer.queue.close().catch(() => undefined);
  }
  tmp.remove();
});

function job(id: string, changes: Partial<DeploymentRequest> = {}): DeploymentJob {
  const request: DeploymentRequest = {
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
  return { key: `test:${id}`, lane: laneOf("octo/app", request.environment), origin: { kind: "local" }, acceptedAt: Date.now(), request };
}

const ran = () => (existsSync(join(tmp.path, "ran")) ? readFileSync(join(tmp.path, "ran"), "utf8") : "");
const pendingTest: CheckRun = { name: "test", status: "in_progress", conclusion: null };
const greenTest: CheckRun = { name: "test", status: "completed", conclusion: "success" };

function ci(initial: CheckRun[]) {
  let runs = initial;
  const sources: DeploymentSources = { loadConfig: async () => ({ ok: true, file: null }), ciState: async () => ({ statuses: [], checkRuns: runs }) };
  return { sources, set: (next: CheckRun[]) => (runs = next) };
}

describe("Deployer", () => {
  it("parks a deployment on pending CI, holds its sha in flight, and deploys it when CI turns green", async () => {
    const r = recorder();
    const c = ci([pendingTest]);
    const deployer = await newDeployer(() => c.sources, r.sink);
    await deployer.accept(job("7"));
    await r.until(() => r.of("7").length > 0);
    expect(r.of("7")).toEqual([`pending: waiting for CI on ${origin.sha.slice(0, 7)}: test`]);
    expect(ran()).toBe("");
    // Auto-deploy asks this so it does not create a second deployment of the same sha.
    expect(await deployer.shasInFlight(laneOf("octo/app", "Production"))).toEqual([origin.sha]);
    expect(await deployer.shasInFlight(laneOf("octo/app", "staging"))).toEqual([]);

    c.set([greenTest]);
    expect(await deployer.ciSettled("octo/app", "f".repeat(40))).toBe(0);
    expect(await deployer.ciSettled("octo/other", origin.sha)).toBe(0);
    expect(await deployer.ciSettled("octo/app", origin.sha)).toBe(1);
    expect(await r.waitFinal("7")).toMatch(/^success: script\/deploy succeeded/);
    expect(r.of("7")[1]).toBe(`in_progress: deploying main (${origin.sha.slice(0, 7)}) to production`);
    expect(ran()).toBe("7\n");
    await deployer.queue.drain(60_000); // the job's last step: the journal says it finished
    expect(await deployer.queue.list()).toEqual([]);
  });

  it("looks at CI again at once when CI settled while the deployment was reading it", async () => {
    const r = recorder();
    let reads = 0;
    let deployer: Deployer | undefined;
    const sources: DeploymentSources = {
      loadConfig: async () => ({ ok: true, file: null }),
      ciState: async () => {
        reads += 1;
        // The completed-check event arrives while heaven is still reading the pending state.
        if (reads === 1) await deployer?.ciSettled("octo/app", origin.sha);
        return { statuses: [], checkRuns: [reads === 1 ? pendingTest : greenTest] };
      },
    };
    deployer = await newDeployer(() => sources, r.sink);
    await deployer.accept(job("11"));
    expect(await r.waitFinal("11")).toMatch(/^success/);
    expect(reads).toBe(2);
  });

  it("fails a parked deployment naming the check when CI turns red", async () => {
    const r = recorder();
    const c = ci([pendingTest]);
    const deployer = await newDeployer(() => c.sources, r.sink);
    await deployer.accept(job("9"));
    await r.until(() => r.of("9").length > 0);
    c.set([{ name: "test", status: "completed", conclusion: "failure" }]);
    await deployer.ciSettled("octo/app", origin.sha);
    expect(await r.waitFinal("9")).toBe(`failure: CI failed on ${origin.sha.slice(0, 7)}: test; fix it, or deploy with force`);
  });

  it("does not ship into a lock someone took while the deployment waited for CI", async () => {
    const r = recorder();
    const mine = { id: 41, sha: origin.sha, ref: "main", task: "deploy", environment: "production", createdAt: "2026-11-22T10:00:00Z", creator: { login: "bob", type: "User" }, payload: {}, description: null };
    const records = [mine];
    const c = ci([pendingTest]);
    const deployer = await newDeployer(() => ({ ...c.sources, environmentRecords: async () => records }), r.sink);
    await deployer.accept(job("41", { record: mine, defaultBranch: "main" }));
    await r.until(() => r.of("41").length > 0);
    // alice locks production while deployment 41 waits for CI.
    records.push({ ...mine, id: 42, task: "deploy:lock", creator: { login: "alice", type: "User" }, createdAt: "2026-11-22T10:05:00Z", description: "db maintenance" });
    c.set([greenTest]);
    await deployer.ciSettled("octo/app", origin.sha);
    expect(await r.waitFinal("41")).toMatch(/^error: production is locked by @alice: db maintenance/);
    expect(ran()).toBe("");
  });

  it("ships a merge of the default branch as a deployment of its own, which waits for the CI the branch had", async () => {
    const merge = origin.commit({ "merged.txt": "from main\n" }, "Merge main into topic");
    const r = recorder();
    const created: NewDeployment[] = [];
    const record = { id: 12, sha: origin.sha, ref: "topic", task: "deploy", environment: "production", createdAt: "2026-11-22T10:00:00Z", creator: { login: "bob", type: "User" }, payload: { notify: { room: "ops" } }, description: null };
    const sources: DeploymentSources = {
      loadConfig: async () => ({ ok: true, file: null }),
      ciState: async (sha) => ({ statuses: [{ context: "ci/test", state: "success" }], checkRuns: sha === origin.sha ? [greenTest] : [] }),
      mergeDefaultBranch: async () => ({ kind: "merged", sha: merge }),
      createDeployment: async (deployment) => (created.push(deployment), { id: 13 }),
    };
    const deployer = await newDeployer(() => sources, r.sink);
    await deployer.accept(job("12", { ref: "topic", defaultBranch: "main", record }));
    expect(await r.waitFinal("12")).toBe(`inactive: merged main into topic as ${merge.slice(0, 7)}; that commit deploys as deployment 13`);
    expect(created).toEqual([
      {
        ref: "topic",
        environment: "production",
        task: "deploy",
        payload: { notify: { room: "ops", user: "bob" }, merge_default_branch: false, heaven: { merged_for: 12, required_contexts: ["ci/test", "test"] } },
        description: "main merged into topic for deployment 12",
      },
    ]);
    expect(ran()).toBe("");
  });

  it("supersedes an automatic deployment when a newer one waits in the same lane", async () => {
    execFileSync("mkfifo", [join(tmp.path, "gate")]);
    const r = recorder();
    const deployer = await newDeployer(() => ({ loadConfig: async () => ({ ok: true, file: null }) }), r.sink);
    await deployer.accept(job("1"));
    await deployer.accept(job("2", { automatic: true }));
    await deployer.accept(job("3", { automatic: true }));
    await writeFile(join(tmp.path, "gate"), "go\n"); // lets deployment 1 finish
    expect(await r.waitFinal("2")).toBe(`inactive: superseded by deployment 3 (${origin.sha.slice(0, 7)}), a newer green head`);
    expect(await r.waitFinal("3")).toMatch(/^success/);
    expect(ran()).toBe("1\n3\n");
    expect(r.of("2")).toEqual(["queued: waiting for deployment 1 (main to production)", expect.stringMatching(/^inactive/)]);
  });

  it("posts an error instead of staying pending when heaven cannot open the deployment's log", async () => {
    mkdirSync(join(tmp.path, "data"), { recursive: true });
    writeFileSync(join(tmp.path, "data", "logs"), "not a directory");
    const r = recorder();
    const deployer = await newDeployer(() => ci([greenTest]).sources, r.sink);
    await deployer.accept(job("13"));
    expect(await r.waitFinal("13")).toMatch(/^error: heaven failed unexpectedly: /);
    await deployer.queue.drain(60_000);
    expect(await deployer.queue.list()).toEqual([]);
  });

  describe("after a restart", () => {
    it("brings back a deployment that waited for CI, and deploys it once CI is green", async () => {
      const first = recorder();
      const before = await newDeployer(() => ci([pendingTest]).sources, first.sink);
      await before.accept(job("10"));
      await first.until(() => first.of("10").length > 0);
      await before.queue.drain(0);
      await before.queue.close();

      const after = recorder();
      await newDeployer(() => ci([greenTest]).sources, after.sink);
      expect(await after.waitFinal("10")).toMatch(/^success/);
      expect(ran()).toBe("10\n");
    });

    it("reports a deployment that ran when heaven died as interrupted, once, after killing what it left running", async () => {
      let started: () => void = () => undefined;
      const running = new Promise<void>((resolve) => (started = resolve));
      const crashed = await newDeployer(() => ({ loadConfig: async () => ({ ok: true, file: null }) }), recorder().sink, (line) => line === "started" && started());
      await crashed.accept(job("hang"));
      await running;
      const sleeper = readPid(join(tmp.path, "pid"));
      // heaven dies here; its deploy script and the script's child go on.

      const second = recorder();
      await newDeployer(() => ({ loadConfig: async () => ({ ok: true, file: null }) }), second.sink);
      expect(second.of("hang")).toEqual(["error: heaven restarted while this deployment ran; its script was stopped — deploy again"]);
      expect(isDead(sleeper)).toBe(true);
      // The line is in the deployment's log. (Not necessarily the last: the "crashed" deployer lives on in this
      // test process and logs its script's death too, which a really dead heaven cannot.)
      expect(readFileSync(join(tmp.path, "data", "logs", "octo", "app", "hang.log"), "utf8")).toMatch(
        /^\S+ heaven: heaven restarted while this deployment ran; its process groups: \d+ killed$/m,
      );

      const third = recorder();
      await newDeployer(() => ({ loadConfig: async () => ({ ok: true, file: null }) }), third.sink);
      expect(third.of("hang")).toEqual([]);
    });
  });
});
