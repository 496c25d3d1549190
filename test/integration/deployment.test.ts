/**
 * The deployment event through Probot with GitHub answered by nock: which
 * statuses heaven posts, in what order, and how many API calls it spends.
 * Real example payloads, a real git repository, the real shell provider.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { createRepo, script, tempDir, type Files } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { githubScope, repoCalls, statusBodies, testApp, type TestApp } from "../helpers/probot.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const CONFIG_PATH = `/repos/${OWNER}/${REPO}/contents/.github%2Fheaven.yml`;
/** The lock check: the environment's deployment records, one call per deployment. */
const RECORDS_PATH = `/repos/${OWNER}/${REPO}/deployments`;

let tmp: ReturnType<typeof tempDir>;
let app: TestApp;

beforeEach(async () => {
  tmp = tempDir();
  app = await testApp({ dataDir: join(tmp.path, "data") });
});

afterEach(async () => {
  await app.close();
  nock.cleanAll();
  tmp.remove();
});

/** The real `deployment` example (the one with an installation), pointed at a repository on disk. */
function deploymentEvent(origin: { dir: string }, sha: string, changes: { id?: number; environment?: string; payload?: unknown; ref?: string } = {}) {
  const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
  event.repository.clone_url = origin.dir;
  event.deployment.sha = sha;
  event.deployment.id = changes.id ?? 1001;
  event.deployment.environment = changes.environment ?? "production";
  if (changes.ref !== undefined) event.deployment.ref = changes.ref;
  if (changes.payload !== undefined) event.deployment.payload = changes.payload;
  return event;
}

function originWith(files: Files = {}) {
  const marker = join(tmp.path, "deployed");
  return {
    marker,
    repo: createRepo(tmp.path, "origin", {
      "script/deploy": script(`printf '%s %s %s' "$SHA" "$DEPLOY_ENV" "$BRANCH" > '${marker}'\necho "deployed $SHA"`),
      ".github/heaven.yml": "environments:\n  production:\n    environment_url: https://app.example.com\n  staging:\n",
      ...files,
    }),
  };
}

function statusesPath(id = 1001) {
  return `/repos/${OWNER}/${REPO}/deployments/${id}/statuses`;
}

async function receive(event: object, id = "delivery-1") {
  await app.probot.receive({ id, name: "deployment", payload: event } as never);
}

