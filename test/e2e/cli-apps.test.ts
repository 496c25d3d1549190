/**
 * The command line with no GitHub at all (hades): apps.yml names the apps,
 * `heaven deploy <app> <env>` deploys a real repository with the shell
 * provider, `--dry-run` runs nothing, `heaven logs <id>` prints the log again.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, script, tempDir, type GitRepo } from "../helpers/git-repo.js";
import { ensureBuilt, heavenBin, runHeaven } from "../helpers/heaven-cli.js";

let root: { path: string; remove: () => void };
let bare: GitRepo & { sha: string };
let configured: GitRepo & { sha: string };
const marker = () => join(root.path, "deployed.marker");

beforeAll(() => {
  ensureBuilt();
  root = tempDir("heaven-cli-apps-");
  // No .github/heaven.yml: apps.yml alone configures it, as hades did.
  bare = createRepo(root.path, "hubot", {
    "bin/ship": script('echo "shipping $BRANCH to $DEPLOY_ENV hosts=${HOSTS:-all} with $DEPLOY_TASK"\ntouch "$MARKER"'),
  });
  // Prints a line, then waits for the test to say go: a deployment still running.
  createRepo(root.path, "slow", {
    "bin/ship": script('echo "first half"\nwhile [ ! -e "$MARKER.go" ]; do sleep 0.05; done\necho "second half"'),
  });
  // Its own heaven.yml wins over the app's entry.
  configured = createRepo(root.path, "api", {
    ".github/heaven.yml": "environments:\n  staging:\n    script: script/own\n",
    "script/own": script('echo "the repository\'s own script"'),
  });
  writeFileSync(
    join(root.path, "apps.yml"),
    [
      "hubot:",
      "  repository: hubot",
      "  script: bin/ship",
      "  env: { MARKER_DIR: here }",
      "  environments: [staging, production]",
      "api:",
      `  repository: ${configured.dir}`,
      "  script: bin/never",
      "broken:",
      "  repository: hubot",
      "  timeout: soon",
      "slow:",
      "  repository: slow",
      "  script: bin/ship",
      "",
    ].join("\n"),
  );
});

afterAll(() => root.remove());

const dataDir = () => join(root.path, "data");
/** MARKER reaches the script through HEAVEN_PASS_ENV, as an operator passes a variable. */
const cliEnv = () => ({ HEAVEN_DATA_DIR: dataDir(), MARKER: marker(), HEAVEN_PASS_ENV: "MARKER" });
const heaven = (args: string[]) => runHeaven(args, { cwd: root.path, home: root.path, env: cliEnv() });

