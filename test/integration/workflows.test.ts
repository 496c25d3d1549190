/**
 * Issue 3's workflows through Probot, with GitHub answered by nock: locks kept
 * in deployment records, deployments parked until CI is green, auto-deploy on
 * green for every CI event, releasing a branch's lock when its pull request
 * closes, merging the default branch into a deployed branch, and rollback.
 * Real webhook example payloads (modified clones), a real origin repository,
 * the real shell provider; assertions are on what a user would see (statuses,
 * deployments created) and on every request heaven makes.
 */
import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, script, type Files } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { githubScope, repoCalls, statusBodies, useTestApp, type ApiCall } from "../helpers/probot.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const API = `/repos/${OWNER}/${REPO}`;
/** The repository's configuration, and the organisation's default when the repository has none. */
const CONFIG_PATH = `${API}/contents/.github%2Fheaven.yml`;
const ORG_CONFIG_PATH = `/repos/${OWNER}/.github/contents/.github%2Fheaven.yml`;
const DEPLOYMENTS = `${API}/deployments`;
/** The example repository's default branch. */
const DEFAULT_BRANCH = "master";
const PRODUCTION_RECORDS = `${DEPLOYMENTS}?environment=production&per_page=100`;

/** Shas that only GitHub (nock) knows about: auto-deploys and rollbacks run nothing locally. */
const HEAD = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const OLDER = "0f1e2d3c4b5a69788796a5b4c3d2e1f0abcdef01";
const SENTINEL = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

const AUTO_DEPLOY_CONFIG = "environments:\n  production:\n    auto_deploy: true\n";
const ALICE_LOCKED_AT = "2024-05-01T12:00:00Z";

/** Requests to GitHub that no interceptor answered: heaven asked for something the test did not expect. */
const harness = useTestApp();

// ---------------------------------------------------------------------------
// Payloads: real examples from @octokit/webhooks-examples, changed where a test needs it.

/** The real `deployment` example with an installation: its repository and installation are used by every event here. */
const deploymentExample = () => webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");

function onOurRepository<T extends { repository?: unknown; installation?: unknown }>(event: T): T {
  const { repository, installation } = deploymentExample();
  event.repository = repository;
  event.installation = installation;
  return event;
}

interface DeploymentChanges {
  id?: number;
  ref?: string;
  task?: string;
  payload?: unknown;
  creator?: string;
  creatorType?: string;
  description?: string | null;
}

function deploymentEvent(origin: { dir: string }, sha: string, changes: DeploymentChanges = {}) {
  const event = deploymentExample();
  event.repository.clone_url = origin.dir;
  event.deployment.id = changes.id ?? 1001;
  event.deployment.sha = sha;
  event.deployment.environment = "production";
  event.deployment.created_at = "2024-05-02T09:00:00Z";
  if (changes.ref !== undefined) event.deployment.ref = changes.ref;
  if (changes.task !== undefined) event.deployment.task = changes.task;
  if (changes.payload !== undefined) event.deployment.payload = changes.payload;
  if (changes.description !== undefined) event.deployment.description = changes.description;
  if (changes.creator !== undefined) event.deployment.creator.login = changes.creator;
  if (changes.creatorType !== undefined) event.deployment.creator.type = changes.creatorType;
  return event;
}

/** One item of GET /repos/{owner}/{repo}/deployments, in GitHub's shape (the example deployment, changed). */
function record(fields: {
  id: number;
  sha: string;
  ref?: string;
  task?: string;
  environment?: string;
  creator?: string;
  creatorType?: string;
  description?: string | null;
  payload?: object;
  createdAt?: string;
}) {
  const base = deploymentExample().deployment;
  const createdAt = fields.createdAt ?? "2024-05-01T08:00:00Z";
  const environment = fields.environment ?? "production";
  return {
    ...base,
    url: `https://api.github.com${DEPLOYMENTS}/${fields.id}`,
    id: fields.id,
    node_id: `DE_${fields.id}`,
    sha: fields.sha,
    ref: fields.ref ?? DEFAULT_BRANCH,
    task: fields.task ?? "deploy",
    payload: fields.payload ?? {},
    original_environment: environment,
    environment,
    description: fields.description ?? null,
    creator: { ...base.creator, login: fields.creator ?? "bob", type: fields.creatorType ?? "User" },
    created_at: createdAt,
    updated_at: createdAt,
    statuses_url: `https://api.github.com${DEPLOYMENTS}/${fields.id}/statuses`,
  };
}

