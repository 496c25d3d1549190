import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRepo, script, tempDir, type GitRepo } from "../helpers/git-repo.js";
import { isDead } from "../helpers/process-state.js";

const projectDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(projectDir, "bin", "heaven.js");

const HEAVEN_YML = `environments:
  production:
    script: script/deploy
  broken:
    script: script/fail
  slow:
    script: script/slow
`;

let root: { path: string; remove: () => void };
let origin: GitRepo & { sha: string };
let featureSha: string;

beforeAll(() => {
  // `npm test` builds first; build here only when run on a fresh checkout.
  if (!existsSync(join(projectDir, "lib", "src", "cli", "heaven.js"))) {
    execFileSync("npx", ["tsc", "-p", "."], { cwd: projectDir, stdio: "inherit" });
  }
  root = tempDir("heaven-cli-");
  origin = createRepo(root.path, "origin", {
    ".github/heaven.yml": HEAVEN_YML,
    VERSION: "1.0\n",
    "script/deploy": script(
      'echo "deploying $BRANCH ($SHA) to $DEPLOY_ENV: $(cat VERSION)"\necho "task $DEPLOY_TASK by $DEPLOYMENT_ID"',
    ),
    "script/fail": script('echo "running migrations"\necho "migration failed" >&2\nexit 3'),
    // A long deploy with a child of its own, as real ones have (a build, an ssh session).
    "script/slow": script('sleep 1000 &\necho $! > "$PID_FILE"\necho "slow deploy started"\nwait'),
  });
  origin.git("checkout", "--quiet", "-b", "feature");
  featureSha = origin.commit({ VERSION: "2.0-feature\n" }, "feature work");
  origin.git("checkout", "--quiet", "main");
});

