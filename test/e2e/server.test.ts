/**
 * End to end: heaven's real server process (`node lib/src/main.js`) against
 * a fake GitHub on 127.0.0.1, real git repositories on disk as clone_url,
 * and signed webhooks over HTTP. What a team would check by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, script, tempDir, type Files } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";
import { isDead } from "../helpers/process-state.js";

const FULL_NAME = "Codertocat/Hello-World";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
let nextId = 500;

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-");
  github = new FakeGitHub();
  await github.start();
  heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "data"), env: { DEPLOYMENT_TIMEOUT: "20" } });
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

/** A fresh origin repository with the given files, and the real example deployment event for it. */
function scenario(name: string, files: Files, deployment: { ref?: string; environment?: string; payload?: unknown } = {}) {
  const origin = createRepo(tmp.path, name, files);
  // The example event's repository says its default branch is master; so does the origin's.
  origin.git("branch", "-m", "master");
  github.addRepo(FULL_NAME, { dir: origin.dir, defaultBranch: "master" });
  const id = nextId++;
  const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
  event.repository.clone_url = `file://${origin.dir}`;
  Object.assign(event.deployment, { id, sha: origin.sha, environment: deployment.environment ?? "production", payload: deployment.payload ?? {} });
  if (deployment.ref !== undefined) event.deployment.ref = deployment.ref;
  return { origin, id, event, out: (file: string) => join(tmp.path, `${name}-${file}`) };
}

function setCi(sha: string, statuses: Array<{ context: string; state: string }>, checkRuns: Array<{ name: string; status: string; conclusion: string | null }> = []) {
  github.repo(FULL_NAME).statuses.set(sha, statuses);
  github.repo(FULL_NAME).checkRuns.set(sha, checkRuns);
}