/** alice's explicit lock of production, accepted before every deployment in these tests. */
const aliceLock = () => record({ id: 900, sha: OLDER, task: "deploy:lock", creator: "alice", description: "db maintenance", createdAt: ALICE_LOCKED_AT });

function statusEvent(sha: string, state = "success") {
  const event = onOurRepository(webhookExample("status", (e) => e.installation !== undefined));
  event.sha = sha;
  event.state = state;
  event.commit.sha = sha;
  event.branches = [{ ...event.branches[0], name: DEFAULT_BRANCH, commit: { ...event.branches[0].commit, sha } }];
  return event;
}

function checkSuiteEvent(sha: string, branch = DEFAULT_BRANCH) {
  const event = onOurRepository(webhookExample("check_suite", (e) => e.action === "completed"));
  event.check_suite.head_sha = sha;
  event.check_suite.head_branch = branch;
  event.check_suite.after = sha;
  return event;
}

function checkRunEvent(sha: string, branch: string, conclusion = "success") {
  const event = onOurRepository(webhookExample("check_run", (e) => e.action === "completed"));
  event.check_run.name = "test";
  event.check_run.head_sha = sha;
  event.check_run.conclusion = conclusion;
  event.check_run.check_suite.head_sha = sha;
  event.check_run.check_suite.head_branch = branch;
  return event;
}

function workflowRunEvent(sha: string) {
  const event = onOurRepository(webhookExample("workflow_run", (e) => e.action === "completed" && e.repository.full_name === `${OWNER}/${REPO}`));
  event.workflow_run.head_sha = sha;
  event.workflow_run.head_branch = DEFAULT_BRANCH;
  return event;
}

function pushEvent(sha: string, branch = DEFAULT_BRANCH) {
  const event = onOurRepository(webhookExample("push", (e) => e.ref === "refs/heads/master" && e.installation !== undefined));
  event.ref = `refs/heads/${branch}`;
  event.after = sha;
  if (event.head_commit) event.head_commit.id = sha;
  return event;
}

function pullRequestClosed(changes: { number: number; merged: boolean; headRef: string; headRepo?: string; mergedBy?: string }) {
  const event = webhookExample("pull_request", (e) => e.action === "closed" && e.installation !== undefined);
  event.number = changes.number;
  event.pull_request.number = changes.number;
  event.pull_request.merged = changes.merged;
  event.pull_request.merged_by = changes.merged ? { ...event.pull_request.user, login: changes.mergedBy ?? "bob" } : null;
  event.pull_request.head.ref = changes.headRef;
  event.pull_request.head.repo.full_name = changes.headRepo ?? event.repository.full_name;
  return event;
}

async function receive(name: string, payload: object, id = `delivery-${name}`) {
  await harness.app().probot.receive({ id, name, payload } as never);
}

// ---------------------------------------------------------------------------
// GitHub's answers.

function originWith(files: Files = {}) {
  const marker = join(harness.dir(), "deployed");
  const repo = createRepo(harness.dir(), "origin", {
    "script/deploy": script(`printf '%s %s %s' "$SHA" "$DEPLOY_ENV" "$BRANCH" > '${marker}'\necho "deployed $SHA"`),
    ".github/heaven.yml": "environments:\n  production:\n",
    ...files,
  });
  return { repo, marker, config: readFileSync(join(repo.dir, ".github/heaven.yml"), "utf8") };
}

type Scope = ReturnType<typeof githubScope>["scope"];

function answerCi(
  scope: Scope,
  sha: string,
  ci: { statuses?: Array<{ context: string; state: string }>; checkRuns?: Array<{ name: string; status: string; conclusion: string | null }> },
  times = 1,
) {
  const statuses = ci.statuses ?? [];
  const checkRuns = ci.checkRuns ?? [];
  scope
    .get(`${API}/commits/${sha}/status`)
    .query(true)
    .times(times)
    .reply(200, { state: statuses.length === 0 ? "pending" : "success", sha, total_count: statuses.length, statuses })
    .get(`${API}/commits/${sha}/check-runs`)
    .query(true)
    .times(times)
    .reply(200, { total_count: checkRuns.length, check_runs: checkRuns });
}

const green = { checkRuns: [{ name: "test", status: "completed", conclusion: "success" }] };
const pending = { checkRuns: [{ name: "test", status: "in_progress", conclusion: null }] };
const red = { checkRuns: [{ name: "test", status: "completed", conclusion: "failure" }] };

function answerRecords(scope: Scope, records: object[], times = 1, environment = "production") {
  scope.get(DEPLOYMENTS).query({ environment, per_page: "100" }).times(times).reply(200, records);
}

