/**
 * End to end, the heroku provider: heaven's real server process, the fake
 * GitHub (its tarball links are real archives of the sha) and a fake of
 * Heroku's Platform API on 127.0.0.1 that fetches the source blob, streams
 * the build's output over time, and reports the build's status.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { FakeGitHub } from "../helpers/fake-github.js";
import { FakeHeroku, type FakeBuild } from "../helpers/fake-heroku.js";
import { createRepo, tempDir, type Files } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const OWNER = "heaven-heroku";
const KEY = "e2e-heroku-api-key-5a5a5a5a";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heroku: FakeHeroku;
let heaven: HeavenProcess;

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-heroku-");
  github = new FakeGitHub({ waitTimeoutMs: 30_000 });
  heroku = new FakeHeroku(KEY);
  await Promise.all([github.start(), heroku.start()]);
  heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "data"), env: { HEROKU_API_KEY: KEY, HEROKU_API_URL: heroku.url } });
  github.deliver = (event, payload, guid) => heaven.webhook(event, payload, { delivery: guid });
});

afterAll(async () => {
  await heaven?.stop();
  await Promise.all([github?.stop(), heroku?.stop()]);
  tmp?.remove();
});

/** A repository of its own on the fake GitHub (files make its sha unique), with `.github/heaven.yml` as GitHub serves it. */
function project(name: string, config: string | undefined, files: Files = {}) {
  const fullName = `${OWNER}/${name}`;
  const origin = createRepo(tmp.path, name, { Procfile: "web: node server.js\n", "package.json": `{"name":"${name}"}\n`, ...files });
  github.addRepo(fullName, { dir: origin.dir, defaultBranch: "main" });
  github.repo(fullName).config = config;
  const deploy = (payload: Record<string, unknown> = { force: true }) =>
    github.createDeployment({ fullName, ref: "main", environment: "production", payload, creator: { login: "octocat" } });
  return { fullName, sha: origin.sha, deploy };
}

const buildOf = (sha: string): FakeBuild | undefined => heroku.builds.find((b) => b.sourceBlob.version === sha);

async function logOf(logUrl: string | undefined): Promise<string> {
  const response = await fetch(logUrl as string);
  expect(response.status).toBe(200);
  return response.text();
}