describe("heaven's server", () => {
  it("deploys a green commit at the right sha, posts in_progress then success, and serves the log", async () => {
    github.repo(FULL_NAME).config = "environments:\n  production:\n    environment_url: https://hello.example.com\n";
    const s = scenario("happy", {
      "script/deploy": script(`pwd > "$OUT"; printf '%s\\n' "$SHA" "$BRANCH" "$DEPLOY_ENV" "$DEPLOY_TASK" "$DEPLOYMENT_ID" "$REPOSITORY" > "$OUT"\necho "shipping $SHA"`.replace(/\$OUT/g, join(tmp.path, "happy-env"))),
    });
    setCi(s.origin.sha, [{ context: "ci/jenkins", state: "success" }], [{ name: "test", status: "completed", conclusion: "success" }]);

    const answer = await heaven.webhook("deployment", s.event);
    expect(answer.status).toBeLessThan(300);
    const final = await github.waitForFinalStatus(s.id);

    expect(readFileSync(s.out("env"), "utf8").trim().split("\n")).toEqual([s.origin.sha, "master", "production", "deploy", String(s.id), FULL_NAME]);
    expect(github.statusesOf(s.id).map((st) => st.state)).toEqual(["in_progress", "success"]);
    expect(final).toMatchObject({ environment_url: "https://hello.example.com", description: expect.stringMatching(/^script\/deploy succeeded in \d+ s$/) });

    const log = await fetch(final.log_url as string);
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const text = await log.text();
    expect(text).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z shipping ${s.origin.sha}$`, "m"));
    expect(text).not.toContain("ghs_faketoken");

    const forged = (final.log_url as string).replace(/sig=[0-9a-f]{4}/, "sig=0000");
    expect((await fetch(forged)).status).toBe(404);
    const otherDeployment = (final.log_url as string).replace(`/${s.id}?`, `/${s.id + 1000}?`);
    expect((await fetch(otherDeployment)).status).toBe(404);
  });

  it("answers a webhook with a bad signature with 400 and runs nothing", async () => {
    const s = scenario("unsigned", { "script/deploy": script(`touch '${join(tmp.path, "unsigned-ran")}'`) });
    const answer = await heaven.webhook("deployment", s.event, { secret: "not-the-secret" });
    expect(answer.status).toBe(400);
    // A signed deployment sent afterwards finishes; the forged one left no trace by then.
    const later = scenario("after-unsigned", { "script/deploy": script("true") }, { payload: { force: true } });
    await heaven.webhook("deployment", later.event);
    await github.waitForFinalStatus(later.id);
    expect(existsSync(join(tmp.path, "unsigned-ran"))).toBe(false);
    expect(github.statusesOf(s.id)).toEqual([]);
  });

  it("takes webhooks at / as well, where Probot's setup page points a new app, and still checks their signature there", async () => {
    const s = scenario("at-root", { "script/deploy": script("echo deployed from a root webhook") }, { payload: { force: true } });
    expect((await heaven.webhook("deployment", s.event, { path: "/", secret: "not-the-secret" })).status).toBe(400);
    expect((await heaven.webhook("deployment", s.event, { path: "/" })).status).toBeLessThan(300);
    expect(await github.waitForFinalStatus(s.id)).toMatchObject({ state: "success" });
    // GET / stays the status page.
    expect((await fetch(`${heaven.url}/`, { headers: { accept: "application/json" } })).status).toBe(200);
  });

  it("reports a failing script as failure with its exit code and last line", async () => {
    const s = scenario("failing", { "script/deploy": script(`echo "running migrations"\necho "migration failed" >&2\nexit 3`) }, { payload: { force: true } });
    await heaven.webhook("deployment", s.event);
    const final = await github.waitForFinalStatus(s.id);
    expect(final).toMatchObject({ state: "failure", description: 'script/deploy exited 3: "migration failed"' });
  });

  it("kills the whole process group on timeout, grandchildren included, and says so", async () => {
    const pidFile = join(tmp.path, "timeout-grandchild.pid");
    const s = scenario(
      "timeout",
      {
        ".github/heaven.yml": "",
        "script/deploy": script(`sleep 1000 &\necho $! > '${pidFile}'\necho "started the slow part"\nwait`),
      },
      { payload: { force: true, config: { timeout: 1 } } },
    );
    await heaven.webhook("deployment", s.event);
    const final = await github.waitForFinalStatus(s.id);
    expect(final).toMatchObject({ state: "error", description: "timed out after 1 s; process group killed" });
    expect(isDead(Number(readFileSync(pidFile, "utf8")))).toBe(true);
  });

  it("refuses a red commit naming the failed checks, and deploys it when forced", async () => {
    const s = scenario("red", { "script/deploy": script(`echo ran >> '${join(tmp.path, "red-runs")}'`) });
    setCi(s.origin.sha, [{ context: "ci/jenkins", state: "success" }], [{ name: "test", status: "completed", conclusion: "failure" }]);
    await heaven.webhook("deployment", s.event);
    const refused = await github.waitForFinalStatus(s.id);
    expect(refused).toMatchObject({ state: "failure", description: `CI failed on ${s.origin.sha.slice(0, 7)}: test; fix it, or deploy with force` });
    expect(existsSync(join(tmp.path, "red-runs"))).toBe(false);

    const forcedId = nextId++;
    const forced = { ...s.event, deployment: { ...s.event.deployment, id: forcedId, payload: { force: true } } };
    await heaven.webhook("deployment", forced);
    expect(await github.waitForFinalStatus(forcedId)).toMatchObject({ state: "success" });
    expect(readFileSync(join(tmp.path, "red-runs"), "utf8")).toBe("ran\n");
  });

  it("deploys hubot-deploy's deploy! over red CI (GitHub checked at creation), and with ci_gate: heaven says how to let it through", async () => {
    const ran = join(tmp.path, "hubot-red-runs");
    const s = scenario("hubot-red", { "script/deploy": script(`echo ran >> '${ran}'`) });
    setCi(s.origin.sha, [], [{ name: "test", status: "completed", conclusion: "failure" }]);
    // hubot-deploy's machine user, and the payload deploy! sends: nothing in it says "force".
    const hubot = (id: number) => ({
      ...s.event,
      deployment: { ...s.event.deployment, id, creator: { ...s.event.deployment.creator, login: "acme-hubot", type: "User" }, payload: JSON.stringify({ name: "hello", hosts: "", notify: { adapter: "slack", room: "ops", user: "U024BE7LH", user_name: "atmos" }, config: { provider: "shell", repository: FULL_NAME, environments: ["production"] } }) },
    });
    await heaven.webhook("deployment", hubot(s.id));
    expect(await github.waitForFinalStatus(s.id)).toMatchObject({ state: "success" });
    expect(readFileSync(ran, "utf8")).toBe("ran\n");

    github.repo(FULL_NAME).config = "ci_gate: heaven\n";
    try {
      const gated = nextId++;
      await heaven.webhook("deployment", hubot(gated));
      expect(await github.waitForFinalStatus(gated)).toMatchObject({
        state: "failure",
        description: `CI failed on ${s.origin.sha.slice(0, 7)}: test; fix it, or set ci_gate: creation so chat's deploy! passes`,
      });
    } finally {
      github.repo(FULL_NAME).config = undefined;
    }
  });

  it("takes a lock for hubot-deploy's chat user, not its machine user", async () => {
    const s = scenario("hubot-lock", { "script/deploy": script("true") });
    const byHubot = (id: number, task: string) => ({
      ...s.event,
      deployment: { ...s.event.deployment, id, task, environment: "hubot-locks", description: "db work", creator: { ...s.event.deployment.creator, login: "acme-hubot", type: "User" }, payload: JSON.stringify({ notify: { user: "U024BE7LH", user_name: "atmos", room: "ops" } }) },
    });
    await heaven.webhook("deployment", byHubot(s.id, "deploy:lock"));
    expect(await github.waitForFinalStatus(s.id)).toMatchObject({ state: "success", description: "locked by @atmos: db work" });
  });

  it("answers a bad configuration with an error status that says what is wrong", async () => {
    github.repo(FULL_NAME).config = "environments:\n  production:\n    timeout: soon\n";
    try {
      const s = scenario("badconfig", { "script/deploy": script(`touch '${join(tmp.path, "badconfig-ran")}'`) }, { payload: { force: true } });
      await heaven.webhook("deployment", s.event);
      const final = await github.waitForFinalStatus(s.id);
      expect(final.state).toBe("error");
      expect(final.description).toMatch(/^\.github\/heaven\.yml: environments\.production\.timeout: /);
      expect(existsSync(join(tmp.path, "badconfig-ran"))).toBe(false);
    } finally {
      github.repo(FULL_NAME).config = undefined;
    }
  });

  it("runs a deployment exactly as hubot-deploy creates it: apps.json entry in payload.config, payload as a JSON string, no heaven.yml", async () => {
    const ran = join(tmp.path, "hubot-ran");
    const s = scenario("hubot", { "script/ship": script(`printf '%s %s' "$DEPLOY_ENV" "$HOSTS" > '${ran}'`) });
    // hubot-deploy 0.13's payload for `deploy hello/master to production/fe`, with its apps.json entry.
    s.event.deployment.payload = JSON.stringify({
      name: "hello",
      hosts: "fe",
      yubikey: null,
      notify: { adapter: "slack", room: "ops", user: "atmos", user_name: "atmos" },
      config: {
        provider: "shell",
        repository: FULL_NAME,
        environments: ["production", "staging"],
        deploy_script: "script/ship",
        production_url: "https://hello.example.com",
        required_contexts: [],
        allowed_rooms: ["ops"],
        auto_merge: false,
      },
    }) as unknown as typeof s.event.deployment.payload;
    await heaven.webhook("deployment", s.event);
    const final = await github.waitForFinalStatus(s.id);
    expect(final).toMatchObject({ state: "success", environment_url: "https://hello.example.com", description: expect.stringMatching(/^script\/ship succeeded/) });
    expect(readFileSync(ran, "utf8")).toBe("production fe");
  });

  it("treats an injection-shaped ref as a strange name", async () => {
    const pwned = join(tmp.path, "pwned");
    const ref = `$(touch ${pwned})`;
    const s = scenario("injection", { "script/deploy": script(`printf '%s' "$BRANCH" > '${join(tmp.path, "injection-branch")}'`) }, { ref, payload: { force: true } });
    await heaven.webhook("deployment", s.event);
    expect(await github.waitForFinalStatus(s.id)).toMatchObject({ state: "success" });
    expect(readFileSync(join(tmp.path, "injection-branch"), "utf8")).toBe(ref);
    expect(existsSync(pwned)).toBe(false);
  });

  it("reports a missing script and an unreachable clone URL as errors, and keeps serving", async () => {
    const missing = scenario("noscript", { "README.md": "no deploy script here" }, { payload: { force: true } });
    await heaven.webhook("deployment", missing.event);
    expect(await github.waitForFinalStatus(missing.id)).toMatchObject({
      state: "error",
      description: "script/deploy does not exist at this commit; add it or set script in .github/heaven.yml",
    });

    const gone = scenario("gone", { "script/deploy": script("true") }, { payload: { force: true } });
    gone.event.repository.clone_url = `file://${join(tmp.path, "no-such-repository")}`;
    await heaven.webhook("deployment", gone.event);
    const final = await github.waitForFinalStatus(gone.id);
    expect(final.state).toBe("error");
    expect(final.description).toMatch(/^could not fetch file:\/\/.*no-such-repository: /);
  });

  it("delivers the final status through 502s, once, in order", async () => {
    const s = scenario("flaky-github", { "script/deploy": script("echo ok") }, { payload: { force: true } });
    github.fail("POST", new RegExp(`/deployments/${s.id}/statuses$`), 502, 2);
    await heaven.webhook("deployment", s.event);
    const final = await github.waitForFinalStatus(s.id);
    expect(final.state).toBe("success");
    // in_progress may have been dropped while it waited for its retry: the final status supersedes it.
    const delivered = github.statusesOf(s.id).map((st) => st.state);
    expect([["success"], ["in_progress", "success"]]).toContainEqual(delivered);
    const attempts = github.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/deployments/${s.id}/statuses`));
    expect(attempts.length).toBe(delivered.length + 2);
  });

  it("spends one config read, one read of the environment's deployments (locks), the CI check and at most two writes on a happy deployment", async () => {
    const s = scenario("budget", { "script/deploy": script("echo ok") });
    github.repo(FULL_NAME).config = "required_contexts: [test]\n";
    setCi(s.origin.sha, [], [{ name: "test", status: "completed", conclusion: "success" }]);
    const before = github.requests.length;
    await heaven.webhook("deployment", s.event);
    await github.waitForFinalStatus(s.id);
    const spent = github.requests.slice(before).filter((r) => r.path.startsWith("/repos/"));
    const reads = spent.filter((r) => r.method === "GET");
    expect(reads.map((r) => `${r.method} ${r.path.replace(s.origin.sha, "SHA")}`).sort()).toEqual(
      [
        `GET /repos/${FULL_NAME}/commits/SHA/check-runs`,
        `GET /repos/${FULL_NAME}/commits/SHA/status`,
        `GET /repos/${FULL_NAME}/contents/.github/heaven.yml`,
        `GET /repos/${FULL_NAME}/deployments`,
      ].sort(),
    );
    // in_progress goes out when the installation's writes allow it before the deployment ends; the final status always.
    const writes = spent.filter((r) => r.method !== "GET");
    expect(writes.every((r) => r.path === `/repos/${FULL_NAME}/deployments/${s.id}/statuses`)).toBe(true);
    expect(writes.map((r) => r.body?.state)).toEqual(writes.length === 2 ? ["in_progress", "success"] : ["success"]);
    // The lock check reads this environment's records, in one page.
    expect(spent.find((r) => r.path.endsWith("/deployments"))?.query).toMatchObject({ environment: "production", per_page: "100" });
  });
});
