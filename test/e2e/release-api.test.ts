/**
 * End to end, issue 12 (the release-state API): heaven's real server against
 * the fake GitHub. After two deployments and a lock, what a person holding a
 * GitHub token sees of the repository — and what someone who cannot read it
 * does not — and what a second look within the cache's TTL costs GitHub.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { createProject, type Project } from "../helpers/e2e-project.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { tempDir } from "../helpers/git-repo.js";
import { readJournal, startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const TOKENS = { alice: "ghp_alice0release0api000000000000000000000", bob: "ghp_bob0release0api00000000000000000000000", eve: "ghp_eve0release0api00000000000000000000000" };

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
let project: Project;
let dataDir: string;
let firstSha: string;
let secondSha: string;
const ids: { first: number; second: number; lock: number } = { first: 0, second: 0, lock: 0 };

type Json = Record<string, unknown>;

/** Polls `test` (the journal is a file another process writes) until it holds. */
async function until(test: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const api = (path: string, token?: string) => fetch(`${heaven.url}/api/repos/${project.fullName}/${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-release-api-");
  github = new FakeGitHub({ waitTimeoutMs: 30_000 });
  await github.start();
  for (const [login, token] of Object.entries(TOKENS)) github.userTokens.set(token, login);
  dataDir = join(tmp.path, "data");
  heaven = await startHeaven({ githubHost: github.host, dataDir, env: { DEPLOYMENT_TIMEOUT: "20" } });
  github.deliver = (event, payload) => heaven.webhook(event, payload);
  project = createProject(github, { dir: tmp.path, owner: "heaven-e2e", installationId: 88 }, "release", {
    ".github/heaven.yml": "required_contexts: []\nenvironments:\n  production:\n    auto_deploy: true\n  staging:\n    required_contexts: [ci/test]\n",
  });
  github.readers.set(project.fullName, new Set(["alice", "bob"]));

  firstSha = project.origin.sha;
  ids.first = await github.createDeployment({ fullName: project.fullName, ref: "main", environment: "production", creator: { login: "alice" } });
  expect((await github.waitForFinalStatus(ids.first)).state).toBe("success");
  secondSha = project.origin.commit({ "CHANGELOG.md": "two\n" }, "second release");
  ids.second = await github.createDeployment({ fullName: project.fullName, ref: "main", environment: "production", creator: { login: "hubot" }, payload: { notify: { user_name: "bob" } } });
  expect((await github.waitForFinalStatus(ids.second)).state).toBe("success");
  ids.lock = await github.createDeployment({ fullName: project.fullName, ref: "main", environment: "production", task: "deploy:lock", description: "release freeze", creator: { login: "carol" } });
  expect((await github.waitForFinalStatus(ids.lock)).state).toBe("success");
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

describe("the release-state API", () => {
  it("shows per environment what is deployed, what was before, the lock and auto-deploy — and a second look within the TTL asks GitHub nothing", async () => {
    const cold = github.requests.length;
    const answer = await api("environments", TOKENS.alice);
    expect(answer.status).toBe(200);
    // What the README says a cold view costs: the token's access and the installation (cached a minute), then the
    // configuration, one list of records, and the statuses of the two deploys it took to find the live one and the one before.
    const repo = `/repos/${project.fullName}`;
    // (Configuration and records are read at once: their order varies.)
    expect(github.requests.slice(cold).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        `GET ${repo}`,
        `GET ${repo}/installation`,
        `GET ${repo}/contents/.github/heaven.yml`,
        `GET ${repo}/deployments`,
        `GET ${repo}/deployments/${ids.second}/statuses`,
        `GET ${repo}/deployments/${ids.first}/statuses`,
      ].sort(),
    );
    const body = (await answer.json()) as { repository: string; environments: Json[] };
    expect(body.repository).toBe(project.fullName);
    const production = body.environments.find((e) => e.name === "production");
    expect(production).toMatchObject({
      deployed: { deploymentId: ids.second, ref: "main", sha: secondSha, by: "bob" },
      previous: { deploymentId: ids.first, ref: "main", sha: firstSha, by: "alice" },
      newest: { deploymentId: ids.second, state: "success", outcome: "success" },
      lock: { owner: "carol", reason: "release freeze", kind: "explicit", expiresAt: null },
      running: null,
      queued: [],
      parked: [],
      autoDeploy: true,
    });
    expect(Date.parse(String((production?.deployed as Json).at))).not.toBeNaN();
    expect(body.environments.find((e) => e.name === "staging")).toMatchObject({ deployed: null, lock: null, autoDeploy: false });

    const before = github.requests.length;
    const again = await api("environments", TOKENS.alice);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { environments: Json[] }).environments).toEqual(body.environments);
    expect(github.requests.slice(before).filter((r) => r.path.startsWith(`/repos/${project.fullName}`))).toEqual([]);

    // Another person: only whether they can read it is asked, with their own token (their rate limit, not the App's).
    const byBob = await api("environments", TOKENS.bob);
    expect(byBob.status).toBe(200);
    const asked = github.requests.slice(before).filter((r) => r.path.startsWith(`/repos/${project.fullName}`));
    expect(asked.map((r) => [r.method, r.path, r.token])).toEqual([["GET", `/repos/${project.fullName}`, TOKENS.bob]]);
  });

  it("lists the history newest first, with outcome, duration and a log link that opens", async () => {
    const answer = await api("deployments?environment=production", TOKENS.alice);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { deployments: Json[]; next: string | null };
    expect(body.deployments.map((d) => [d.deploymentId, d.sha, d.outcome, d.by])).toEqual([
      [ids.second, secondSha, "success", "bob"],
      [ids.first, firstSha, "success", "alice"],
    ]);
    expect(body.next).toBeNull();
    for (const deployment of body.deployments) {
      expect(typeof deployment.durationMs).toBe("number");
      const log = await fetch(String(deployment.logUrl));
      expect(log.status).toBe(200);
    }
    const older = (await (await api(`deployments?environment=production&before=${ids.second}`, TOKENS.alice)).json()) as { deployments: Json[] };
    expect(older.deployments.map((d) => d.deploymentId)).toEqual([ids.first]);
  });

  it("answers 404 to a person who cannot read the repository, as for one that does not exist", async () => {
    const hidden = await api("environments", TOKENS.eve);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain("deployed");
    expect((await api("deployments", TOKENS.eve)).status).toBe(404);
    const missing = await fetch(`${heaven.url}/api/repos/heaven-e2e/no-such-repo/environments`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
    expect(missing.status).toBe(404);
  });

  it("answers 401 without a token, or with one GitHub does not know", async () => {
    const bare = await api("environments");
    expect(bare.status).toBe(401);
    expect(bare.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await api("deployments", "ghp_notatokengithubknows00000000000000000")).status).toBe(401);
  });

  it("shows a deployment parked on CI with the checks it waits for, from heaven's queue", async () => {
    const id = await github.createDeployment({ fullName: project.fullName, ref: "main", environment: "staging", creator: { login: "alice" } });
    await github.waitForStatus(id, "pending");
    // The queue marks it parked once its journal says so, which may be just after GitHub heard.
    await until(() => readJournal(dataDir).live.get(`github:deployment:${id}`)?.state === "parked", "the deployment parked in the journal");
    const body = (await (await api("environments", TOKENS.bob)).json()) as { environments: Json[] };
    expect(body.environments.find((e) => e.name === "staging")).toMatchObject({
      running: null,
      queued: [],
      parked: [{ deploymentId: String(id), ref: "main", sha: secondSha, by: "alice", waitingFor: ["ci/test"] }],
    });
  });
});
