/**
 * End to end: a push to a repository heaven has deployed before fetches the
 * pushed commit into heaven's cache before anyone asks to deploy it, so the
 * deployment that follows starts without talking to git at all. A push to a
 * repository heaven never deployed leaves nothing on disk. The real server
 * against the fake GitHub, which serves git over smart HTTP behind its
 * installation tokens.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createRepo, script, tempDir, type GitRepo } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

let tmp: ReturnType<typeof tempDir>;
let dataDir: string;
let github: FakeGitHub;
let heaven: HeavenProcess;

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-prefetch-");
  dataDir = join(tmp.path, "data");
  github = new FakeGitHub({ waitTimeoutMs: 40_000 });
  await github.start();
  // debug: the prefetch of a push heaven has no cache for says so only there.
  heaven = await startHeaven({ githubHost: github.host, dataDir, env: { LOG_LEVEL: "debug" } });
  github.deliver = (event, payload) => heaven.webhook(event, payload);
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

function pushEvent(fullName: string, sha: string) {
  const event = webhookExample("push", (e) => e.deleted === false && e.installation !== undefined);
  Object.assign(event, { ref: "refs/heads/main", after: sha, deleted: false });
  return github.forRepository(event, fullName);
}

const repoCaches = () => (existsSync(join(dataDir, "repos")) ? readdirSync(join(dataDir, "repos")) : []);
const hasCommit = (cache: string, sha: string) => {
  try {
    execFileSync("git", ["cat-file", "-e", `${sha}^{commit}`], { cwd: join(dataDir, "repos", cache), stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

async function deployMain(fullName: string) {
  const id = await github.createDeployment({ fullName, ref: "main", environment: "production", creator: { login: "alice" } });
  const final = await github.waitForFinalStatus(id);
  expect(final.state).toBe("success");
  const log = await (await fetch(final.log_url ?? "")).text();
  return { id, log };
}

it("fetches a pushed commit of a repository it deployed before, so the next deployment fetches nothing", async () => {
  const origin: GitRepo = createRepo(tmp.path, "pushed", { "script/deploy": script("echo deployed $SHA") });
  github.addRepo("octo/pushed", { dir: origin.dir, defaultBranch: "main", installationId: 7, gitOverHttp: true });
  const first = await deployMain("octo/pushed");
  expect(first.log).toMatch(/fetching [0-9a-f]{7}/);
  const [cache] = repoCaches();
  expect(cache).toBeDefined();

  const sha = origin.commit({ VERSION: "2\n" }, "second release");
  expect(hasCommit(cache as string, sha)).toBe(false);
  const answer = await heaven.webhook("push", pushEvent("octo/pushed", sha));
  expect(answer.status).toBeLessThan(300);
  await heaven.waitForOutput(new RegExp(`"repository":"octo/pushed","sha":"${sha}","result":"fetched"`));
  expect(hasCommit(cache as string, sha)).toBe(true);

  const gitBefore = github.gitRequests.length;
  const second = await deployMain("octo/pushed");
  expect(second.log).toContain(`${sha.slice(0, 7)} is already in the cache; nothing to fetch`);
  expect(second.log).toContain(`deployed ${sha}`);
  expect(github.gitRequests.slice(gitBefore)).toEqual([]);
});

it("leaves nothing on disk for a push to a repository it never deployed", async () => {
  const origin = createRepo(tmp.path, "stranger", { "script/deploy": script("true") });
  github.addRepo("octo/stranger", { dir: origin.dir, defaultBranch: "main", installationId: 7, gitOverHttp: true });
  const before = repoCaches();
  const gitBefore = github.gitRequests.length;
  expect((await heaven.webhook("push", pushEvent("octo/stranger", origin.sha))).status).toBeLessThan(300);
  await heaven.waitForOutput(/"repository":"octo\/stranger","sha":"[0-9a-f]{40}","result":"no cache"/);
  expect(repoCaches()).toEqual(before);
  expect(github.gitRequests.slice(gitBefore).filter((r) => r.repository === "octo/stranger")).toEqual([]);
});
