/**
 * End to end, the ssh and ansible providers: heaven's real server process
 * against the fake GitHub, deploying over a real sshd on 127.0.0.1 with the
 * key and known hosts an operator gives it (DEPLOYMENT_PRIVATE_KEY on one
 * line, HEAVEN_KNOWN_HOSTS). The "hosts" are this machine: a server
 * directory, a clone of the origin, that the deployment moves to the sha.
 *
 * Three heavens: one set up right, one whose known hosts hold another key
 * for the server (a changed host key), one whose PATH lacks ssh and ansible.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git-repo.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";
import { knownHostsFor, oneLineKey, pathWith, serverDeployments, type ScenarioPaths as Paths } from "../helpers/ssh-target.js";
import { startSshd, type Sshd } from "../helpers/sshd.js";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let sshd: Sshd;
let heaven: HeavenProcess;
let wrongKeyHeaven: HeavenProcess;
let toollessHeaven: HeavenProcess;
let scenario: ReturnType<typeof serverDeployments>["scenario"];
let deploy: ReturnType<typeof serverDeployments>["deploy"];

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-ssh-");
  github = new FakeGitHub({ waitTimeoutMs: 40_000 });
  await github.start();
  ({ scenario, deploy } = serverDeployments(github, tmp.path, "heaven-ssh", 7100));
  sshd = await startSshd(join(tmp.path, "sshd"));
  const start = (name: string, env: Record<string, string>) =>
    startHeaven({ githubHost: github.host, dataDir: join(tmp.path, name), env: { DEPLOYMENT_TIMEOUT: "60", DEPLOYMENT_PRIVATE_KEY: oneLineKey(sshd), ...env } });
  [heaven, wrongKeyHeaven, toollessHeaven] = await Promise.all([
    start("data", { HEAVEN_KNOWN_HOSTS: knownHostsFor(sshd, ["127.0.0.1", "localhost"]) }),
    start("data-wrong-key", { HEAVEN_KNOWN_HOSTS: sshd.wrongKnownHosts }),
    start("data-toolless", { HEAVEN_KNOWN_HOSTS: sshd.knownHosts, PATH: pathWith(join(tmp.path, "bin"), ["git", "sh", "env"]) }),
  ]);
});

afterAll(async () => {
  await Promise.all([heaven, wrongKeyHeaven, toollessHeaven].map((h) => h?.stop()));
  await sshd?.stop();
  await github?.stop();
  tmp?.remove();
});

describe("the ssh provider", () => {
  const hosts = () => [`${sshd.user}@127.0.0.1:${sshd.port}`, `localhost:${sshd.port}`];
  const sshConfig = (paths: Paths, restart: string) => ({
    provider: "ssh",
    // Both "hosts" are this machine and share deploy_to: one at a time, or their gits would race.
    parallel: 1,
    hosts: hosts(),
    user: sshd.user,
    deploy_to: paths.server,
    restart,
  });

  it("fetches and resets every host's checkout to the sha, runs the restart there and prefixes each host's log lines", async () => {
    const s = scenario("ssh-happy", (paths) => sshConfig(paths, `echo "restarted at $(git rev-parse HEAD)" | tee -a '${paths.out("restarts")}'`));
    const { final, log } = await deploy(heaven, s);

    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(/^ssh to 2 hosts succeeded in \d+ s$/) });
    expect(s.server.head()).toBe(s.sha);
    expect(s.server.status()).toBe("");
    expect(readFileSync(join(s.server.path, "README.md"), "utf8")).toBe("v2\n");
    expect(readFileSync(s.out("restarts"), "utf8")).toBe(`restarted at ${s.sha}\nrestarted at ${s.sha}\n`);
    for (const host of hosts()) {
      expect(log).toContain(` ${host} | HEAD is now at ${s.sha.slice(0, 7)}`);
      expect(log).toContain(` ${host} | restarted at ${s.sha}`);
    }
  });

  it("fails on the host whose restart fails, naming the host and the step", async () => {
    // The first host's restart takes the directory; the second one's mkdir fails.
    const s = scenario("ssh-restart-fails", (paths) => sshConfig(paths, `mkdir '${paths.out("taken")}'`));
    const { final } = await deploy(heaven, s);

    expect(final.state).toBe("failure");
    expect(final.description).toMatch(new RegExp(`^localhost:${sshd.port}: restart exited 1: ".*File exists"$`));
    expect(existsSync(s.out("taken"))).toBe(true);
  });

  it("stops at a changed host key before running anything, naming the host, and says to update HEAVEN_KNOWN_HOSTS", async () => {
    const s = scenario("ssh-changed-key", (paths) => ({ ...sshConfig(paths, `touch '${paths.out("restarted")}'`), hosts: [hosts()[0]] }));
    const before = s.server.head();
    const { final, log } = await deploy(wrongKeyHeaven, s);

    expect(final.state).toBe("failure");
    expect(final.description).toBe(`${hosts()[0]}: git fetch exited 255: "Host key verification failed."`);
    expect(log).toContain("REMOTE HOST IDENTIFICATION HAS CHANGED");
    expect(log).toContain("update HEAVEN_KNOWN_HOSTS if the key changed");
    expect(log).not.toContain("running " + `${hosts()[0]}: git reset`);
    expect(s.server.head()).toBe(before);
    expect(existsSync(s.out("restarted"))).toBe(false);
  });

  it("fails naming the host when its sshd is down", async () => {
    const down = await startSshd(join(tmp.path, "sshd-down"));
    await down.stop();
    const host = `${down.user}@127.0.0.1:${down.port}`;
    const s = scenario("ssh-down", (paths) => ({ ...sshConfig(paths, "true"), hosts: [host] }));
    const { final, log } = await deploy(heaven, s);

    expect(final).toMatchObject({ state: "failure", description: `${host}: git fetch exited 255: "ssh: connect to host 127.0.0.1 port ${down.port}: Connection refused"` });
    expect(log).toContain(`${host}: git fetch: ssh could not connect or log in`);
  });

  it("deploys hubot-deploy's `deploy app to production/localhost`: its apps.json entry picks the provider, its host filter narrows the hosts", async () => {
    const s = scenario("ssh-hubot", (paths) => ({ ...sshConfig(paths, `echo restarted >> '${paths.out("restarts")}'`), provider: undefined }));
    const payload = {
      name: "ssh-hubot",
      hosts: "localhost",
      notify: { adapter: "slack", room: "ops", user: "atmos" },
      // Keys that reach a host come from the repository's file only: this entry's are ignored.
      config: { provider: "ssh", repository: s.fullName, environments: ["production"], allowed_rooms: ["ops"], hosts: ["evil.example.com"], deploy_to: "/" },
    };
    const { final, log } = await deploy(heaven, s, { payload });

    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(new RegExp(`^ssh to localhost:${sshd.port} succeeded`)) });
    expect(s.server.head()).toBe(s.sha);
    expect(readFileSync(s.out("restarts"), "utf8")).toBe("restarted\n");
    expect(log).toContain(` localhost:${sshd.port} | HEAD is now at`);
    expect(log).not.toContain(`127.0.0.1:${sshd.port} |`);
    expect(log).not.toContain("evil.example.com");
  });

  it("answers a host filter that matches no configured host with an error listing them", async () => {
    const s = scenario("ssh-no-host", (paths) => sshConfig(paths, "true"));
    const { final } = await deploy(heaven, s, { payload: { hosts: "db" } });
    expect(final).toMatchObject({ state: "error", description: `no host matches db (configured hosts: ${hosts().join(", ")})` });
  });
});

describe("the ansible provider", () => {
  const playbook = (paths: Paths) => ({
    "deploy.yml": [
      "- hosts: all",
      "  gather_facts: false",
      "  tasks:",
      "    - name: check out the deployed sha",
      "      ansible.builtin.git:",
      `        repo: "${paths.origin}"`,
      `        dest: "${paths.server}"`,
      '        version: "{{ heaven_sha }}"',
      "    - name: record what was deployed",
      "      ansible.builtin.copy:",
      `        dest: "${paths.out("{{ inventory_hostname }}")}"`,
      '        content: "{{ heaven_sha }}\\n{{ heaven_ref }}\\n{{ heaven_environment }}\\n{{ heaven_task }}\\n"',
      "",
    ].join("\n"),
    // A repository's ansible.cfg is read; the host key checking it turns off stays on.
    "ansible.cfg": "[defaults]\nhost_key_checking = False\n[ssh_connection]\nssh_args = -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null\npipelining = True\n",
  });
  const target = () => `127.0.0.1:${sshd.port}`;

  it("runs the playbook, which checks the sha out on the host, with the deployment as literal extra vars", async () => {
    const pwned = join(tmp.path, "pwned");
    const ref = `$(touch ${pwned}){{ lookup('pipe', 'touch ${pwned}') }}`;
    const s = scenario("ansible-happy", () => ({ provider: "ansible", playbook: "deploy.yml", inventory: [target()] }), playbook);
    const { final, log } = await deploy(heaven, s, { ref });

    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(/^ansible-playbook deploy\.yml succeeded in \d+ s$/) });
    expect(s.server.head()).toBe(s.sha);
    // One marker per inventory host, which ansible names without the port.
    expect(readFileSync(s.out("127.0.0.1"), "utf8")).toBe(`${s.sha}\n${ref}\nproduction\ndeploy\n`);
    expect(existsSync(pwned)).toBe(false);
    expect(log).toMatch(/PLAY RECAP/);
  });

  it("limits the run to the payload's hosts", async () => {
    const inventory = () => `[web]\nweb1 ansible_host=127.0.0.1 ansible_port=${sshd.port}\n[db]\ndb1 ansible_host=localhost ansible_port=${sshd.port}\n`;
    const s = scenario("ansible-limit", () => ({ provider: "ansible", playbook: "deploy.yml", inventory: "inventory.ini" }), (paths) => ({ ...playbook(paths), "inventory.ini": inventory() }));
    const { final } = await deploy(heaven, s, { payload: { hosts: "web" } });

    expect(final.state).toBe("success");
    expect(readFileSync(s.out("web1"), "utf8")).toBe(`${s.sha}\nmain\nproduction\ndeploy\n`);
    expect(existsSync(s.out("db1"))).toBe(false);
  });

  it("refuses a changed host key even when the repository's ansible.cfg turns checking off", async () => {
    const s = scenario("ansible-changed-key", () => ({ provider: "ansible", playbook: "deploy.yml", inventory: [target()] }), playbook);
    const before = s.server.head();
    const { final, log } = await deploy(wrongKeyHeaven, s);

    expect(final.state).toBe("failure");
    // The play recap's line for the host (inventory names it without the port).
    expect(final.description).toMatch(/^ansible-playbook deploy\.yml exited 4: "127\.0\.0\.1 : ok=0 .*unreachable=1/);
    expect(log).toContain("Host key verification failed");
    expect(log).toContain("update HEAVEN_KNOWN_HOSTS");
    expect(s.server.head()).toBe(before);
    expect(existsSync(s.out("127.0.0.1"))).toBe(false);
  });
});

describe("a heaven without the tools", () => {
  it("answers with an error naming the missing tool and how to install it", async () => {
    const ssh = scenario("toolless-ssh", (paths) => ({ provider: "ssh", hosts: [`127.0.0.1:${sshd.port}`], deploy_to: paths.server }));
    const ansible = scenario("toolless-ansible", () => ({ provider: "ansible", playbook: "deploy.yml", inventory: [`127.0.0.1:${sshd.port}`] }));
    const [viaSsh, viaAnsible] = await Promise.all([deploy(toollessHeaven, ssh), deploy(toollessHeaven, ansible)]);

    expect(viaSsh.final).toMatchObject({
      state: "error",
      description: `127.0.0.1:${sshd.port}: git fetch: ssh is not installed on the heaven host; install it (apt-get install openssh-client)`,
    });
    expect(viaAnsible.final).toMatchObject({
      state: "error",
      description: "ansible-playbook deploy.yml: ansible-playbook is not installed on the heaven host; install it (apt-get install ansible-core)",
    });
  });
});
