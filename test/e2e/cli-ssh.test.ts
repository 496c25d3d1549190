/**
 * hades' way, over ssh: no GitHub, no server. apps.yml names an app with the
 * ssh provider; `heaven deploy web staging` from a terminal moves the hosts'
 * checkouts (a real sshd on 127.0.0.1) to the sha, with the key and known
 * hosts from heaven's environment, and `--hosts` narrows the hosts as
 * hubot-deploy's host filter does.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, tempDir } from "../helpers/git-repo.js";
import { ensureBuilt, runHeaven } from "../helpers/heaven-cli.js";
import { cloneServerDir, knownHostsFor, oneLineKey, type ServerDir } from "../helpers/ssh-target.js";
import { startSshd, type Sshd } from "../helpers/sshd.js";

let root: ReturnType<typeof tempDir>;
let sshd: Sshd;
let server: ServerDir;
let sha: string;
const restarts = () => join(root.path, "restarts");

beforeAll(async () => {
  ensureBuilt();
  root = tempDir("heaven-cli-ssh-");
  sshd = await startSshd(join(root.path, "sshd"));
  const origin = createRepo(root.path, "web", { "README.md": "v1\n" });
  server = cloneServerDir(origin, join(root.path, "web-server"));
  sha = origin.commit({ "README.md": "v2\n" });
  writeFileSync(
    join(root.path, "apps.yml"),
    [
      "web:",
      "  repository: web",
      "  provider: ssh",
      // Both "hosts" are this machine sharing one checkout: one at a time.
      "  parallel: 1",
      `  hosts: ["${sshd.user}@127.0.0.1:${sshd.port}", "localhost:${sshd.port}"]`,
      `  user: ${sshd.user}`,
      `  deploy_to: ${server.path}`,
      `  restart: echo "restarted $(git rev-parse HEAD)" | tee -a '${restarts()}'`,
      "  environments: [staging]",
      "",
    ].join("\n"),
  );
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  root?.remove();
});

const heaven = (args: string[]) =>
  runHeaven(args, {
    cwd: root.path,
    home: root.path,
    env: { HEAVEN_DATA_DIR: join(root.path, "data"), DEPLOYMENT_PRIVATE_KEY: oneLineKey(sshd), HEAVEN_KNOWN_HOSTS: knownHostsFor(sshd, ["127.0.0.1", "localhost"]) },
  });

describe("heaven deploy <app> with the ssh provider, from apps.yml", () => {
  it("moves every host's checkout to the sha and restarts there, each host's lines prefixed; --hosts narrows to one", async () => {
    const narrowed = await heaven(["deploy", "web", "staging", "--hosts", "localhost"]);
    expect({ code: narrowed.code, stderr: narrowed.stderr }).toEqual({ code: 0, stderr: "" });
    expect(server.head()).toBe(sha);
    expect(readFileSync(restarts(), "utf8")).toBe(`restarted ${sha}\n`);
    expect(narrowed.stdout).toContain(`localhost:${sshd.port} | restarted ${sha}`);
    expect(narrowed.stdout).not.toContain(`127.0.0.1:${sshd.port} |`);

    const all = await heaven(["deploy", "web", "staging"]);
    expect({ code: all.code, stderr: all.stderr }).toEqual({ code: 0, stderr: "" });
    expect(readFileSync(restarts(), "utf8")).toBe(`restarted ${sha}\n`.repeat(3));
    for (const host of [`${sshd.user}@127.0.0.1:${sshd.port}`, `localhost:${sshd.port}`]) expect(all.stdout).toContain(`${host} | restarted ${sha}`);
    expect(server.status()).toBe("");
    // The key reached ssh through a private file, never the terminal.
    expect(all.stdout).not.toContain("PRIVATE KEY");
  });

  it("fails with exit 1 and names the host when the known hosts do not match, changing nothing", async () => {
    const before = readFileSync(restarts(), "utf8");
    const refused = await runHeaven(["deploy", "web", "staging"], {
      cwd: root.path,
      home: root.path,
      env: { HEAVEN_DATA_DIR: join(root.path, "data"), DEPLOYMENT_PRIVATE_KEY: oneLineKey(sshd), HEAVEN_KNOWN_HOSTS: sshd.wrongKnownHosts },
    });
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect(readFileSync(restarts(), "utf8")).toBe(before);
  });
});