afterAll(() => {
  root.remove();
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  dataDir: string;
}

let runs = 0;

/** Runs `bin/heaven.js` as a child process with its own data directory. */
function heaven(args: string[], env: Record<string, string> = {}, cwd = root.path): Promise<CliRun> {
  runs += 1;
  const dataDir = join(root.path, `data-${runs}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root.path, HEAVEN_DATA_DIR: dataDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, dataDir }));
  });
}

describe("heaven deploy", () => {
  it("deploys the default branch, streams the script's output and exits 0", async () => {
    const { code, stdout, stderr } = await heaven(["deploy", origin.dir, "production"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain(`deploying main (${origin.sha}) to production: 1.0`);
    expect(stdout).toMatch(/task deploy by local-\d{14}-[0-9a-f]{6}/);
    expect(stdout).toMatch(/heaven: success: script\/deploy succeeded in \d+ s/);
  });

  it("keeps the deployment's log in the data directory", async () => {
    const { code, dataDir } = await heaven(["deploy", origin.dir, "production"]);
    expect(code).toBe(0);
    const logs = join(dataDir, "logs", "local", "origin");
    const [file, ...more] = readdirSync(logs);
    expect(more).toEqual([]);
    expect(readFileSync(join(logs, file ?? ""), "utf8")).toContain("deploying main");
    expect(existsSync(join(dataDir, "checkouts")) ? readdirSync(join(dataDir, "checkouts")) : []).toEqual([]);
  });

  it("deploys the branch given as ref", async () => {
    const { code, stdout } = await heaven(["deploy", origin.dir, "production", "feature", "--task", "migrate"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`deploying feature (${featureSha}) to production: 2.0-feature`);
    expect(stdout).toContain("task deploy:migrate by");
  });

  it("deploys from a file:// URL", async () => {
    const { code, stdout } = await heaven(["deploy", `file://${origin.dir}`, "production"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`deploying main (${origin.sha}) to production: 1.0`);
  });

  it("exits 1 when the script fails, quoting its last line", async () => {
    const { code, stdout } = await heaven(["deploy", origin.dir, "broken"]);
    expect(code).toBe(1);
    expect(stdout).toContain("migration failed");
    expect(stdout).toContain('heaven: failure: script/fail exited 3: "migration failed"');
  });

  it("exits 2 for an environment the configuration does not name", async () => {
    const { code, stdout } = await heaven(["deploy", origin.dir, "mars"]);
    expect(code).toBe(2);
    expect(stdout).toContain('environment "mars" is not in .github/heaven.yml (configured: production, broken, slow)');
  });

  it("exits 2 for a ref that is not in the repository, running nothing it names", async () => {
    const ref = `$(touch ${root.path}/pwned)`;
    const { code, stderr } = await heaven(["deploy", origin.dir, "production", ref]);
    expect(code).toBe(2);
    expect(stderr).toContain(`heaven: error: "${ref}" is not a branch, tag or commit of ${origin.dir}`);
    expect(existsSync(join(root.path, "pwned"))).toBe(false);
  });

  it("exits 2 when the repository cannot be fetched", async () => {
    const { code, stderr } = await heaven(["deploy", join(root.path, "nowhere.git"), "production"]);
    expect(code).toBe(2);
    expect(stderr).toContain("heaven: error: could not fetch");
  });

  it("exits 2 with a message when a setting is invalid", async () => {
    const { code, stderr } = await heaven(["deploy", origin.dir, "production"], { DEPLOYMENT_TIMEOUT: "soon" });
    expect(code).toBe(2);
    expect(stderr).toContain('DEPLOYMENT_TIMEOUT must be a whole number from 1 to 86400, got "soon"');
  });

  it("stops the deploy on Ctrl-C: its process group is killed, its checkout removed, and heaven exits 130 saying what was left where", async () => {
    const dataDir = join(root.path, "data-ctrl-c");
    const pidFile = join(root.path, "slow.pid");
    // Like a terminal: heaven leads its own process group, and Ctrl-C sends SIGINT to that whole group.
    const child = spawn(process.execPath, [bin, "deploy", origin.dir, "slow"], {
      cwd: root.path,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root.path, HEAVEN_DATA_DIR: dataDir, PID_FILE: pidFile, HEAVEN_PASS_ENV: "PID_FILE" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("slow deploy started")) resolve();
      }),
    );
    const sleeper = Number(readFileSync(pidFile, "utf8"));
    process.kill(-(child.pid as number), "SIGINT");

    expect(await exited).toBe(130);
    expect(isDead(sleeper)).toBe(true);
    expect(existsSync(join(dataDir, "checkouts")) ? readdirSync(join(dataDir, "checkouts")) : []).toEqual([]);
    expect(stderr).toMatch(/^heaven: SIGINT: the deployment was stopped \(its processes killed, its checkout removed\); slow may be partly deployed: deploy again\. The log is \/.*\.log$/m);
    expect(stdout).toContain("heaven: error: stopped by an interrupt (Ctrl-C) before it finished; deploy again");
  });

  it("reads its settings from ./.env, and names a bad one", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const cwd = mkdtempSync(join(root.path, "dotenv-"));
    writeFileSync(join(cwd, ".env"), "# the box's settings\nDEPLOYMENT_TIMEOUT=1\n");
    const timedOut = await heaven(["deploy", origin.dir, "slow"], { PID_FILE: join(cwd, "pid"), HEAVEN_PASS_ENV: "PID_FILE" }, cwd);
    expect(timedOut.code).toBe(2);
    expect(timedOut.stdout).toContain("heaven: error: timed out after 1 s; process group killed");

    writeFileSync(join(cwd, ".env"), "HEAVEN_CONCURRENCY=lots\n");
    const bad = await heaven(["deploy", origin.dir, "production"], {}, cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('HEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "lots"');
  });

  describe("usage", () => {
    it.each([
      ["no arguments", []],
      ["an unknown command", ["destroy", "repo", "production"]],
      ["a missing environment", ["deploy", "repo"]],
      ["too many arguments", ["deploy", "repo", "production", "main", "extra"]],
      ["an unknown option", ["deploy", "repo", "production", "--frobnicate"]],
    ])("exits 2 and prints usage for %s", async (_what, args) => {
      const { code, stdout, stderr } = await heaven(args as string[]);
      expect(code).toBe(2);
      expect(stderr).toContain("usage: heaven deploy <repository path or clone URL> <environment> [ref]");
      expect(stdout).toBe("");
    });

    it("prints usage and exits 0 for --help", async () => {
      const { code, stdout } = await heaven(["--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain("usage: heaven deploy");
    });
  });
});
