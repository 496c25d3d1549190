/**
 * End to end, a bad day: heaven's real server process is killed, stopped
 * while it works, started again, cut off from GitHub for minutes, misses
 * webhooks and is configured through `.env`. Against the fake GitHub (which
 * keeps deployments and statuses and sends heaven the `deployment` webhook
 * of each deployment created), real git origins and real deploy scripts.
 *
 * Every scenario has its own origin repository, fake GitHub repository and
 * data directory, and checks what a person would see: deployment statuses
 * on GitHub, what the scripts ran (files they write outside their checkout),
 * processes on the box, exit codes and heaven's log lines. GitHub's webhooks
 * reach whichever heaven runs: a restarted heaven listens on the port of the
 * one before it.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUTBOX_FLUSH_MS } from "../../src/shutdown.js";
import { repliesOn, sendComment, waitForReply } from "../helpers/comment-events.js";
import { createRepo, script, tempDir, type GitRepo } from "../helpers/git-repo.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { HeavenExitedError, readJournal, readOutbox, startHeaven, type HeavenProcess, type StartOptions } from "../helpers/heaven-server.js";
import { isDead, readPid } from "../helpers/process-state.js";

const OWNER = "heaven-bad-day";
const INSTALLATION = 5151;
/** Seconds running deployments get when heaven is asked to stop, in these tests. */
const GRACE_SECONDS = 30;

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
/** The heaven running now: GitHub's webhooks go to it. */
let heaven: HeavenProcess | undefined;
/** Every heaven started, so none outlives the suite whatever failed. */
const started: HeavenProcess[] = [];
/** Pid files of grandchildren the scripts start, killed at the end if a failed test left them. */
const pidFiles: string[] = [];

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-bad-day-");
  // A wait that never ends fails with what it waited for, before jest's own timeout says nothing.
  github = new FakeGitHub({ waitTimeoutMs: 40_000 });
  await github.start();
  // GitHub sends each webhook with its delivery GUID (a redelivery keeps it) to wherever heaven listens.
  github.deliver = (event, payload, guid) => {
    if (heaven === undefined) return Promise.reject(new Error("heaven is not running"));
    return heaven.webhook(event, payload, { delivery: guid });
  };
});

