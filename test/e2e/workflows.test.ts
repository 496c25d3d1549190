/**
 * End to end, issue 3: GitHub-native deploy workflows. heaven's real server
 * process against the fake GitHub, which keeps deployments, merges with real
 * git and sends heaven the `deployment` webhook of every deployment created
 * (by a person here, or by heaven itself). Every scenario has its own origin
 * repository, and checks what a person would see on GitHub (deployments,
 * deployment statuses, commit statuses, branches) and what the deploy script
 * actually ran, at which sha.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { foldJournal, parseJournalRecord } from "../../src/queue/journal-state.js";
import { createProject, type Project } from "../helpers/e2e-project.js";
import { tempDir, type Files, type GitRepo } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub, type StoredDeployment } from "../helpers/fake-github.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const OWNER = "heaven-e2e";
const INSTALLATION = 4242;

let tmp: ReturnType<typeof tempDir>;
let dataDir: string;
let github: FakeGitHub;
let heaven: HeavenProcess;

const start = () => startHeaven({ githubHost: github.host, dataDir, env: { DEPLOYMENT_TIMEOUT: "20" } });

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-workflows-");
  dataDir = join(tmp.path, "data");
  // A wait that never ends fails with what it waited for, before jest's own timeout says nothing.
  github = new FakeGitHub({ waitTimeoutMs: 40_000 });
  await github.start();
  heaven = await start();
  // GitHub sends heaven the webhook of every deployment created (whichever heaven process runs now).
  github.deliver = (event, payload) => heaven.webhook(event, payload);
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

/** A repository on the fake GitHub, backed by a fresh origin whose script/deploy records each run outside the checkout. */
const project = (name: string, files: Files = {}): Project => createProject(github, { dir: tmp.path, owner: OWNER, installationId: INSTALLATION }, name, files);

/** Commits on `branch` (created from the current branch when new) and goes back to main. */
function commitOn(repo: GitRepo, branch: string, files: Files, message = `change on ${branch}`): string {
  const exists = repo.git("branch", "--list", branch) !== "";
  repo.git("checkout", "--quiet", ...(exists ? [branch] : ["-b", branch]));
  const sha = repo.commit(files, message);
  repo.git("checkout", "--quiet", "main");
  return sha;
}

const head = (repo: GitRepo, branch: string) => repo.git("rev-parse", `refs/heads/${branch}`);
const states = (id: number) => github.statusesOf(id).map((s) => s.state);
/**
 * The statuses a deployment got, as `expected`, except that its in_progress
 * may be missing: writes of one installation go out a second apart, and a
 * quick deployment's final status can catch up with its in_progress while
 * that still waits for its turn (the outbox then sends only the final one).
 */
function expectStates(id: number, expected: string[], options: { mayQueue?: boolean } = {}) {
  const actual = states(id);
  // A deployment that arrives while another holds its lane says so first.
  if (options.mayQueue === true && actual[0] === "queued") actual.shift();
  expect([expected, expected.filter((state) => state !== "in_progress")]).toContainEqual(actual);
}
const short = (sha: string) => sha.slice(0, 7);

function deploy(p: Project, who: string, fields: { ref?: string; environment?: string; task?: string; description?: string; payload?: Record<string, unknown> } = {}) {
  return github.createDeployment({
    fullName: p.fullName,
    ref: fields.ref ?? "main",
    environment: fields.environment ?? "production",
    task: fields.task,
    description: fields.description,
    payload: fields.payload,
    creator: { login: who },
  });
}

function setCheckRun(p: Project, sha: string, name: string, status: string, conclusion: string | null) {
  github.repo(p.fullName).checkRuns.set(sha, [{ name, status, conclusion }]);
}

async function send(event: string, payload: unknown): Promise<void> {
  const answer = await heaven.webhook(event, payload);
  expect(answer.status).toBeLessThan(300);
}

function checkSuiteCompleted(p: Project, sha: string, branch: string) {
  const event = webhookExample("check_suite", (e) => e.action === "completed");
  Object.assign(event.check_suite, { head_sha: sha, head_branch: branch, status: "completed", conclusion: "success", after: sha });
  return github.forRepository(event, p.fullName);
}