const statusesPath = (id = 1001) => `${DEPLOYMENTS}/${id}/statuses`;
const lines = (calls: ApiCall[]) => repoCalls(calls).map((call) => `${call.method} ${call.path}`);
const ciLines = (sha: string) => [`GET ${API}/commits/${sha}/status?per_page=100&page=1`, `GET ${API}/commits/${sha}/check-runs?per_page=100&page=1&filter=latest`];
const isCreate = (call: ApiCall) => call.method === "POST" && call.path === DEPLOYMENTS;
const finalStatus = (id = 1001) => (call: ApiCall) =>
  call.method === "POST" && call.path === statusesPath(id) && ["success", "failure", "error"].includes(String(call.body?.state));

/**
 * Auto-deploy planning runs after the webhook is answered, one planning at a
 * time per repository. A later push's planning starts only once the earlier
 * one is over, so when its first requests arrive, the earlier planning has
 * made every request it was going to make. (It reads no configuration and
 * stops there.)
 */
const SENTINEL_LINES = [`GET ${CONFIG_PATH}`, `GET ${ORG_CONFIG_PATH}`];
async function planningFinished(scope: Scope, next: ReturnType<typeof githubScope>["next"]) {
  scope.get(CONFIG_PATH).reply(404, { message: "Not Found" }).get(ORG_CONFIG_PATH).reply(404, { message: "Not Found" });
  await receive("push", pushEvent(SENTINEL, "unrelated"), "sentinel");
  await next((call) => call.path === ORG_CONFIG_PATH);
}

// ---------------------------------------------------------------------------

describe("locks kept in deployment records", () => {
  it("answers deploy:lock with success naming the owner and reason, and runs nothing", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, []);
    scope.post(statusesPath()).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha, { task: "deploy:lock", description: "db maintenance" }));
    await harness.app().idle();

    expect(statusBodies(calls)).toEqual([expect.objectContaining({ state: "success", description: "locked by @Codertocat: db maintenance" })]);
    expect(existsSync(marker)).toBe(false);
    // The configuration and the records are read side by side: in either order.
    expect(lines(calls).sort()).toEqual([`GET ${CONFIG_PATH}`, `GET ${PRODUCTION_RECORDS}`, `POST ${statusesPath()}`].sort());
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("refuses a lock while someone else holds one, saying who and since when", async () => {
    const { repo, config } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, [aliceLock()]);
    scope.post(statusesPath()).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha, { task: "deploy:lock", description: "release freeze" }));
    await harness.app().idle();

    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "error", description: "already locked by @alice since 2024-05-01 12:00 UTC: db maintenance" }),
    ]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("answers deploy:unlock with success saying whose lock it was", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, [aliceLock()]);
    scope.post(statusesPath()).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha, { task: "deploy:unlock" }));
    await harness.app().idle();

    expect(statusBodies(calls)).toEqual([expect.objectContaining({ state: "success", description: "unlocked by @Codertocat (was locked by @alice)" })]);
    expect(existsSync(marker)).toBe(false);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("credits an unlock heaven created for a merged pull request to the person who merged it", async () => {
    const { repo, config } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, [record({ id: 950, sha: OLDER, ref: "topic", creator: "bob" })]);
    scope.post(statusesPath()).reply(201, {});
    scope.get("/app").reply(200, { id: 1, slug: "heaven" });

    const unlock = deploymentEvent(repo, repo.sha, {
      task: "deploy:unlock",
      creator: "heaven[bot]",
      creatorType: "Bot",
      description: "pull request #42 merged",
      payload: { reason: "pull request #42 merged", actor: "bob", heaven: { releases_branch: "topic", key: "unlock:Codertocat/Hello-World#production:lock-950" } },
    });
    await receive("deployment", unlock);
    await harness.app().idle();

    expect(statusBodies(calls)).toEqual([expect.objectContaining({ state: "success", description: "unlocked by @bob (pull request #42 merged)" })]);
  });
});

