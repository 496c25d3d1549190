/**
 * End to end, issue 11 ("with GitHub"): the command line's GitHub mode,
 * driven through real subprocesses of bin/heaven.js, against the fake GitHub
 * with heaven's real server running. The command line creates and reads
 * records as the person whose token it has; the server does the work.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { createProject, type Project } from "../helpers/e2e-project.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { tempDir } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const BIN = join(process.cwd(), "bin", "heaven.js");
const TOKENS = { alice: "ghp_alicealicealicealicealicealicealice00", bob: "ghp_bobbobbobbobbobbobbobbobbobbobbobbob00" };

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
let project: Project;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `heaven <args>` as `who`, in a directory that is no checkout (so -R decides). */
function cli(who: keyof typeof TOKENS, args: string[]): Promise<Run> {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp.path, GH_TOKEN: TOKENS[who], HEAVEN_GITHUB_API_URL: `http://${github.host}/api/v3`, HEAVEN_WAIT_INTERVAL_MS: "100", HEAVEN_DATA_DIR: join(tmp.path, `cli-${who}`) };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: tmp.path, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : null;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-cli-github-");
  github = new FakeGitHub({ waitTimeoutMs: 30_000 });
  await github.start();
  for (const [login, token] of Object.entries(TOKENS)) github.userTokens.set(token, login);
  heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "data"), env: { DEPLOYMENT_TIMEOUT: "20" } });
  github.deliver = (event, payload) => heaven.webhook(event, payload);
  project = createProject(github, { dir: tmp.path, owner: "heaven-e2e", installationId: 77 }, "cli", {
    ".github/heaven.yml": "required_contexts: []\nenvironments:\n  production: null\n  staging: null\n",
  });
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

describe("heaven's command line against GitHub", () => {
  it("lock shows in wcid, refuses another's deploy --wait, unlock frees it, and deploy --wait succeeds printing the log link", async () => {
    const repo = project.fullName;
    const locked = await cli("alice", ["lock", "-R", repo, "production", "--reason", "db work", "--wait"]);
    expect(locked).toMatchObject({ code: 0 });
    expect(locked.stdout).toMatch(/success: locked by @alice: db work/);
    const [lockRecord] = github.deploymentsOf(repo);
    expect(lockRecord).toMatchObject({ task: "deploy:lock", ref: "main", environment: "production", creator: { login: "alice", type: "User" }, payload: { notify: { user: "alice" }, reason: "db work" } });

    const wcid = await cli("bob", ["wcid", "-R", repo]);
    expect(wcid.code).toBe(0);
    expect(wcid.stdout).toMatch(/^production\s+—\s+—\s+—\s+locked by @alice: db work\s+—$/m);
    const json = JSON.parse((await cli("bob", ["wcid", "-R", repo, "--json"])).stdout) as { environments: Array<{ name: string; lock?: { owner: string } }> };
    expect(json.environments.find((e) => e.name === "production")?.lock?.owner).toBe("alice");

    const refused = await cli("bob", ["deploy", "-R", repo, "production", "--wait"]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/^error: .*@alice/m);
    expect(project.runs()).toEqual([]);

    const unlocked = await cli("bob", ["unlock", "-R", repo, "production", "--wait"]);
    expect(unlocked).toMatchObject({ code: 0 });
    expect(unlocked.stdout).toMatch(/success: unlocked by @bob/);

    const shipped = await cli("bob", ["deploy", "-R", repo, "production", "--wait"]);
    expect(shipped.stderr).toBe("");
    expect(shipped.code).toBe(0);
    // The outbox may coalesce in_progress away when the deploy is quick: only the final status is certain.
    expect(shipped.stdout).toMatch(/^success: script\/deploy succeeded/m);
    const logUrl = /^ {2}log: (\S+)$/m.exec(shipped.stdout)?.[1] ?? "";
    expect((await fetch(logUrl)).status).toBe(200);
    expect(project.runs()).toEqual([`${project.origin.sha} production main`]);

    const after = await cli("alice", ["wcid", "-R", repo]);
    expect(after.stdout).toMatch(new RegExp(`^production\\s+main ${project.origin.sha.slice(0, 7)}\\s+\\S+ \\S+ UTC\\s+@bob\\s+free\\s+—$`, "m"));
    const deploys = await cli("alice", ["deploys", "-R", repo, "production"]);
    expect(deploys.stdout.split("\n").filter((line) => /@bob/.test(line)).map((line) => line.trim().split(/\s+/).at(-1))).toEqual(["success", "error"]);
  });

  it("says what to set when there is no token, and exits 2", async () => {
    const run = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [BIN, "wcid", "-R", project.fullName], { cwd: tmp.path, env: { PATH: "/nonexistent", HOME: tmp.path, HEAVEN_GITHUB_API_URL: `http://${github.host}/api/v3` } }, (error, stdout, stderr) =>
        resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
      );
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("set GH_TOKEN or GITHUB_TOKEN, or log in with gh auth login");
  });
});