function checkRunCompleted(p: Project, sha: string, branch: string, name: string, conclusion: string) {
  const event = webhookExample("check_run", (e) => e.action === "completed");
  Object.assign(event.check_run, { head_sha: sha, name, status: "completed", conclusion });
  Object.assign(event.check_run.check_suite, { head_sha: sha, head_branch: branch });
  return github.forRepository(event, p.fullName);
}

function statusEvent(p: Project, sha: string, context: string, state: string, branch: string) {
  const event = webhookExample("status", (e) => e.installation !== undefined);
  Object.assign(event, { sha, context, state, description: `${context} ${state}` });
  event.commit.sha = sha;
  event.branches = [{ name: branch, commit: { sha, url: `https://example.invalid/commits/${sha}` }, protected: false }];
  return github.forRepository(event, p.fullName);
}

function pullRequestMerged(p: Project, number: number, branch: string, headSha: string, mergedBy: string) {
  const event = webhookExample("pull_request", (e) => e.action === "closed");
  const [owner, name] = p.fullName.split("/");
  event.number = number;
  const pull = event.pull_request;
  Object.assign(pull, { number, state: "closed", merged: true, merged_by: { ...pull.user, login: mergedBy } });
  pull.head = { ...pull.head, ref: branch, sha: headSha, label: `${owner}:${branch}` };
  pull.head.repo = { ...pull.head.repo, full_name: p.fullName, name, owner: { ...pull.head.repo.owner, login: owner } };
  pull.base = { ...pull.base, ref: "main" };
  pull.base.repo = { ...pull.base.repo, full_name: p.fullName, name, owner: { ...pull.base.repo.owner, login: owner } };
  return github.forRepository(event, p.fullName);
}

/** The body heaven sent when it created deployment `d` through the API. */
function creationRequest(d: StoredDeployment) {
  return github.requests.find(
    (r) => r.method === "POST" && r.path === `/repos/${d.repository}/deployments` && r.body?.ref === d.ref && r.body?.task === d.task && r.body?.description === d.description,
  );
}