describe("a deployment event", () => {
  it("deploys a green commit and posts in_progress then success, within the call budget", async () => {
    const { repo, marker } = originWith();
    const { scope, calls } = githubScope();
    scope
      .get(CONFIG_PATH)
      .reply(200, readFileSync(join(repo.dir, ".github/heaven.yml"), "utf8"))
      .get(RECORDS_PATH)
      .query(true)
      .reply(200, [])
      .get(`/repos/${OWNER}/${REPO}/commits/${repo.sha}/status`)
      .query(true)
      .reply(200, { state: "success", total_count: 1, statuses: [{ context: "ci/jenkins", state: "success" }] })
      .get(`/repos/${OWNER}/${REPO}/commits/${repo.sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ name: "test", status: "completed", conclusion: "success" }] })
      .post(statusesPath())
      .times(2)
      .reply(201, {});

    await receive(deploymentEvent(repo, repo.sha));
    await app.idle();

    expect(readFileSync(marker, "utf8")).toBe(`${repo.sha} production master`);
    const statuses = statusBodies(calls);
    expect(statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(statuses[0]).toMatchObject({ environment_url: "https://app.example.com", log_url: expect.stringMatching(/^https:\/\/heaven\.example\.com\/logs\/Codertocat\/Hello-World\/1001\?sig=[0-9a-f]{64}$/) });
    expect(statuses[1]).toMatchObject({ description: expect.stringMatching(/^script\/deploy succeeded in \d+ s$/), environment_url: "https://app.example.com" });
    // Budget: one config read, the lock check, the CI check (statuses + check runs), two writes.
    const spent = repoCalls(calls);
    expect(spent).toHaveLength(6);
    expect(spent.filter((c) => c.method !== "GET")).toHaveLength(2);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("refuses a commit whose CI is red, naming the failed contexts, and runs nothing", async () => {
    const { repo, marker } = originWith();
    const { scope, calls } = githubScope();
    scope
      .get(CONFIG_PATH)
      .reply(404)
      .get(`/repos/${OWNER}/.github/contents/.github%2Fheaven.yml`)
      .reply(404)
      .get(RECORDS_PATH)
      .query(true)
      .reply(200, [])
      .get(`/repos/${OWNER}/${REPO}/commits/${repo.sha}/status`)
      .query(true)
      .reply(200, { state: "failure", total_count: 1, statuses: [{ context: "ci/jenkins", state: "failure" }] })
      .get(`/repos/${OWNER}/${REPO}/commits/${repo.sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 2, check_runs: [{ name: "lint", status: "completed", conclusion: "failure" }, { name: "test", status: "completed", conclusion: "success" }] })
      .post(statusesPath())
      .reply(201, {});

    await receive(deploymentEvent(repo, repo.sha));
    await app.idle();

    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "failure", description: `CI failed on ${repo.sha.slice(0, 7)}: ci/jenkins, lint; fix it, or deploy with force` }),
    ]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("waits with a pending status while CI is still running, and runs nothing yet", async () => {
    const { repo, marker } = originWith();
    const { scope, calls, next } = githubScope();
    scope
      .get(CONFIG_PATH)
      .reply(200, "required_contexts: [test, ci/deploy-check]\n")
      .get(RECORDS_PATH)
      .query(true)
      .reply(200, [])
      .get(`/repos/${OWNER}/${REPO}/commits/${repo.sha}/status`)
      .query(true)
      .reply(200, { state: "pending", total_count: 0, statuses: [] })
      .get(`/repos/${OWNER}/${REPO}/commits/${repo.sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ name: "test", status: "in_progress", conclusion: null }] })
      .post(statusesPath())
      .reply(201, {});

    await receive(deploymentEvent(repo, repo.sha));
    // The deployment parks (no final status); the pending status is written after the webhook is answered.
    await next((c) => c.path === statusesPath());
    await app.idle();

    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "pending", description: `waiting for CI on ${repo.sha.slice(0, 7)}: test, ci/deploy-check` }),
    ]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("skips the CI check when the deployment is forced", async () => {
    const { repo, marker } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "").get(RECORDS_PATH).query(true).reply(200, []).post(statusesPath()).times(2).reply(201, {});

    await receive(deploymentEvent(repo, repo.sha, { payload: { force: true } }));
    await app.idle();

    expect(readFileSync(marker, "utf8")).toContain(repo.sha);
    expect(statusBodies(calls).map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(calls.some((c) => c.path.includes("/commits/"))).toBe(false);
  });

  it("posts an error status naming the key when .github/heaven.yml is invalid", async () => {
    const { repo, marker } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "timeout: five minutes\n").post(statusesPath()).reply(201, {});

    await receive(deploymentEvent(repo, repo.sha));
    await app.idle();

    expect(existsSync(marker)).toBe(false);
    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "error", description: expect.stringMatching(/^\.github\/heaven\.yml: timeout: /) }),
    ]);
  });

  it("posts an error status when .github/heaven.yml is not YAML", async () => {
    const { repo } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "environments: [production\n").post(statusesPath()).reply(201, {});

    await receive(deploymentEvent(repo, repo.sha));
    await app.idle();

    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "error", description: expect.stringMatching(/^\.github\/heaven\.yml is not valid YAML: /) }),
    ]);
  });

  it("posts an error status for an environment the configuration does not know", async () => {
    const { repo } = originWith();
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "environments:\n  production:\n").post(statusesPath()).reply(201, {});

    await receive(deploymentEvent(repo, repo.sha, { environment: "prod" }));
    await app.idle();

    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "error", description: 'environment "prod" is not in .github/heaven.yml (configured: production)' }),
    ]);
  });

  it("honours hubot-deploy's payload.config where the repository's file is silent", async () => {
    const { repo } = originWith({
      "script/other": script(`echo other; exit 4`),
      ".github/heaven.yml": "",
    });
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "").get(RECORDS_PATH).query(true).reply(200, []).post(statusesPath()).times(2).reply(201, {});

    await receive(deploymentEvent(repo, repo.sha, { payload: { force: true, config: { provider: "shell", script: "script/other" } } }));
    await app.idle();

    expect(statusBodies(calls).at(-1)).toMatchObject({ state: "failure", description: 'script/other exited 4: "other"' });
  });

  it("reports a failing script as failure with its exit code and last line", async () => {
    const { repo } = originWith({ "script/deploy": script(`echo "running migrations"\necho "migration failed" >&2\nexit 3`) });
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "required_contexts: []\n").get(RECORDS_PATH).query(true).reply(200, []).post(statusesPath()).times(2).reply(201, {});

    await receive(deploymentEvent(repo, repo.sha));
    await app.idle();

    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([
      ["in_progress", `deploying master (${repo.sha.slice(0, 7)}) to production`],
      ["failure", 'script/deploy exited 3: "migration failed"'],
    ]);
  });

  it("queues a second deployment to a busy environment and says so", async () => {
    const { repo } = originWith({ "script/deploy": script(`echo "$DEPLOYMENT_ID" >> '${join(tmp.path, "order")}'\n[ "$DEPLOYMENT_ID" = 1 ] && read line < '${join(tmp.path, "gate")}'\nexit 0`) });
    const { execFileSync } = await import("node:child_process");
    execFileSync("mkfifo", [join(tmp.path, "gate")]);
    const { scope, calls, next } = githubScope();
    scope.get(CONFIG_PATH).times(2).reply(200, "required_contexts: []\n").get(RECORDS_PATH).query(true).times(2).reply(200, []).post(/\/deployments\/[12]\/statuses/).times(5).reply(201, {});

    await receive(deploymentEvent(repo, repo.sha, { id: 1 }), "d1");
    await next((c) => c.path.endsWith("/deployments/1/statuses") && c.body?.state === "in_progress");
    await receive(deploymentEvent(repo, repo.sha, { id: 2 }), "d2");
    const queued = await next((c) => c.path.endsWith("/deployments/2/statuses"));
    // Opening a FIFO blocks until the script reads it: off the event loop, please.
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(tmp.path, "gate"), "go\n");
    await app.idle();

    expect(queued.body).toMatchObject({ state: "queued", description: "waiting for deployment 1 (master to production)" });
    const second = calls.filter((c) => c.path.endsWith("/deployments/2/statuses")).map((c) => c.body?.state);
    expect(second).toEqual(["queued", "in_progress", "success"]);
    expect(readFileSync(join(tmp.path, "order"), "utf8")).toBe("1\n2\n");
  });

  it("runs a redelivered deployment only once", async () => {
    const { repo } = originWith({ "script/deploy": script(`echo run >> '${join(tmp.path, "runs")}'`) });
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "required_contexts: []\n").get(RECORDS_PATH).query(true).reply(200, []).post(statusesPath()).times(2).reply(201, {});

    const event = deploymentEvent(repo, repo.sha);
    await receive(event, "same-delivery");
    await receive(event, "same-delivery");
    await app.idle();

    expect(readFileSync(join(tmp.path, "runs"), "utf8")).toBe("run\n");
    expect(statusBodies(calls)).toHaveLength(2);
  });

  it("answers a deployment without a sha with an error status instead of crashing", async () => {
    const { repo } = originWith();
    const { scope, calls, next } = githubScope();
    scope.post(statusesPath()).reply(201, {});

    const event = deploymentEvent(repo, repo.sha);
    delete event.deployment.sha;
    await receive(event);
    // The webhook is answered before the status is written: wait for the write itself.
    await next((call) => call.path === statusesPath());

    expect(statusBodies(calls)).toEqual([
      expect.objectContaining({ state: "error", description: "heaven cannot read this deployment: the deployment has no sha" }),
    ]);
  });

  it("posts an error status for a sha that is not in the repository", async () => {
    const { repo } = originWith();
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const { scope, calls } = githubScope();
    scope.get(CONFIG_PATH).reply(200, "required_contexts: []\n").get(RECORDS_PATH).query(true).reply(200, []).post(statusesPath()).times(2).reply(201, {});

    await receive(deploymentEvent(repo, missing));
    await app.idle();

    expect(statusBodies(calls).at(-1)).toMatchObject({ state: "error", description: "commit 0123456 is not in Codertocat/Hello-World; was it force-pushed away?" });
  });
});

describe("when GitHub fails", () => {
  it("retries a final status that got a 502 so it is not lost, after asking GitHub whether the 502 landed anyway", async () => {
    await app.close();
    app = await testApp({ dataDir: join(tmp.path, "data-retry"), retry: true });
    const { repo } = originWith();
    const { scope, calls } = githubScope();
    scope
      .get(CONFIG_PATH)
      .reply(200, "required_contexts: []\n")
      .get(RECORDS_PATH)
      .query(true)
      .reply(200, [])
      .post(statusesPath())
      .reply(201, {})
      .post(statusesPath())
      .reply(502, { message: "Server Error" })
      // A 502 can hide a write that landed: the outbox looks before it posts a final status again.
      .get(statusesPath())
      .query(true)
      .reply(200, [{ id: 1, state: "in_progress", description: "deploying" }])
      .post(statusesPath())
      .reply(201, {});

    await receive(deploymentEvent(repo, repo.sha));
    await app.idle();

    expect(statusBodies(calls).map((s) => s.state)).toEqual(["in_progress", "success", "success"]);
    expect(calls.filter((call) => call.method === "GET" && call.path.startsWith(statusesPath()))).toHaveLength(1);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("keeps going after a deployment whose configuration read failed with a 500", async () => {
    const { repo, marker } = originWith();
    const { scope, calls } = githubScope();
    scope
      .get(CONFIG_PATH)
      .reply(500, { message: "boom" })
      .post(statusesPath(7))
      .reply(201, {})
      .get(CONFIG_PATH)
      .reply(200, "required_contexts: []\n")
      // Each deployment reads its environment's records while its configuration is read.
      .get(RECORDS_PATH)
      .query(true)
      .times(2)
      .reply(200, [])
      .post(statusesPath(8))
      .times(2)
      .reply(201, {});

    await receive(deploymentEvent(repo, repo.sha, { id: 7 }), "d7");
    await app.idle();
    await receive(deploymentEvent(repo, repo.sha, { id: 8 }), "d8");
    await app.idle();

    expect(statusBodies(calls).map((s) => [s.state, s.description])).toEqual([
      ["error", "could not read .github/heaven.yml: GitHub answered HTTP 500 (boom); deploy again"],
      ["in_progress", expect.any(String)],
      ["success", expect.any(String)],
    ]);
    expect(readFileSync(marker, "utf8")).toContain(repo.sha);
  });
});