describe("the heroku provider, end to end", () => {
  it("builds the sha from GitHub's tarball link, streams the build's output into the log and names the release", async () => {
    heroku.app("acme-web", { lines: ["-----> Node.js app detected", "-----> Installing dependencies"] });
    const p = project("shipped", "provider: heroku\nheroku_app: acme-web\n");
    const id = await p.deploy();
    const final = await github.waitForFinalStatus(id);

    const build = buildOf(p.sha);
    expect(build?.app).toBe("acme-web");
    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(new RegExp(`^heroku acme-web succeeded in \\d+ s \\(release ${build?.release?.id}\\)$`)) });
    // Heroku was handed the link GitHub answered with, and could download the sha's archive from it.
    expect(build?.sourceBlob.url).toBe(github.tarballs.links.at(-1));
    // Only Heroku downloaded it: heaven took the 302's link without following it.
    expect(github.tarballs.downloads.filter((d) => d.sha === p.sha)).toEqual([{ repository: p.fullName, sha: p.sha, status: 200 }]);
    expect(build?.source?.entries).toEqual([`${OWNER}-shipped-${p.sha.slice(0, 7)}/`, `${OWNER}-shipped-${p.sha.slice(0, 7)}/Procfile`, `${OWNER}-shipped-${p.sha.slice(0, 7)}/package.json`]);

    const text = await logOf(final.log_url);
    for (const line of [
      `-----> Building source version ${p.sha}`,
      `-----> Fetched ${OWNER}-shipped-${p.sha.slice(0, 7)}/: Procfile, package.json`,
      "-----> Node.js app detected",
      "-----> Installing dependencies",
      "-----> Launching...",
    ]) {
      expect(text).toMatch(new RegExp(`^\\S+Z ${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    }
    expect(text).toContain(`heaven: release ${build?.release?.id}`);
    // The key is in no log line, masked or not, and went only to the API, never to the output stream.
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("********");
    const sent = heroku.requests.filter((r) => r.path.includes(build?.id ?? "?") || r.path === "/apps/acme-web/builds");
    expect(sent.filter((r) => r.path.startsWith("/streams/")).map((r) => r.authorization)).toEqual([undefined]);
    expect(sent.filter((r) => r.path.startsWith("/apps/")).every((r) => r.authorization === `Bearer ${KEY}` && r.accept === "application/vnd.heroku+json; version=3")).toBe(true);
  });

  it("reports a failed build as failure, quoting its last line", async () => {
    heroku.app("acme-broken", { outcome: "failed", lines: ["-----> Installing dependencies", "npm ERR! missing script: build"] });
    const p = project("broken", "provider: heroku\nheroku_app: acme-broken\n");
    const final = await github.waitForFinalStatus(await p.deploy());
    expect(final).toMatchObject({ state: "failure", description: `heroku acme-broken failed: build ${buildOf(p.sha)?.id}: "npm ERR! missing script: build"` });
  });

  // Longer than heaven's own first backoff (2 s), so a Retry-After ignored would show.
  it("waits out a 429 for as long as Retry-After says before asking again", async () => {
    heroku.app("acme-busy");
    heroku.rateLimitOnce("POST", /^\/apps\/acme-busy\/builds$/, 3);
    const p = project("busy", "provider: heroku\nheroku_app: acme-busy\n");
    const final = await github.waitForFinalStatus(await p.deploy());
    expect(final.state).toBe("success");
    const creates = heroku.requests.filter((r) => r.method === "POST" && r.path === "/apps/acme-busy/builds");
    expect(creates.map((r) => r.status)).toEqual([429, 201]);
    expect((creates[1]?.at ?? 0) - (creates[0]?.at ?? 0)).toBeGreaterThanOrEqual(3_000);
    expect(await logOf(final.log_url)).toContain("heaven: Heroku's rate limit was reached (429); asking Heroku to create a build again in 3 s");
  });

  it("ends a build stuck pending at the deployment's timeout with an error, and lets go of its output stream", async () => {
    heroku.app("acme-stuck", { outcome: "pending", lines: ["-----> Waiting for a build slot"] });
    const p = project("stuck", "provider: heroku\nheroku_app: acme-stuck\ntimeout: 3\n");
    const final = await github.waitForFinalStatus(await p.deploy());
    expect(final).toMatchObject({ state: "error", description: expect.stringMatching(/^heroku [a-z0-9-]+ timed out after 3 s; heaven stopped waiting/) });
    const build = buildOf(p.sha) as FakeBuild;
    await heroku.waitFor(() => build.streamClosedAt !== undefined, "heaven to close the output stream", 5_000);
    expect(build.status).toBe("pending");
    expect((build.streamClosedAt ?? Infinity) - build.createdAt).toBeLessThan(4_500);
    expect(await logOf(final.log_url)).toContain("-----> Waiting for a build slot");
  });

  it("deploys a hubot-deploy deployment with no heaven.yml to the app its payload names for the environment", async () => {
    heroku.app("acme-web");
    const p = project("from-hubot", undefined, { "server.js": "// hubot\n" });
    const payload = {
      config: {
        provider: "heroku",
        repository: p.fullName,
        environments: ["production", "staging"],
        heroku_production_name: "acme-web",
        required_contexts: [],
        allowed_rooms: ["ops"],
        auto_merge: false,
      },
    };
    const final = await github.waitForFinalStatus(await p.deploy(payload));
    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(/^heroku acme-web succeeded in \d+ s \(release [0-9a-f-]{36}\)$/) });
    expect(buildOf(p.sha)).toMatchObject({ app: "acme-web", status: "succeeded", source: { status: 200 } });
  });
});