describe("GitHub-native deploy workflows", () => {
  it("lock → someone else's deploy refused → owner deploys → branch deploy locks → PR merged releases it → main auto-deploys on green", async () => {
    const p = project("story", { ".github/heaven.yml": "environments:\n  production:\n    auto_deploy: true\n" });
    const main1 = p.origin.sha;
    const topic = commitOn(p.origin, "topic", { "feature.txt": "a feature\n" }); // branched off main: contains it

    const lock = await deploy(p, "alice", { task: "deploy:lock", description: "db maintenance" });
    expect(await github.waitForFinalStatus(lock)).toMatchObject({ state: "success", description: "locked by @alice: db maintenance" });

    const bobs = await deploy(p, "bob");
    const refused = await github.waitForFinalStatus(bobs);
    expect(refused.state).toBe("error");
    expect(refused.description).toMatch(/^production is locked by @alice: db maintenance; ask them to unlock it \(task deploy:unlock\), or deploy with force$/);
    expect(states(bobs)).toEqual(["error"]);
    expect(p.runs()).toEqual([]);

    const alices = await deploy(p, "alice");
    expect(await github.waitForFinalStatus(alices)).toMatchObject({ state: "success" });
    expectStates(alices, ["in_progress", "success"]);
    expect(p.runs()).toEqual([`${main1} production main`]);

    const unlock = await deploy(p, "alice", { task: "deploy:unlock" });
    expect(await github.waitForFinalStatus(unlock)).toMatchObject({ state: "success", description: "unlocked by @alice" });

    const bobsTopic = await deploy(p, "bob", { ref: "topic" });
    expect(await github.waitForFinalStatus(bobsTopic)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${main1} production main`, `${topic} production topic`]);
    expect(head(p.origin, "topic")).toBe(topic); // it already contained main: nothing merged
    expect(github.requests.some((r) => r.method === "POST" && r.path === `/repos/${p.fullName}/merges`)).toBe(false);

    // Deploying a branch locked production for bob.
    const carols = await deploy(p, "carol");
    const carolRefused = await github.waitForFinalStatus(carols);
    expect(carolRefused.state).toBe("error");
    expect(carolRefused.description).toMatch(/^production is locked by @bob \(deployed topic\); ask them to unlock it/);
    expect(p.runs()).toHaveLength(2);

    // bob pushes to topic and CI turns green: while topic holds production, its green head follows it there.
    const topic2 = commitOn(p.origin, "topic", { "feature.txt": "a better feature\n" });
    setCheckRun(p, topic2, "test", "completed", "success");
    await send("check_suite", checkSuiteCompleted(p, topic2, "topic"));
    const follow = await github.waitForDeployment((d) => d.repository === p.fullName && d.sha === topic2, "the auto-deployment of topic");
    expect(follow).toMatchObject({ ref: "topic", environment: "production", creator: { login: "heaven[bot]" }, payload: { notify: { user: "bob" }, heaven: { auto: true } } });
    expect(await github.waitForFinalStatus(follow.id)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${main1} production main`, `${topic} production topic`, `${topic2} production topic`]);

    // The pull request is merged (main moves to the merge commit): heaven releases bob's lock by itself.
    p.origin.git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #7 from heaven-e2e/topic", "topic");
    const main2 = head(p.origin, "main");
    await send("pull_request", pullRequestMerged(p, 7, "topic", topic2, "dana"));
    const release = await github.waitForDeployment((d) => d.repository === p.fullName && d.task === "deploy:unlock" && d.creator.login === "heaven[bot]", "heaven's unlock deployment");
    expect(release).toMatchObject({ environment: "production", ref: "main", description: "pull request #7 merged", payload: { actor: "dana" } });
    expect(await github.waitForFinalStatus(release.id)).toMatchObject({
      state: "success",
      description: "unlocked by @dana (pull request #7 merged; was locked by @bob)",
    });

    // CI turns green on main's new head: heaven creates the deployment itself, and it ships.
    setCheckRun(p, main2, "test", "completed", "success");
    await send("check_suite", checkSuiteCompleted(p, main2, "main"));
    const auto = await github.waitForDeployment((d) => d.repository === p.fullName && d.task === "deploy" && d.sha === main2, "the auto-deployment of main");
    expect(auto).toMatchObject({ ref: "main", environment: "production", creator: { login: "heaven[bot]", type: "Bot" }, payload: { heaven: { auto: true } } });
    expect(creationRequest(auto)?.body).toMatchObject({ auto_merge: false, required_contexts: [] });
    expect(await github.waitForFinalStatus(auto.id)).toMatchObject({ state: "success" });
    expectStates(auto.id, ["in_progress", "success"]);
    expect(p.runs()).toEqual([`${main1} production main`, `${topic} production topic`, `${topic2} production topic`, `${main2} production main`]);
    expect(github.failedDeliveries).toEqual([]);
  }, 90_000);

  it("merges main into a stale branch and ships the merge commit as a deployment of its own, which waits for CI and deploys", async () => {
    const p = project("stale", { ".github/heaven.yml": "environments:\n  production:\n    required_contexts: [ci/test]\n    auto_deploy: true\n" });
    const topic = commitOn(p.origin, "topic", { "feature.txt": "a feature\n" });
    const main2 = p.origin.commit({ "fix.txt": "a fix on main\n" }, "fix on main");
    github.repo(p.fullName).statuses.set(topic, [{ context: "ci/test", state: "success" }]);

    const id = await deploy(p, "bob", { ref: "topic" });
    const merged = await github.waitForFinalStatus(id);
    const mergeSha = head(p.origin, "topic");
    expect(p.origin.git("rev-parse", `${mergeSha}^1`, `${mergeSha}^2`).split("\n")).toEqual([topic, main2]);
    expect(github.requests.find((r) => r.method === "POST" && r.path === `/repos/${p.fullName}/merges`)?.body).toMatchObject({ base: "topic", head: "main" });
    const shipping = await github.waitForDeployment((d) => d.repository === p.fullName && d.id !== id, "the merge commit's deployment");
    expect(merged).toMatchObject({ state: "inactive", description: `merged main into topic as ${short(mergeSha)}; that commit deploys as deployment ${shipping.id}` });
    // GitHub's records say what ships: the merge commit, on topic, for bob.
    expect(shipping).toMatchObject({ sha: mergeSha, ref: "topic", environment: "production", creator: { login: "heaven[bot]" }, payload: { notify: { user: "bob" }, heaven: { merged_for: id } } });
    expect(await github.waitForStatus(shipping.id, "pending")).toMatchObject({ description: `waiting for CI on ${short(mergeSha)}: ci/test` });
    expect(p.runs()).toEqual([]);

    // CI passes on the merge commit: its deployment carries on.
    github.repo(p.fullName).statuses.set(mergeSha, [{ context: "ci/test", state: "success" }]);
    await send("status", statusEvent(p, mergeSha, "ci/test", "success", "topic"));
    expect(await github.waitForFinalStatus(shipping.id)).toMatchObject({ state: "success" });
    // Its webhook can arrive while the deployment that created it still holds the lane.
    expectStates(shipping.id, ["pending", "in_progress", "success"], { mayQueue: true });
    expect(p.runs()).toEqual([`${mergeSha} production topic`]);

    // GitHub sends more than one CI event per commit (check runs, the suite, workflow runs). One arriving
    // after the deploy finished must not ship the merge commit again: the records say it is there.
    github.repo(p.fullName).checkRuns.set(mergeSha, [{ name: "build", status: "completed", conclusion: "success" }]);
    await send("check_suite", checkSuiteCompleted(p, mergeSha, "topic"));
    // CI planning is serialised per repository: once main's green head has been considered (and its skip
    // explained, production being locked by bob's branch), the late event above has been handled too.
    github.repo(p.fullName).statuses.set(main2, [{ context: "ci/test", state: "success" }]);
    await send("status", statusEvent(p, main2, "ci/test", "success", "main"));
    expect(await github.waitForCommitStatus(p.fullName, (s) => s.sha === main2 && s.context === "heaven/auto-deploy")).toMatchObject({
      state: "success",
      description: "not deployed to production: locked by @bob (deployed topic)",
    });
    expect(github.deploymentsOf(p.fullName).map((d) => d.id)).toEqual([id, shipping.id]);
    expect(p.runs()).toEqual([`${mergeSha} production topic`]);
  });

  it("ends a deployment whose branch conflicts with main as a failure, and pushes nothing", async () => {
    const p = project("conflict", { "colour.txt": "blue\n" });
    const topic = commitOn(p.origin, "topic", { "colour.txt": "green\n" });
    const main2 = p.origin.commit({ "colour.txt": "red\n" }, "red on main");

    const id = await deploy(p, "bob", { ref: "topic" });
    expect(await github.waitForFinalStatus(id)).toEqual(
      expect.objectContaining({ state: "failure", description: "merging main into topic conflicts; merge it yourself, push, and deploy again" }),
    );
    expect(states(id)).toEqual(["failure"]);
    expect(github.requests.filter((r) => r.method === "POST" && r.path === `/repos/${p.fullName}/merges`)).toHaveLength(1);
    expect(head(p.origin, "topic")).toBe(topic);
    expect(head(p.origin, "main")).toBe(main2);
    expect(p.origin.git("status", "--porcelain")).toBe("");
    expect(p.runs()).toEqual([]);
  });

  describe("a deployment whose CI is still running", () => {
    it("waits, and deploys by itself when CI turns green", async () => {
      const p = project("parked-green");
      const sha = p.origin.sha;
      setCheckRun(p, sha, "test", "in_progress", null);

      const id = await deploy(p, "alice", { environment: "staging" });
      expect(await github.waitForStatus(id, "pending")).toMatchObject({ description: `waiting for CI on ${short(sha)}: test` });
      expect(p.runs()).toEqual([]);

      setCheckRun(p, sha, "test", "completed", "success");
      await send("check_run", checkRunCompleted(p, sha, "main", "test", "success"));
      expect(await github.waitForFinalStatus(id)).toMatchObject({ state: "success" });
      expectStates(id, ["pending", "in_progress", "success"]);
      expect(p.runs()).toEqual([`${sha} staging main`]);
    });

    it("fails naming the red check when CI fails", async () => {
      const p = project("parked-red");
      const sha = p.origin.sha;
      setCheckRun(p, sha, "test", "in_progress", null);

      const id = await deploy(p, "alice", { environment: "staging" });
      await github.waitForStatus(id, "pending");

      setCheckRun(p, sha, "test", "completed", "failure");
      await send("check_run", checkRunCompleted(p, sha, "main", "test", "failure"));
      expect(await github.waitForFinalStatus(id)).toMatchObject({
        state: "failure",
        description: `CI failed on ${short(sha)}: test; fix it, or deploy with force`,
      });
      expect(states(id)).toEqual(["pending", "failure"]);
      expect(p.runs()).toEqual([]);
    });

    it("still waits after heaven restarts, and deploys when CI turns green", async () => {
      const p = project("parked-restart");
      const sha = p.origin.sha;
      setCheckRun(p, sha, "test", "queued", null);
      const id = await deploy(p, "alice");
      await github.waitForStatus(id, "pending");

      expect(await heaven.stop()).toBe(0);
      // The journal on disk, read the way the next process reads it: this deployment waits for CI.
      const lines = readFileSync(join(dataDir, "journal.jsonl"), "utf8").trim().split("\n");
      const journal = foldJournal(lines.map((line) => parseJournalRecord(JSON.parse(line))).flatMap((r) => (r.ok ? [r.value] : [])));
      expect([...journal.live.values()].map((entry) => [entry.job.key, entry.state])).toEqual([[`github:deployment:${id}`, "parked"]]);
      heaven = await start();
      // The new process picked it up; it re-checks CI (still running) and waits again, saying nothing new.
      expect(heaven.output()).toContain("0 queued and 1 waiting for CI picked up");

      setCheckRun(p, sha, "test", "completed", "success");
      await send("check_run", checkRunCompleted(p, sha, "main", "test", "success"));
      expect(await github.waitForFinalStatus(id)).toMatchObject({ state: "success" });
      expectStates(id, ["pending", "in_progress", "success"]);
      expect(p.runs()).toEqual([`${sha} production main`]);
    });
  });

  it("locks, refuses and unlocks for hubot-deploy's chat users, whose deployments its machine user creates", async () => {
    const p = project("hubot-locks");
    // hubot-deploy 0.13's payload: the person is notify.user_name; the token's owner is the machine user.
    const chat = (who: string, task?: string) =>
      github.createDeployment({
        fullName: p.fullName,
        ref: "main",
        environment: "production",
        task,
        description: task === "deploy:lock" ? "db work" : undefined,
        payload: { name: "hubot-locks", hosts: "", notify: { adapter: "slack", room: "ops", user: `U-${who}`, user_name: who }, config: { provider: "shell", repository: p.fullName, environments: ["production"], allowed_rooms: [] } },
        creator: { login: "acme-hubot" },
      });
    expect(await github.waitForFinalStatus(await chat("atmos", "deploy:lock"))).toMatchObject({ state: "success", description: "locked by @atmos: db work" });
    const refused = await github.waitForFinalStatus(await chat("hoodie"));
    expect(refused).toMatchObject({ state: "error", description: expect.stringMatching(/^production is locked by @atmos: db work/) });
    expect(await github.waitForFinalStatus(await chat("atmos"))).toMatchObject({ state: "success" });
    expect(await github.waitForFinalStatus(await chat("hoodie", "deploy:unlock"))).toMatchObject({ state: "success", description: "unlocked by @hoodie (was locked by @atmos)" });
    expect(p.runs()).toEqual([`${p.origin.sha} production main`]);
  });

  it("with wait_for_unlock, a deployment that meets someone else's lock waits for it and runs once it goes", async () => {
    const p = project("lock-wait");
    github.repo(p.fullName).config = "wait_for_unlock: 600\n";
    const lock = await deploy(p, "alice", { task: "deploy:lock", description: "db work" });
    expect(await github.waitForFinalStatus(lock)).toMatchObject({ state: "success", description: "locked by @alice: db work" });

    const bobs = await deploy(p, "bob");
    await github.waitFor(() => states(bobs).includes("queued"), "bob's deployment to say it waits for the lock");
    expect(github.statusesOf(bobs).at(-1)?.description).toMatch(/^waiting for @alice's lock on production \(db work\) to go, until \d\d:\d\d UTC$/);
    expect(p.runs()).toEqual([]);

    const unlock = await deploy(p, "alice", { task: "deploy:unlock" });
    expect(await github.waitForFinalStatus(unlock)).toMatchObject({ state: "success" });
    expect(await github.waitForFinalStatus(bobs)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${p.origin.sha} production main`]);
  });

  it("lets exactly one of two concurrent lock requests win: the older deployment", async () => {
    const p = project("race");
    const [alices, bobs] = await Promise.all([
      deploy(p, "alice", { task: "deploy:lock", description: "release" }),
      deploy(p, "bob", { task: "deploy:lock", description: "hotfix" }),
    ]);
    expect(alices).toBeLessThan(bobs);
    const [won, lost] = await Promise.all([github.waitForFinalStatus(alices), github.waitForFinalStatus(bobs)]);
    expect(won).toMatchObject({ state: "success", description: "locked by @alice: release" });
    expect(lost.state).toBe("error");
    expect(lost.description).toMatch(/^already locked by @alice since \d{4}-\d\d-\d\d \d\d:\d\d UTC: release$/);

    // Even when the newer request reaches heaven first, the records decide.
    const carols = await github.createDeployment({ fullName: p.fullName, ref: "main", environment: "staging", task: "deploy:lock", description: "demo", creator: { login: "carol" } }, { deliver: false });
    const danas = await github.createDeployment({ fullName: p.fullName, ref: "main", environment: "staging", task: "deploy:lock", description: "load test", creator: { login: "dana" } }, { deliver: false });
    await github.deliverDeployment(danas);
    await github.deliverDeployment(carols);
    expect(await github.waitForFinalStatus(danas)).toMatchObject({ state: "error", description: expect.stringMatching(/^already locked by @carol since .*: demo$/) });
    expect(await github.waitForFinalStatus(carols)).toMatchObject({ state: "success", description: "locked by @carol: demo" });
    expect(p.runs()).toEqual([]);
  });

  it("explains on the commit why a green head was not auto-deployed to a locked environment", async () => {
    const p = project("frozen", { ".github/heaven.yml": "environments:\n  production:\n    auto_deploy: true\n" });
    const lock = await deploy(p, "alice", { task: "deploy:lock", description: "release freeze" });
    expect(await github.waitForFinalStatus(lock)).toMatchObject({ state: "success" });

    const sha = p.origin.sha;
    setCheckRun(p, sha, "test", "completed", "success");
    await send("check_suite", checkSuiteCompleted(p, sha, "main"));
    const skipped = await github.waitForCommitStatus(p.fullName, (s) => s.context === "heaven/auto-deploy");
    expect(skipped).toMatchObject({ sha, context: "heaven/auto-deploy", description: "not deployed to production: locked by @alice (release freeze)" });
    expect(github.deploymentsOf(p.fullName).map((d) => d.id)).toEqual([lock]);
    expect(github.requests.filter((r) => r.method === "POST" && r.path === `/repos/${p.fullName}/deployments`)).toEqual([]);
    expect(p.runs()).toEqual([]);
  });

  it("rolls back to the previous successful deployment's commit as a new deployment", async () => {
    const p = project("rollback");
    const sha1 = p.origin.sha;
    const first = await deploy(p, "alice");
    expect(await github.waitForFinalStatus(first)).toMatchObject({ state: "success" });
    const sha2 = p.origin.commit({ "v2.txt": "version 2\n" }, "version 2");
    const second = await deploy(p, "alice");
    expect(await github.waitForFinalStatus(second)).toMatchObject({ state: "success" });

    const rollback = await deploy(p, "alice", { task: "deploy:rollback" });
    const answer = await github.waitForFinalStatus(rollback);
    expect(answer.state).toBe("success");
    const created = /^rolling back production to ([0-9a-f]{7}) \(deployment (\d+)\) as deployment (\d+)$/.exec(answer.description);
    expect(created?.slice(1, 3)).toEqual([short(sha1), String(first)]);
    const redeploy = github.deploymentsOf(p.fullName).find((d) => d.id === Number(created?.[3]));
    expect(redeploy).toMatchObject({ sha: sha1, ref: sha1, task: "deploy", environment: "production", creator: { login: "heaven[bot]" }, payload: { notify: { user: "alice" } } });
    expect(await github.waitForFinalStatus(redeploy?.id ?? -1)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${sha1} production main`, `${sha2} production main`, `${sha1} production ${sha1}`]);
  });
});