describe("deploying to a locked environment", () => {
  it("refuses anyone but the owner with an error that says how to get past the lock, and runs nothing", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, [aliceLock()]);
    scope.post(statusesPath()).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha));
    await harness.app().idle();

    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({
        state: "error",
        description: "production is locked by @alice: db maintenance; ask them to unlock it (task deploy:unlock), or deploy with force",
      }),
    ]);
    // Refused before CI is even asked.
    // The configuration and the records are read side by side: in either order.
    expect(lines(calls).sort()).toEqual([`GET ${CONFIG_PATH}`, `GET ${PRODUCTION_RECORDS}`, `POST ${statusesPath()}`].sort());
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("deploys past the lock when forced, and says whose lock it overrode", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, [aliceLock()]);
    scope.post(statusesPath()).times(2).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha, { payload: { force: true } }));
    await harness.app().idle();

    expect(readFileSync(marker, "utf8")).toBe(`${repo.sha} production master`);
    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([
      ["in_progress", `deploying master (${repo.sha.slice(0, 7)}) to production, forced past @alice's lock`],
      ["success", expect.stringMatching(/^script\/deploy succeeded in \d+ s$/)],
    ]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("lets the owner of the lock deploy", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, [aliceLock()]);
    answerCi(scope, repo.sha, green);
    scope.post(statusesPath()).times(2).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha, { creator: "alice" }));
    await harness.app().idle();

    expect(readFileSync(marker, "utf8")).toBe(`${repo.sha} production master`);
    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([
      ["in_progress", `deploying master (${repo.sha.slice(0, 7)}) to production`],
      ["success", expect.stringMatching(/^script\/deploy succeeded in \d+ s$/)],
    ]);
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe("a deployment whose CI is pending", () => {
  it("waits with a pending status, then deploys by itself when a check run completes green", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls, next } = githubScope();
    // The deployment, its second pass after the check run, and auto-deploy planning each read the configuration.
    scope.get(CONFIG_PATH).times(3).reply(200, config);
    answerRecords(scope, [], 2);
    answerCi(scope, repo.sha, pending);
    answerCi(scope, repo.sha, green);
    scope.post(statusesPath()).times(3).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha));
    const waiting = await next((call) => call.path === statusesPath());
    await harness.app().idle();

    expect(waiting.body).toMatchObject({ state: "pending", description: `waiting for CI on ${repo.sha.slice(0, 7)}: test` });
    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls)).toHaveLength(1);

    await receive("check_run", checkRunEvent(repo.sha, DEFAULT_BRANCH));
    await next(finalStatus());
    await harness.app().idle();

    expect(readFileSync(marker, "utf8")).toBe(`${repo.sha} production master`);
    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([
      ["pending", `waiting for CI on ${repo.sha.slice(0, 7)}: test`],
      ["in_progress", `deploying master (${repo.sha.slice(0, 7)}) to production`],
      ["success", expect.stringMatching(/^script\/deploy succeeded in \d+ s$/)],
    ]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("fails, naming the red check, when CI on a parked deployment turns red", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls, next } = githubScope();
    scope.get(CONFIG_PATH).times(3).reply(200, config);
    answerRecords(scope, [], 2);
    answerCi(scope, repo.sha, pending);
    answerCi(scope, repo.sha, red);
    scope.post(statusesPath()).times(2).reply(201, {});

    await receive("deployment", deploymentEvent(repo, repo.sha));
    await next((call) => call.path === statusesPath());
    await harness.app().idle();
    await receive("check_run", checkRunEvent(repo.sha, DEFAULT_BRANCH, "failure"));
    await next(finalStatus());
    await harness.app().idle();

    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([
      ["pending", `waiting for CI on ${repo.sha.slice(0, 7)}: test`],
      ["failure", `CI failed on ${repo.sha.slice(0, 7)}: test; fix it, or deploy with force`],
    ]);
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe("a deployment another app created", () => {
  it("gets CI checked even when its payload carries heaven's own required_contexts: []", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls, next } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, []);
    answerCi(scope, repo.sha, red);
    scope.get("/app").reply(200, { id: 1, slug: "heaven" });
    scope.post(statusesPath()).reply(201, {});

    const forged = { payload: { heaven: { required_contexts: [], comment: { number: 1, id: 2 } } }, creator: "other-app[bot]", creatorType: "Bot" };
    await receive("deployment", deploymentEvent(repo, repo.sha, forged));
    await next(finalStatus());
    await harness.app().idle();

    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([["failure", `CI failed on ${repo.sha.slice(0, 7)}: test; fix it, or deploy with force`]]);
    // No reply on the pull request it named either.
    expect(calls.filter((call) => call.path.includes("/issues/"))).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("is refused with 503, to come again, while GitHub cannot say whether heaven made it", async () => {
    const { repo, marker } = originWith();
    const { scope, calls } = githubScope();
    scope.get("/app").reply(401, { message: "Bad credentials" });
    const heavens = { payload: { heaven: { required_contexts: ["test"] } }, creator: "heaven[bot]", creatorType: "Bot" };
    await expect(receive("deployment", deploymentEvent(repo, repo.sha, heavens))).rejects.toThrow(/GET \/app/);
    await harness.app().idle();
    expect(existsSync(marker)).toBe(false);
    // Nothing journaled, nothing posted: GET /app was all it asked.
    expect(await harness.app().queue.list()).toEqual([]);
    expect(statusBodies(calls)).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe("auto-deploy on green", () => {
  /** GitHub's answers for a green head of the default branch: config, the environment's records, the branch, CI. */
  function greenHead(scope: Scope, records: object[] = [], ci: Parameters<typeof answerCi>[2] = green) {
    scope.get(CONFIG_PATH).reply(200, AUTO_DEPLOY_CONFIG).get(`${API}/branches/${DEFAULT_BRANCH}`).reply(200, { name: DEFAULT_BRANCH, commit: { sha: HEAD } });
    answerCi(scope, HEAD, ci);
    answerRecords(scope, records);
  }

  function expectAutoDeployment(created: ApiCall) {
    expect(created.body).toEqual({
      ref: DEFAULT_BRANCH,
      environment: "production",
      task: "deploy",
      auto_merge: false,
      required_contexts: [],
      production_environment: true,
      payload: { heaven: { auto: true, reason: expect.stringContaining(HEAD) } },
      description: expect.stringContaining(HEAD.slice(0, 7)),
    });
  }

  // The records come first: they settle most events (locks, feature branches) without reading CI.
  const beforeRecords = [`GET ${CONFIG_PATH}`, `GET ${PRODUCTION_RECORDS}`, `GET ${API}/branches/${DEFAULT_BRANCH}`, ...ciLines(HEAD)];

  it.each([
    ["a commit status turns it green", "status" as const, () => statusEvent(HEAD), { statuses: [{ context: "ci/jenkins", state: "success" }] }],
    ["a check suite completes green", "check_suite" as const, () => checkSuiteEvent(HEAD), undefined],
  ])("deploys the default branch's head when %s", async (_when, event, payload, ci) => {
    const { scope, calls, next } = githubScope();
    if (ci === undefined) greenHead(scope);
    else greenHead(scope, [], ci);
    scope.post(DEPLOYMENTS).reply(201, record({ id: 5000, sha: HEAD, creator: "heaven[bot]", creatorType: "Bot" }));

    await receive(event, payload());
    const created = await next(isCreate);

    expectAutoDeployment(created);
    expect(lines(calls)).toEqual([...beforeRecords, `POST ${DEPLOYMENTS}`]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("deploys the default branch's head when a workflow run completes green and it is ahead of what is deployed", async () => {
    const { scope, calls, next } = githubScope();
    greenHead(scope, [record({ id: 4000, sha: OLDER })]);
    scope
      .get(`${API}/compare/${OLDER}...${HEAD}`)
      .query(true)
      .reply(200, { status: "ahead", ahead_by: 3, behind_by: 0 })
      .post(DEPLOYMENTS)
      .reply(201, record({ id: 5000, sha: HEAD, creator: "heaven[bot]", creatorType: "Bot" }));

    await receive("workflow_run", workflowRunEvent(HEAD));
    const created = await next(isCreate);

    expectAutoDeployment(created);
    expect(lines(calls)).toEqual([...beforeRecords, `GET ${API}/compare/${OLDER}...${HEAD}?per_page=1`, `POST ${DEPLOYMENTS}`]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("deploys a pushed head in a repository without CI (no contexts is green)", async () => {
    const { scope, calls, next } = githubScope();
    greenHead(scope, [], {});
    scope.post(DEPLOYMENTS).reply(201, record({ id: 5000, sha: HEAD, creator: "heaven[bot]", creatorType: "Bot" }));

    await receive("push", pushEvent(HEAD));
    const created = await next(isCreate);

    expectAutoDeployment(created);
    expect(lines(calls)).toEqual([...beforeRecords, `POST ${DEPLOYMENTS}`]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("does not deploy a sha that is no longer the branch's head", async () => {
    const { scope, calls, next } = githubScope();
    scope.get(CONFIG_PATH).reply(200, AUTO_DEPLOY_CONFIG).get(`${API}/branches/${DEFAULT_BRANCH}`).reply(200, { name: DEFAULT_BRANCH, commit: { sha: OLDER } });
    answerRecords(scope, []);

    await receive("check_suite", checkSuiteEvent(HEAD));
    await planningFinished(scope, next);

    expect(lines(calls)).toEqual([`GET ${CONFIG_PATH}`, `GET ${PRODUCTION_RECORDS}`, `GET ${API}/branches/${DEFAULT_BRANCH}`, ...SENTINEL_LINES]);
  });

  it("does not deploy a head whose CI is red", async () => {
    const { scope, calls, next } = githubScope();
    greenHead(scope, [], red);

    await receive("check_suite", checkSuiteEvent(HEAD));
    await planningFinished(scope, next);

    expect(lines(calls)).toEqual([...beforeRecords, ...SENTINEL_LINES]);
  });

  it("does not deploy into a locked environment, and says why in a heaven/auto-deploy commit status", async () => {
    const { scope, calls, next } = githubScope();
    greenHead(scope, [aliceLock()]);
    scope.post(`${API}/statuses/${HEAD}`).reply(201, {});

    await receive("status", statusEvent(HEAD));
    const explained = await next((call) => call.path === `${API}/statuses/${HEAD}`);
    await planningFinished(scope, next);

    expect(explained.body).toEqual({
      state: "success",
      context: "heaven/auto-deploy",
      description: "not deployed to production: locked by @alice (db maintenance)",
    });
    expect(calls.filter(isCreate)).toEqual([]);
    expect(lines(calls)).toEqual([...beforeRecords, `POST ${API}/statuses/${HEAD}`, ...SENTINEL_LINES]);
  });

  it("does not deploy a sha that is already the newest deployed there", async () => {
    const { scope, calls, next } = githubScope();
    greenHead(scope, [record({ id: 4000, sha: HEAD }), record({ id: 3000, sha: OLDER })]);

    await receive("workflow_run", workflowRunEvent(HEAD));
    await planningFinished(scope, next);

    // Settled by the records alone: no branch or CI reads.
    expect(lines(calls)).toEqual([`GET ${CONFIG_PATH}`, `GET ${PRODUCTION_RECORDS}`, ...SENTINEL_LINES]);
  });

  it("does not deploy a sha that is behind what is deployed", async () => {
    const { scope, calls, next } = githubScope();
    greenHead(scope, [record({ id: 4000, sha: OLDER })]);
    scope.get(`${API}/compare/${OLDER}...${HEAD}`).query(true).reply(200, { status: "behind", ahead_by: 0, behind_by: 2 });

    await receive("push", pushEvent(HEAD));
    await planningFinished(scope, next);

    expect(lines(calls)).toEqual([...beforeRecords, `GET ${API}/compare/${OLDER}...${HEAD}?per_page=1`, ...SENTINEL_LINES]);
  });
});

describe("a pull request that closes", () => {
  const deployedTopic = (environment = "production", id = 950) => record({ id, sha: OLDER, ref: "topic", creator: "bob", environment });

  it("releases the lock its branch holds with a deploy:unlock saying the pull request was merged", async () => {
    const { scope, calls, next } = githubScope();
    scope
      .get(CONFIG_PATH)
      .reply(200, "environments:\n  production:\n")
      .get(DEPLOYMENTS)
      .query({ ref: "topic", per_page: "100" })
      .reply(200, [deployedTopic()]);
    answerRecords(scope, [deployedTopic()]);
    scope.post(DEPLOYMENTS).reply(201, record({ id: 1002, sha: HEAD, task: "deploy:unlock", creator: "heaven[bot]", creatorType: "Bot" }));

    await receive("pull_request", pullRequestClosed({ number: 42, merged: true, headRef: "topic", mergedBy: "bob" }));
    const unlock = await next(isCreate);

    // heaven.key: how the outbox knows after a restart that GitHub already has this deployment.
    expect(unlock.body).toEqual({
      ref: DEFAULT_BRANCH,
      environment: "production",
      task: "deploy:unlock",
      description: "pull request #42 merged",
      payload: { reason: "pull request #42 merged", actor: "bob", heaven: { releases_branch: "topic", key: "unlock:Codertocat/Hello-World#production:lock-950" } },
      auto_merge: false,
      required_contexts: [],
      production_environment: true,
    });
    expect(lines(calls)).toEqual([`GET ${CONFIG_PATH}`, `GET ${DEPLOYMENTS}?ref=topic&per_page=100`, `GET ${PRODUCTION_RECORDS}`, `POST ${DEPLOYMENTS}`]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("releases only the environments whose lock the branch still holds", async () => {
    const { scope, calls, next } = githubScope();
    scope
      .get(CONFIG_PATH)
      .reply(200, "environments:\n  production:\n  staging:\n")
      .get(DEPLOYMENTS)
      .query({ ref: "topic", per_page: "100" })
      .reply(200, [deployedTopic("production", 950), deployedTopic("staging", 951)]);
    // bob has deployed the default branch to production since (which released his branch lock there); not to staging.
    answerRecords(scope, [record({ id: 960, sha: HEAD, creator: "bob" }), deployedTopic("production", 950)]);
    answerRecords(scope, [deployedTopic("staging", 951)], 1, "staging");
    scope.post(DEPLOYMENTS).reply(201, record({ id: 1002, sha: HEAD, task: "deploy:unlock", environment: "staging", creator: "heaven[bot]", creatorType: "Bot" }));

    await receive("pull_request", pullRequestClosed({ number: 7, merged: false, headRef: "topic" }));
    const unlock = await next(isCreate);

    expect(unlock.body).toMatchObject({ environment: "staging", task: "deploy:unlock", description: "pull request #7 closed" });
    expect(calls.filter(isCreate)).toHaveLength(1);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("does nothing for a pull request from a fork", async () => {
    const { scope, calls, next } = githubScope();
    // Only the second pull request's requests are answered: any request for the fork's is unmatched.
    scope
      .get(CONFIG_PATH)
      .reply(200, "environments:\n  production:\n")
      .get(DEPLOYMENTS)
      .query({ ref: "topic", per_page: "100" })
      .reply(200, [deployedTopic()]);
    answerRecords(scope, [deployedTopic()]);
    scope.post(DEPLOYMENTS).reply(201, record({ id: 1002, sha: HEAD, task: "deploy:unlock", creator: "heaven[bot]", creatorType: "Bot" }));

    await receive("pull_request", pullRequestClosed({ number: 43, merged: true, headRef: "fork-topic", headRepo: "mallory/Hello-World" }), "fork");
    await receive("pull_request", pullRequestClosed({ number: 44, merged: true, headRef: "topic" }), "ours");
    const unlock = await next(isCreate);

    expect(unlock.body).toMatchObject({ description: "pull request #44 merged" });
    expect(lines(calls)).toEqual([`GET ${CONFIG_PATH}`, `GET ${DEPLOYMENTS}?ref=topic&per_page=100`, `GET ${PRODUCTION_RECORDS}`, `POST ${DEPLOYMENTS}`]);
  });
});

describe("a branch that is behind the default branch", () => {
  /** An origin with a topic branch: its head, and the commit GitHub's merge of master into it makes. */
  function originWithTopic() {
    const origin = originWith();
    origin.repo.git("checkout", "--quiet", "-b", "topic");
    const topic = origin.repo.commit({ "topic.txt": "topic work\n" }, "topic work");
    const merge = origin.repo.commit({ "from-master.txt": "master's changes\n" }, `Merge ${DEFAULT_BRANCH} into topic`);
    return { ...origin, topic, merge };
  }

  it("merges the default branch in and ships the merge commit as a deployment of its own, which waits for the branch's CI and then deploys", async () => {
    const { marker, config, repo, topic, merge } = originWithTopic();
    const { scope, calls, next } = githubScope();
    const short = merge.slice(0, 7);
    // Deployment 1001, then 1002 (heaven's), then 1002 again once CI settles, then auto-deploy planning.
    scope.get(CONFIG_PATH).times(4).reply(200, config);
    answerRecords(scope, [], 3);
    scope
      .get(`${API}/compare/${topic}...${DEFAULT_BRANCH}`)
      .query(true)
      .reply(200, { status: "ahead", ahead_by: 2, behind_by: 0 })
      .post(`${API}/merges`)
      .reply(201, { sha: merge, commit: { message: `Merge ${DEFAULT_BRANCH} into topic` } });
    // The branch's own commit reported "test": the merge commit must report it green too.
    answerCi(scope, topic, green);
    scope.post(DEPLOYMENTS).reply(201, record({ id: 1002, sha: merge, ref: "topic", creator: "heaven[bot]", creatorType: "Bot" }));
    scope.post(statusesPath(1001)).reply(201, {});
    // Auto-deploy planning sees the new head of topic go green too, and leaves it to the parked
    // deployment that is about to deploy it: no records, branch or CI reads, no third deployment.
    answerCi(scope, merge, pending);
    answerCi(scope, merge, green);
    scope.post(statusesPath(1002)).times(3).reply(201, {});
    // heaven's own deployment: its required_contexts are believed once GitHub says heaven is heaven[bot].
    scope.get("/app").reply(200, { id: 1, slug: "heaven" });

    await receive("deployment", deploymentEvent(repo, topic, { ref: "topic" }));
    await harness.app().idle();

    const created = calls.find(isCreate);
    expect(created?.body).toMatchObject({
      ref: "topic",
      environment: "production",
      task: "deploy",
      auto_merge: false,
      required_contexts: [],
      description: `${DEFAULT_BRANCH} merged into topic for deployment 1001`,
      payload: { notify: { user: "Codertocat" }, merge_default_branch: false, heaven: { merged_for: 1001, required_contexts: ["test"] } },
    });
    expect(calls.find((call) => call.path === `${API}/merges`)?.body).toEqual({
      base: "topic",
      head: DEFAULT_BRANCH,
      commit_message: `Merge ${DEFAULT_BRANCH} into topic (heaven, before deploying)`,
    });
    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([
      ["inactive", `merged ${DEFAULT_BRANCH} into topic as ${short}; that commit deploys as deployment 1002`],
    ]);

    // GitHub sends the new deployment's webhook, as it does for every deployment created.
    const heavens = { id: 1002, ref: "topic", creator: "heaven[bot]", creatorType: "Bot", payload: created?.body?.payload };
    await receive("deployment", deploymentEvent(repo, merge, heavens), "delivery-1002");
    const waiting = await next((call) => call.path === statusesPath(1002));
    await harness.app().idle();
    expect(waiting.body).toMatchObject({ state: "pending", description: `waiting for CI on ${short}: test` });
    expect(existsSync(marker)).toBe(false);

    await receive("check_run", checkRunEvent(merge, "topic"));
    await next(finalStatus(1002));
    await harness.app().idle();

    expect(readFileSync(marker, "utf8")).toBe(`${merge} production topic`);
    expect(statusBodies(calls).slice(1).map((s) => [s.state, s.description])).toEqual([
      ["pending", `waiting for CI on ${short}: test`],
      ["in_progress", `deploying topic (${short}) to production`],
      ["success", expect.stringMatching(/^script\/deploy succeeded in \d+ s$/)],
    ]);
    expect(calls.filter((call) => call.path === `${API}/merges`)).toHaveLength(1);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("fails naming both branches when the merge conflicts, and runs nothing", async () => {
    const { marker, config, repo, topic } = originWithTopic();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, config);
    answerRecords(scope, []);
    scope
      .get(`${API}/compare/${topic}...${DEFAULT_BRANCH}`)
      .query(true)
      .reply(200, { status: "ahead", ahead_by: 2, behind_by: 0 })
      .post(`${API}/merges`)
      .reply(409, { message: "Merge conflict" })
      .post(statusesPath())
      .reply(201, {});

    await receive("deployment", deploymentEvent(repo, topic, { ref: "topic" }));
    await harness.app().idle();

    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "failure", description: `merging ${DEFAULT_BRANCH} into topic conflicts; merge it yourself, push, and deploy again` }),
    ]);
    expect(calls.some((call) => call.path.includes("/commits/"))).toBe(false);
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe("rollback", () => {
  it("creates a deployment of the previous successful sha and says which", async () => {
    const { repo, marker, config } = originWith();
    const { scope, calls } = githubScope();
    const current = record({ id: 1000, sha: HEAD });
    const previous = record({ id: 990, sha: OLDER });
    scope.get(CONFIG_PATH).reply(200, config);
    // The lock check, then the history.
    answerRecords(scope, [current, previous], 2);
    scope
      .get(`${DEPLOYMENTS}/1000/statuses`)
      .query(true)
      .reply(200, [{ id: 2, state: "success" }, { id: 1, state: "in_progress" }])
      .get(`${DEPLOYMENTS}/990/statuses`)
      .query(true)
      .reply(200, [{ id: 3, state: "success" }])
      .post(DEPLOYMENTS)
      .reply(201, record({ id: 1002, sha: OLDER, ref: OLDER, creator: "heaven[bot]", creatorType: "Bot" }))
      .post(statusesPath())
      .reply(201, {});

    await receive("deployment", deploymentEvent(repo, HEAD, { task: "deploy:rollback" }));
    await harness.app().idle();

    const created = calls.find(isCreate);
    expect(created?.body).toMatchObject({
      ref: OLDER,
      environment: "production",
      task: "deploy",
      auto_merge: false,
      required_contexts: [],
      payload: { notify: { user: "Codertocat" }, heaven: { rollback_of: 1001, target_deployment: 990 } },
    });
    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "success", description: `rolling back production to ${OLDER.slice(0, 7)} (deployment 990) as deployment 1002` }),
    ]);
    expect(existsSync(marker)).toBe(false);
    expect(scope.pendingMocks()).toEqual([]);
  });
});