afterAll(async () => {
  github?.endOutages();
  for (const h of started) h.kill("SIGKILL");
  await Promise.all(started.map((p) => p.exited));
  for (const file of pidFiles) {
    try {
      const pid = readPid(file);
      // Only what a script started: a pid may have been handed to another process since.
      if (!isDead(pid) && /sleep|script\/deploy/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"))) process.kill(pid, "SIGKILL");
    } catch {
      // Not written, or already gone.
    }
  }
  await github?.stop();
  tmp?.remove();
});

/** Starts heaven on `dataDir`; on the port of the heaven before it when `after` is given. */
async function start(dataDir: string, options: { after?: HeavenProcess; env?: Record<string, string>; cwd?: string } = {}): Promise<HeavenProcess> {
  const startOptions: StartOptions = {
    githubHost: github.host,
    dataDir,
    port: options.after?.port,
    cwd: options.cwd,
    env: { DEPLOYMENT_TIMEOUT: "60", HEAVEN_SHUTDOWN_GRACE: String(GRACE_SECONDS), ...options.env },
  };
  const next = await startHeaven(startOptions);
  started.push(next);
  heaven = next;
  return next;
}

/** Stops heaven with `signal` (SIGTERM: drain; SIGKILL: a crash) and says how it ended and how long it took. */
async function kill(target: HeavenProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const since = Date.now();
  target.kill(signal);
  const exit = await target.exited;
  return { ...exit, ms: Date.now() - since };
}

interface Project {
  fullName: string;
  origin: GitRepo & { sha: string };
  /** A file of this scenario, outside every checkout: `runs`, gates, pid files. */
  file: (name: string) => string;
  /** Lines "$DEPLOYMENT_ID $DEPLOY_ENV $SHA", one per run of script/deploy, in order. */
  runs: () => string[];
  /** Commits a new script/deploy on main; returns the sha. Deployments of main from now on run it. */
  deployScript: (body: string) => string;
  dataDir: string;
}

/**
 * A repository on the fake GitHub, backed by a fresh origin whose
 * script/deploy records its run, then does `body` (with $DIR the scenario's
 * own directory).
 */
function project(name: string, body = ""): Project {
  const fullName = `${OWNER}/${name}`;
  const dir = join(tmp.path, `${name}-files`);
  mkdirSync(dir, { recursive: true });
  const deployScript = (more: string) => script(`DIR='${dir}'\necho "$DEPLOYMENT_ID $DEPLOY_ENV $SHA" >> "$DIR/runs"\n${more}`);
  const origin = createRepo(tmp.path, name, { "script/deploy": deployScript(body) });
  github.addRepo(fullName, { dir: origin.dir, defaultBranch: "main", installationId: INSTALLATION });
  const file = (f: string) => join(dir, f);
  return {
    fullName,
    origin,
    file,
    runs: () => (existsSync(file("runs")) ? readFileSync(file("runs"), "utf8").trim().split("\n") : []),
    deployScript: (more) => origin.commit({ "script/deploy": deployScript(more) }, "change script/deploy"),
    dataDir: join(tmp.path, `${name}-data`),
  };
}

/** What a person does with `gh api repos/:o/:r/deployments`: GitHub stores it and sends heaven the webhook. */
function deploy(p: Project, fields: { environment?: string } = {}): Promise<number> {
  return github.createDeployment({ fullName: p.fullName, ref: "main", environment: fields.environment ?? "production", creator: { login: "alice" } });
}

const run = (p: Project, id: number, environment = "production") => `${id} ${environment} ${p.origin.git("rev-parse", "HEAD")}`;
const states = (id: number) => github.statusesOf(id).map((s) => s.state);
/** A script line that waits until the test creates `$DIR/<name>` (a gate the test opens). */
const gate = (name: string) => `while [ ! -e "$DIR/${name}" ]; do sleep 0.05; done`;
/** A script that starts a grandchild and waits for it: the pids of both go to files. */
const LONG_RUNNING = `echo $$ > "$DIR/script.pid"\nsleep 1000 &\necho $! > "$DIR/grandchild.pid"\necho started\nwait`;

/** Polls for something on disk (a file a script wrote, a record heaven journaled). */
async function until(test: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Webhook deliveries heaven failed to take from now on (GitHub's delivery log). */
function deliveryFailures(): () => unknown[] {
  const before = github.failedDeliveries.length;
  return () => github.failedDeliveries.slice(before);
}

describe("heaven on a bad day", () => {
  it("after a SIGKILL mid-deploy, reports the interrupted deployment once, kills its leftovers and runs the one queued behind it", async () => {
    const p = project("sigkill", LONG_RUNNING);
    pidFiles.push(p.file("grandchild.pid"), p.file("script.pid"));
    const failures = deliveryFailures();
    let current = await start(p.dataDir);

    const a = await deploy(p);
    const shaA = p.origin.sha;
    await until(() => existsSync(p.file("grandchild.pid")), "deployment A's grandchild");
    // heaven journals the script's process group as it starts: what the next heaven kills.
    const key = `github:deployment:${a}`;
    await until(() => (readJournal(p.dataDir).live.get(key)?.processes.length ?? 0) > 0, "A's process group in the journal");
    const grandchild = readPid(p.file("grandchild.pid"));

    p.deployScript("echo deployed");
    const b = await deploy(p);
    expect(await github.waitForStatus(b, "queued")).toMatchObject({ description: `waiting for deployment ${a} (main to production)` });

    expect(await kill(current, "SIGKILL")).toMatchObject({ code: null, signal: "SIGKILL" });
    // Nobody stopped the deploy: it still runs, grandchild and all.
    expect(isDead(grandchild)).toBe(false);

    current = await start(p.dataDir, { after: current });
    expect(current.output()).toContain("journal: 1 interrupted deployments reported, 1 queued and 0 waiting for CI picked up");
    expect(await github.waitForFinalStatus(a)).toMatchObject({
      state: "error",
      description: "heaven restarted while this deployment ran; its script was stopped — deploy again",
    });
    expect(isDead(grandchild)).toBe(true);
    expect(isDead(readPid(p.file("script.pid")))).toBe(true);
    expect(await github.waitForFinalStatus(b)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${a} production ${shaA}`, run(p, b)]);
    const seen = { a: github.statusesOf(a), b: github.statusesOf(b) };
    expect(github.finalStatusesOf(a)).toHaveLength(1);
    expect(github.finalStatusesOf(b)).toHaveLength(1);

    // It crashes once more, right after: the next heaven repeats nothing, and works.
    expect(await kill(current, "SIGKILL")).toMatchObject({ signal: "SIGKILL" });
    current = await start(p.dataDir, { after: current });
    const c = await deploy(p);
    expect(await github.waitForFinalStatus(c)).toMatchObject({ state: "success" });
    expect({ a: github.statusesOf(a), b: github.statusesOf(b) }).toEqual(seen);
    expect(p.runs()).toEqual([`${a} production ${shaA}`, run(p, b), run(p, c)]);
    expect(failures()).toEqual([]);
    expect(await current.stop()).toBe(0);
  });

  describe("asked to stop (SIGTERM) while a deployment runs and another is queued", () => {
    it("lets the running one finish, starts nothing new, keeps accepting webhooks, exits 0, and runs the rest after a restart", async () => {
      const p = project("sigterm", gate("release"));
      const failures = deliveryFailures();
      let current = await start(p.dataDir);

      const running = await deploy(p);
      const shaRunning = p.origin.sha;
      await until(() => p.runs().length === 1, "the first deployment's script");
      p.deployScript("echo deployed");
      const queued = await deploy(p);
      await github.waitForStatus(queued, "queued");

      const since = Date.now();
      current.kill("SIGTERM");
      await current.waitForOutput(`SIGTERM: starting no new deployments; 1 running deployment gets up to ${GRACE_SECONDS} s to finish`);
      // A deployment created during the grace: heaven takes its webhook and journals it for the next start.
      const during = await deploy(p);
      expect(github.deliveries().at(-1)).toMatchObject({ event: "deployment", status_code: 200 });
      expect(readJournal(p.dataDir).live.get(`github:deployment:${during}`)?.state).toBe("queued");

      writeFileSync(p.file("release"), "");
      expect(await current.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - since).toBeLessThan(GRACE_SECONDS * 1000);
      expect(current.output()).toContain('"msg":"stopped"');
      expect(github.finalStatusesOf(running)).toEqual([expect.objectContaining({ state: "success" })]);
      expect(states(queued)).toEqual(["queued"]);
      expect(p.runs()).toEqual([`${running} production ${shaRunning}`]);

      current = await start(p.dataDir, { after: current });
      expect(current.output()).toContain("journal: 0 interrupted deployments reported, 2 queued and 0 waiting for CI picked up");
      expect(await github.waitForFinalStatus(queued)).toMatchObject({ state: "success" });
      expect(await github.waitForFinalStatus(during)).toMatchObject({ state: "success" });
      expect(p.runs()).toEqual([`${running} production ${shaRunning}`, run(p, queued), run(p, during)]);
      expect(github.finalStatusesOf(running)).toHaveLength(1);
      expect(failures()).toEqual([]);
      expect(await current.stop()).toBe(0);
    });

    it("stops the running deployment at once on a second SIGTERM, says so, and exits 0", async () => {
      const p = project("sigterm-twice", LONG_RUNNING);
      pidFiles.push(p.file("grandchild.pid"), p.file("script.pid"));
      const current = await start(p.dataDir);

      const id = await deploy(p);
      await until(() => existsSync(p.file("grandchild.pid")), "the deployment's grandchild");
      const pids = [readPid(p.file("script.pid")), readPid(p.file("grandchild.pid"))];

      const since = Date.now();
      current.kill("SIGTERM");
      await current.waitForOutput("SIGTERM: starting no new deployments");
      current.kill("SIGTERM");
      expect(await current.exited).toEqual({ code: 0, signal: null });
      // At once: long before the grace would have run out.
      expect(Date.now() - since).toBeLessThan(15_000);
      expect(current.output()).toContain("SIGTERM again: stopping running deployments now");
      expect(github.finalStatusesOf(id)).toEqual([
        expect.objectContaining({ state: "error", description: "stopped by heaven's shutdown before it finished; deploy again" }),
      ]);
      expect(pids.map(isDead)).toEqual([true, true]);
    });
  });

  it("asks GitHub again for a deployment webhook it missed while down, and runs that deployment once", async () => {
    const p = project("missed");
    const failures = deliveryFailures();
    let current = await start(p.dataDir);
    expect(await current.stop()).toBe(0);

    // Created while heaven is down: GitHub could not deliver its webhook.
    const id = await deploy(p);
    const missed = github.deliveries().at(-1);
    expect(missed).toMatchObject({ event: "deployment", action: "created", status_code: 0, redelivery: false });
    const guid = missed?.guid ?? "";

    const mark = github.requests.length;
    current = await start(p.dataDir, { after: current });
    expect(await github.waitForFinalStatus(id)).toMatchObject({ state: "success" });
    // heaven asked GitHub for it once (the App's delivery log, then "redeliver"), and GitHub sent it with its GUID.
    expect(github.requests.slice(mark).filter((r) => r.method === "POST" && r.path.startsWith("/app/hook/deliveries/"))).toEqual([
      expect.objectContaining({ path: `/app/hook/deliveries/${missed?.id}/attempts` }),
    ]);
    const attempts = () => github.deliveries().filter((d) => d.guid === guid);
    expect(attempts().map((d) => [d.status_code, d.redelivery])).toEqual([
      [0, false],
      [200, true],
    ]);
    expect(p.runs()).toEqual([run(p, id)]);

    // Somebody clicks "Redeliver" on GitHub: heaven takes it, and knows it has that deployment already.
    const again = await github.redeliver(missed?.id ?? -1);
    expect(again).toMatchObject({ guid, status_code: 200, redelivery: true });
    await current.waitForOutput(new RegExp(`"deploymentId":${id},.*"msg":"deployment already accepted; ignoring the redelivery"`));
    expect(await current.stop()).toBe(0);
    expect(p.runs()).toEqual([run(p, id)]);
    expect(github.finalStatusesOf(id)).toHaveLength(1);
    // The one delivery heaven missed is the one made while it was down.
    expect(failures()).toEqual([{ event: "deployment", status: expect.any(String) }]);
  });

  describe("settings in .env", () => {
    it("apply before heaven reads its settings, and win over the environment", async () => {
      const p = project("dotenv", `echo "region $DEPLOY_REGION" > "$DIR/region-$DEPLOYMENT_ID"\necho "region $DEPLOY_REGION"\n[ "$DEPLOY_ENV" = production ] || ${gate("release")}`);
      const workDir = join(tmp.path, "dotenv-workdir");
      mkdirSync(workDir);
      // startHeaven sets HEAVEN_URL to its own address too: Probot's rule, and heaven's, is that .env wins.
      writeFileSync(
        join(workDir, ".env"),
        "HEAVEN_URL=https://heaven.example.com/\nHEAVEN_CONCURRENCY=1\nHEAVEN_PASS_ENV=DEPLOY_REGION\nDEPLOY_REGION=eu-west-3\n",
      );
      const current = await start(p.dataDir, { cwd: workDir });

      const staging = await deploy(p, { environment: "staging" });
      await until(() => p.runs().length === 1, "the staging deployment's script");
      // Another environment, so only the one worker holds it back.
      const production = await deploy(p, { environment: "production" });
      expect(await github.waitForStatus(production, "queued")).toMatchObject({
        description: "waiting for a free worker: 1 deployment ahead (concurrency 1)",
      });
      expect(p.runs()).toEqual([run(p, staging, "staging")]);

      writeFileSync(p.file("release"), "");
      const final = await github.waitForFinalStatus(production);
      expect(final.state).toBe("success");
      expect(github.finalStatusesOf(staging)).toEqual([expect.objectContaining({ state: "success" })]);
      expect(p.runs()).toEqual([run(p, staging, "staging"), run(p, production)]);
      for (const id of [staging, production]) expect(readFileSync(p.file(`region-${id}`), "utf8")).toBe("region eu-west-3\n");

      // The link GitHub shows points at HEAVEN_URL from .env; the same path on heaven serves the log, the passed value masked.
      const link = new URL(final.log_url ?? "");
      expect(link.origin).toBe("https://heaven.example.com");
      const log = await fetch(`${current.url}${link.pathname}${link.search}`);
      expect(log.status).toBe(200);
      const text = await log.text();
      expect(text).toMatch(/ region \*+$/m);
      expect(text).not.toContain("eu-west-3");
      expect(await current.stop()).toBe(0);
    });

    it("stop start-up with a non-zero exit naming the variable when a value is invalid", async () => {
      const workDir = join(tmp.path, "bad-dotenv-workdir");
      mkdirSync(workDir);
      writeFileSync(join(workDir, ".env"), "HEAVEN_CONCURRENCY=lots\n");
      const failed = await start(join(tmp.path, "bad-dotenv-data"), { cwd: workDir }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(HeavenExitedError);
      const { exit, output } = failed as HeavenExitedError;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      // NODE_ENV=production: the log is JSON, the reason its last line's message.
      const last = JSON.parse(output.trim().split("\n").at(-1) ?? "") as { msg: string };
      expect(last.msg).toContain('HEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "lots"');
    });
  });

  it(
    "delivers a final status exactly once through a 3-minute GitHub outage and a restart in the middle of it",
    async () => {
      const p = project("outage", gate("release"));
      const failures = deliveryFailures();
      let current = await start(p.dataDir);

      const id = await deploy(p);
      await until(() => p.runs().length === 1, "the deployment's script");
      await github.waitForStatus(id, "in_progress");

      // GitHub's API is down (webhooks still flow): no status, no token, no delivery log.
      const outageMs = 180_000;
      const outageEnds = Date.now() + outageMs;
      github.outage(outageMs, { path: /^\/(repos|app)\// });
      const mark = github.requests.length;
      writeFileSync(p.file("release"), "");
      const postsStatus = (r: { method: string; path: string }) => r.method === "POST" && r.path === `/repos/${p.fullName}/deployments/${id}/statuses`;
      await github.waitFor(() => github.requests.slice(mark).some(postsStatus), "heaven trying to post the final status");

      // Stopped while GitHub is down: it exits 0 within its bounds, the status kept on disk.
      const stopped = await kill(current, "SIGTERM");
      expect(stopped).toMatchObject({ code: 0, signal: null });
      expect(stopped.ms).toBeLessThan(OUTBOX_FLUSH_MS + 5_000);
      expect(current.output()).toContain("stopped; 1 GitHub writes stay in the outbox and go out at the next start");
      expect([...readOutbox(p.dataDir).pending.keys()]).toEqual([`deployment:${id}:final`]);
      expect(states(id)).toEqual(["in_progress"]);

      // Started again, still during the outage.
      current = await start(p.dataDir, { after: current });
      expect(Date.now()).toBeLessThan(outageEnds);
      expect(current.output()).toContain("outbox: 1 GitHub writes from before the restart will be delivered");

      const final = await github.waitForFinalStatus(id, outageMs + 90_000);
      expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
      expect(final).toMatchObject({ state: "success" });
      expect(await current.stop()).toBe(0);
      expect(states(id)).toEqual(["in_progress", "success"]);
      expect(p.runs()).toEqual([run(p, id)]);
      expect(failures()).toEqual([]);
    },
    300_000,
  );
});

describe("webhooks answered before they are handled", () => {
  /** Pull request `number` from branch `topic-<number>` (a commit ahead of main), which alice (write) may deploy; returns its head sha. */
  function pullRequest(p: Project, number: number): string {
    const branch = `topic-${number}`;
    p.origin.git("checkout", "--quiet", "-b", branch);
    const head = p.origin.commit({ [`${branch}.txt`]: "topic work\n" }, "topic work");
    p.origin.git("checkout", "--quiet", "main");
    github.repo(p.fullName).pulls.set(number, { headRef: branch });
    github.repo(p.fullName).permissions.set("alice", "write");
    return head;
  }
  const comment = (p: Project, pull: number, body: string) => sendComment(github, { repo: p.fullName, pull, body, user: { login: "alice" } });

  it("handles, once, a /deploy comment heaven answered and was killed (SIGKILL) before handling, after the restart", async () => {
    const p = project("inbox-sigkill");
    const head = pullRequest(p, 1);
    let current = await start(p.dataDir);
    // GitHub fails the configuration read for a while: heaven is still handling the comment (retrying) when it dies.
    const outage = github.outage(120_000, { method: "GET", path: /\/contents\/\.github\/heaven\.yml$/ });
    const configRead = (r: { method: string; path: string; status?: number }) => r.method === "GET" && r.path.endsWith("/contents/.github/heaven.yml") && r.status === 503;

    const { commentId, delivery } = await comment(p, 1, "/deploy");
    expect(delivery.status_code).toBe(200);
    await github.waitFor(() => github.requests.some(configRead), "heaven reading the configuration for the comment");
    expect(await kill(current, "SIGKILL")).toMatchObject({ signal: "SIGKILL" });
    expect(github.deploymentsOf(p.fullName)).toEqual([]);
    expect(repliesOn(github, p.fullName, 1)).toEqual([]);

    outage.end();
    current = await start(p.dataDir, { after: current });
    expect(current.output()).toContain("inbox: 1 webhooks answered before the restart and not handled yet are handled now");
    await waitForReply(github, p.fullName, 1, (r) => r.body.startsWith("✅"), "the success reply");
    const [deployment, ...others] = github.deploymentsOf(p.fullName);
    expect(others).toEqual([]);
    expect(deployment?.payload).toMatchObject({ heaven: { comment: { number: 1, id: commentId } } });
    expect(p.runs()).toEqual([`${deployment?.id} production ${head}`]);
    expect(repliesOn(github, p.fullName, 1)).toHaveLength(1);

    // Killed again: the comment was handled, and the next heaven does not handle it again.
    expect(await kill(current, "SIGKILL")).toMatchObject({ signal: "SIGKILL" });
    current = await start(p.dataDir, { after: current });
    expect(current.output()).not.toContain("inbox:");
    expect(await current.stop()).toBe(0);
    expect(github.deploymentsOf(p.fullName)).toHaveLength(1);
  });

  it("answers a command whose handling fails on GitHub's side, after the webhook was answered, with a reply saying what failed", async () => {
    const p = project("inbox-failures");
    pullRequest(p, 2);
    pullRequest(p, 3);
    const current = await start(p.dataDir);

    // /wcid: GitHub refuses the list of deployments.
    github.fail("GET", new RegExp(`^/repos/${p.fullName}/deployments$`), 403);
    expect((await comment(p, 2, "/wcid")).delivery.status_code).toBe(200);
    const wcid = await waitForReply(github, p.fullName, 2, () => true, "the reply to /wcid");
    expect(wcid.body).toMatch(/^🚫 `\/wcid`: heaven could not answer this \(GitHub answered HTTP 403.*\); comment again$/);

    // /deploy: GitHub refuses the configuration read.
    github.fail("GET", /\/contents\/\.github\/heaven\.yml$/, 403);
    expect((await comment(p, 3, "/deploy")).delivery.status_code).toBe(200);
    const deploy = await waitForReply(github, p.fullName, 3, () => true, "the reply to /deploy");
    expect(deploy.body).toMatch(/^🚫 `\/deploy`: could not read \.github\/heaven\.yml: GitHub answered HTTP 403.*; deploy again$/);

    expect([repliesOn(github, p.fullName, 2), repliesOn(github, p.fullName, 3)].map((replies) => replies.length)).toEqual([1, 1]);
    expect(github.deploymentsOf(p.fullName)).toEqual([]);
    expect(await current.stop()).toBe(0);
  });
});
