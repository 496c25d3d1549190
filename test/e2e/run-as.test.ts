/**
 * End to end, as root (CI runs as root): with HEAVEN_RUN_AS, a deploy
 * script runs as its own system user and cannot read what heaven holds —
 * heaven's environment (the App's key, the webhook secret), `.env`, the
 * App's key file, heaven's data — while its checkout is its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { appPrivateKey } from "../helpers/app-credentials.js";
import { createProject } from "../helpers/e2e-project.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { script, tempDir } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

if (process.getuid?.() !== 0) throw new Error("run-as.test.ts creates a system user: run it as root (CI does)");

const user = `hv${randomBytes(3).toString("hex")}`;
let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
let home: string;
let serverDir: string;

beforeAll(async () => {
  tmp = tempDir("heaven-runas-");
  chmodSync(tmp.path, 0o755); // the user's home is below it
  home = join(tmp.path, "home");
  execFileSync("useradd", ["--system", "--create-home", "--home-dir", home, "--shell", "/bin/sh", user]);
  serverDir = join(tmp.path, "server");
  mkdirSync(serverDir, { mode: 0o755 });
  // As Probot's registration leaves them: readable by everyone.
  writeFileSync(join(serverDir, "app.pem"), appPrivateKey(), { mode: 0o644 });
  writeFileSync(join(serverDir, ".env"), `PRIVATE_KEY_PATH=${join(serverDir, "app.pem")}\nHEAVEN_RUN_AS=${user}\n`, { mode: 0o644 });
  github = new FakeGitHub();
  await github.start();
  heaven = await startHeaven({ githubHost: github.host, dataDir: join(serverDir, "data"), cwd: serverDir, env: { PRIVATE_KEY: "" } });
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  execFileSync("userdel", ["--remove", user], { stdio: "ignore" });
  tmp?.remove();
});

describe("HEAVEN_RUN_AS", () => {
  it("runs the script as that user, in a checkout it owns, unable to read heaven's secrets", async () => {
    const data = join(serverDir, "data");
    const targets = ["/proc/$PPID/environ", join(serverDir, ".env"), join(serverDir, "app.pem"), join(data, "log-secret"), join(data, "journal.jsonl")];
    const probe = [
      'out="$HOME/probe.txt"',
      'id -un > "$out"',
      'test -O . && echo "owns checkout" >> "$out"',
      ...targets.map((file) => `if cat "${file}" >/dev/null 2>&1; then echo "READ ${file}" >> "$out"; else echo "denied ${file}" >> "$out"; fi`),
    ].join("\n");
    const project = createProject(github, { dir: tmp.path, owner: "Codertocat", installationId: 1 }, "runas", { "script/deploy": script(probe) });
    const event = webhookExample("deployment", (e) => e.installation !== undefined);
    event.repository.clone_url = `file://${project.origin.dir}`;
    Object.assign(event.deployment, { id: 9101, sha: project.origin.sha, ref: "main", environment: "production", payload: {} });
    Object.assign(event.repository, { full_name: project.fullName, name: "runas", default_branch: "main" });
    event.repository.owner.login = "Codertocat";

    expect((await heaven.webhook("deployment", event)).status).toBeLessThan(300);
    const final = await github.waitForFinalStatus(9101);
    expect(final.state).toBe("success");

    const lines = readFileSync(join(home, "probe.txt"), "utf8").trim().split("\n");
    expect(lines[0]).toBe(user);
    expect(lines).toContain("owns checkout");
    expect(lines.filter((line) => line.startsWith("READ"))).toEqual([]);
    expect(lines.filter((line) => line.startsWith("denied"))).toHaveLength(targets.length);
    // heaven said what it changed, and the files stay usable by heaven itself.
    expect(heaven.output()).toContain(".env was readable by other users; heaven made it private");
    expect(statSync(join(serverDir, ".env")).mode & 0o077).toBe(0);
    expect(statSync(join(serverDir, "app.pem")).mode & 0o077).toBe(0);
  });
});