/** A command line left running, its output read as it comes. */
function started(args: string[]) {
  const child = spawn(process.execPath, [heavenBin, ...args], { cwd: root.path, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root.path, ...cliEnv() }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const printed = async (pattern: RegExp): Promise<RegExpExecArray> => {
    for (;;) {
      const match = pattern.exec(stdout);
      if (match !== null) return match;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { printed, exited, stdout: () => stdout };
}

describe("heaven deploy <app> from apps.yml", () => {
  it("prints the configuration and the exact command for --dry-run, and runs nothing", async () => {
    const { code, stdout, stderr } = await heaven(["deploy", "hubot", "staging", "--dry-run", "--hosts", "fe"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain(`dry run: nothing will run. local/hubot main (${bare.sha}) to staging, task deploy, hosts fe`);
    expect(stdout).toContain(`configuration (${join(root.path, "apps.yml")}: app "hubot"):`);
    expect(stdout).toContain('  script: "bin/ship"');
    expect(stdout).toContain("   $ <checkout>/bin/ship");
    expect(stdout).toMatch(/environment: .*DEPLOY_ENV.*HOSTS.*MARKER_DIR/);
    expect(existsSync(marker())).toBe(false);
  });

  it("deploys the app's repository with the shell provider, names the deployment and its log, and logs prints it again", async () => {
    const copy = join(root.path, "copy.log");
    const deployed = await heaven(["deploy", "hubot", "staging", "--hosts", "fe", "--task", "migrate", "--log", copy]);
    expect({ code: deployed.code, stderr: deployed.stderr }).toEqual({ code: 0, stderr: "" });
    expect(deployed.stdout).toContain("shipping main to staging hosts=fe with deploy:migrate");
    expect(existsSync(marker())).toBe(true);
    const id = /heaven: deployment (local-\d{14}-[0-9a-f]{6})\n/.exec(deployed.stdout)?.[1] ?? "";
    const log = join(dataDir(), "logs", "local", "hubot", `${id}.log`);
    expect(deployed.stdout).toContain(`heaven: log: ${log} (copied to ${copy})`);
    expect(deployed.stdout).toContain(`heaven logs ${id} prints it again`);
    expect(readFileSync(copy, "utf8")).toBe(readFileSync(log, "utf8"));

    const again = await heaven(["logs", id]);
    expect({ code: again.code, stdout: again.stdout }).toEqual({ code: 0, stdout: readFileSync(log, "utf8") });
    expect(again.stdout).toContain("shipping main to staging hosts=fe");

    // A finished log: --follow prints it and ends with it.
    const followed = await heaven(["logs", id, "--follow"]);
    expect({ code: followed.code, stdout: followed.stdout }).toEqual({ code: 0, stdout: readFileSync(log, "utf8") });

    const list = await heaven(["logs"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  local/hubot  success: bin/ship succeeded in \\d+ s$`, "m"));
  });

  it("lets the repository's own .github/heaven.yml decide over the app's entry", async () => {
    const { code, stdout } = await heaven(["deploy", "api", "staging"]);
    expect(code).toBe(0);
    expect(stdout).toContain("the repository's own script");
  });

  it("lists the known apps for an unknown one, and the app's environments for an unknown environment", async () => {
    const app = await heaven(["deploy", "hubbot", "staging"]);
    expect(app.code).toBe(2);
    expect(app.stderr).toContain(`heaven: error: "hubbot" is not an app (apps in ${join(root.path, "apps.yml")}: hubot, api, broken, slow)`);
    const environment = await heaven(["deploy", "hubot", "mars"]);
    expect(environment.code).toBe(2);
    expect(environment.stderr).toContain(`heaven: error: app "hubot" has no environment "mars" in ${join(root.path, "apps.yml")} (known: staging, production)`);
  });

  it("names the app and the key of a bad setting in apps.yml", async () => {
    const { code, stderr } = await heaven(["deploy", "broken", "production"]);
    expect(code).toBe(2);
    expect(stderr).toContain(`heaven: error: ${join(root.path, "apps.yml")}: app "broken": timeout:`);
  });

  it("refuses the local-only --dry-run in GitHub mode", async () => {
    const { code, stderr } = await heaven(["deploy", "-R", "octo/hubot", "production", "--dry-run"]);
    expect(code).toBe(2);
    expect(stderr).toContain("heaven: error: --dry-run only works in the local mode");
  });

  it("follows a running deployment's log with logs --follow, from its first line to its last, and ends with it", async () => {
    const deploying = started(["deploy", "slow", "staging"]);
    const id = (await deploying.printed(/heaven: deployment (local-\d{14}-[0-9a-f]{6})\n/))[1] ?? "";
    await deploying.printed(/first half/);
    const following = started(["logs", id, "--follow"]);
    await following.printed(/first half/);
    expect(following.stdout()).not.toContain("second half");
    writeFileSync(`${marker()}.go`, "");
    expect(await following.exited).toBe(0);
    expect(await deploying.exited).toBe(0);
    expect(following.stdout()).toMatch(/second half\n(.*\n)*.*heaven: success: bin\/ship succeeded/);
    expect(following.stdout()).toBe(readFileSync(join(dataDir(), "logs", "local", "slow", `${id}.log`), "utf8"));
  });

  it("says so for a log it does not have", async () => {
    const { code, stderr } = await heaven(["logs", "local-00000000000000-000000"]);
    expect(code).toBe(2);
    expect(stderr).toContain('heaven: error: no log of deployment "local-00000000000000-000000"');
  });
});
