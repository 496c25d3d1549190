import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, script, tempDir, type GitRepo } from "../helpers/git-repo.js";
import { ensureBuilt, heavenBin as bin, projectDir, runHeaven, type CliRun } from "../helpers/heaven-cli.js";
import { isDead } from "../helpers/process-state.js";

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
  ensureBuilt();
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

let runs = 0;

/** Runs `bin/heaven.js` as a child process with its own data directory. */
async function heaven(args: string[], env: Record<string, string> = {}, cwd = root.path): Promise<CliRun & { dataDir: string }> {
  runs += 1;
  const dataDir = join(root.path, `data-${runs}`);
  return { ...(await runHeaven(args, { cwd, home: root.path, env: { HEAVEN_DATA_DIR: dataDir, ...env } })), dataDir };
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
    const { code, stderr } = await heaven(["deploy", `file://${join(root.path, "nowhere.git")}`, "production"]);
    expect(code).toBe(2);
    expect(stderr).toContain("heaven: error: could not fetch");
  });

  it("exits 2 for a path that does not exist, saying what it looked for", async () => {
    const missing = join(root.path, "nowhere.git");
    const { code, stderr } = await heaven(["deploy", missing, "production"]);
    expect(code).toBe(2);
    expect(stderr).toContain(`heaven: error: "${missing}" is not an app (no ./apps.yml or ./apps.json in ${root.path}), an existing path or a clone URL`);
    expect(stderr).toContain("or a GitHub repository with -R owner/repo");
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
      ["no arguments", [], "Usage: heaven [options] [command]"],
      ["an unknown command", ["destroy", "repo", "production"], "error: unknown command 'destroy'"],
      ["a missing environment", ["deploy", "repo"], 'heaven: error: "repo" is not an app'],
      ["too many arguments", ["deploy", "repo", "production", "main", "extra"], "error: too many arguments for 'deploy'. Expected 3 arguments but got 4."],
      ["an unknown option", ["deploy", "repo", "production", "--frobnicate"], "error: unknown option '--frobnicate'"],
    ])("exits 2 and says what is wrong for %s", async (_what, args, message) => {
      const { code, stdout, stderr } = await heaven(args as string[]);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(stdout).toBe("");
    });

    it("prints the commands and the exit statuses, and exits 0, for --help", async () => {
      const { code, stdout } = await heaven(["--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain("Usage: heaven [options] [command]");
      expect(stdout).toMatch(/^  deploy \[options\] <app\|path\|url\|environment> \[environment\] \[ref\]/m);
      expect(stdout).toContain("130  interrupted (Ctrl-C, SIGTERM, SIGHUP)");
    });

    it("prints one command's usage for help deploy", async () => {
      const { code, stdout } = await heaven(["help", "deploy"]);
      expect(code).toBe(0);
      expect(stdout).toContain("Usage: heaven deploy [options] <app|path|url> <environment> [ref]");
      expect(stdout).toContain("--dry-run");
      expect(stdout).toContain("Exit status:");
    });

    it("prints its version", async () => {
      const { version } = JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as { version: string };
      const { code, stdout } = await heaven(["--version"]);
      expect({ code, stdout }).toEqual({ code: 0, stdout: `${version}\n` });
    });
  });
});
