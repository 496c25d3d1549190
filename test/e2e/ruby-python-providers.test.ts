/**
 * End to end, the fabric, capistrano and bundler_capistrano providers:
 * heaven's real server process against the fake GitHub, running Debian's
 * fab, cap and bundle over a real sshd on 127.0.0.1 with the key and known
 * hosts an operator gives heaven. The "server" is a directory on this
 * machine: a clone of the origin for the fabfile, Capistrano's deploy_to.
 *
 * Three heavens: one set up right, one whose known hosts hold another key
 * for the server (a changed host key), one whose PATH lacks fab and cap.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createRepo, tempDir, type Files } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";
import { cloneServerDir, oneLineKey, pathWith, type ServerDir } from "../helpers/ssh-target.js";
import { startSshd, type Sshd } from "../helpers/sshd.js";

const OWNER = "heaven-tools";
let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let sshd: Sshd;
let heaven: HeavenProcess;
let wrongKeyHeaven: HeavenProcess;
let toollessHeaven: HeavenProcess;
let nextId = 8100;

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-tools-");
  github = new FakeGitHub({ waitTimeoutMs: 40_000 });
  await github.start();
  sshd = await startSshd(join(tmp.path, "sshd"));
  const start = (name: string, env: Record<string, string>) =>
    startHeaven({ githubHost: github.host, dataDir: join(tmp.path, name), env: { DEPLOYMENT_TIMEOUT: "60", DEPLOYMENT_PRIVATE_KEY: oneLineKey(sshd), ...env } });
  [heaven, wrongKeyHeaven, toollessHeaven] = await Promise.all([
    start("data", { HEAVEN_KNOWN_HOSTS: sshd.knownHosts }),
    start("data-wrong-key", { HEAVEN_KNOWN_HOSTS: sshd.wrongKnownHosts }),
    start("data-toolless", { HEAVEN_KNOWN_HOSTS: sshd.knownHosts, PATH: pathWith(join(tmp.path, "bin"), ["git", "sh", "env", "node", "ruby"]) }),
  ]);
});

afterAll(async () => {
  await Promise.all([heaven, wrongKeyHeaven, toollessHeaven].map((h) => h?.stop()));
  await sshd?.stop();
  await github?.stop();
  tmp?.remove();
});

interface Paths {
  origin: string;
  /** A clone of the origin, one commit behind: what the fabfile moves to the sha. */
  server: ServerDir;
  /** Capistrano's deploy_to (releases/, current, repo/). */
  deployTo: string;
  out: (file: string) => string;
}

/** An origin whose default branch holds `.github/heaven.yml` and the tool's files, one commit ahead of the server clone. */
function scenario(name: string, config: Record<string, unknown>, files: (paths: Paths) => Files) {
  const fullName = `${OWNER}/${name}`;
  const origin = createRepo(tmp.path, name, { "README.md": "v1\n" });
  const paths: Paths = { origin: origin.dir, server: cloneServerDir(origin, join(tmp.path, `${name}-server`)), deployTo: join(tmp.path, `${name}-deploy-to`), out: (file) => join(tmp.path, `${name}-${file}`) };
  const sha = origin.commit({ "README.md": "v2\n", ".github/heaven.yml": JSON.stringify({ merge_default_branch: false, ...config }), ...files(paths) });
  github.addRepo(fullName, { dir: origin.dir });
  return { fullName, sha, ...paths };
}

/** The real deployment webhook for `sha`, sent to `to`; resolves with the final status and the log. */
async function deploy(to: HeavenProcess, target: { fullName: string; sha: string }, ref = "main") {
  const id = nextId++;
  const event = github.forRepository(webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production"), target.fullName);
  Object.assign(event.deployment, { id, sha: target.sha, ref, environment: "production", task: "deploy", payload: { force: true } });
  expect((await to.webhook("deployment", event)).status).toBeLessThan(300);
  const final = await github.waitForFinalStatus(id);
  const log = await (await fetch(final.log_url as string)).text();
  return { final, log };
}

const fabfile = (paths: Paths): Files => ({
  "fabfile.py": [
    "import os",
    "from fabric import task",
    "",
    "@task",
    "def deploy(c, branch_name):",
    `    server = ${JSON.stringify(paths.server.path)}`,
    '    sha = os.environ["SHA"]',
    '    print("fabric: deploying %s at %s to %s" % (branch_name, sha, os.environ["DEPLOY_ENV"]))',
    '    c.run("cd %s && git fetch --quiet origin && git checkout --quiet --detach %s" % (server, sha))',
    `    c.run("echo restarted at $(git -C %s rev-parse HEAD) > %s" % (server, ${JSON.stringify(paths.out("restarted"))}))`,
    "",
  ].join("\n"),
});

/** Capistrano's own git flow (capistrano/deploy + scm/git) into deploy_to, and a restart task after it publishes. */
const capfiles = (paths: Paths): Files => ({
  Capfile: ['require "capistrano/setup"', 'require "capistrano/deploy"', 'require "capistrano/scm/git"', "install_plugin Capistrano::SCM::Git", ""].join("\n"),
  "config/deploy.rb": [
    'set :application, "hello"',
    `set :repo_url, ${JSON.stringify(paths.origin)}`,
    'set :branch, ENV.fetch("SHA")',
    `set :deploy_to, ${JSON.stringify(paths.deployTo)}`,
    "namespace :heaven do",
    "  task :restart do",
    "    on roles(:app) do",
    '      execute "echo restarted at #{fetch(:current_revision)} > #{deploy_to}/restarted"',
    "    end",
    "  end",
    "end",
    'after "deploy:publishing", "heaven:restart"',
    "",
  ].join("\n"),
  "config/deploy/production.rb": `server "127.0.0.1", user: ${JSON.stringify(sshd.user)}, port: ${sshd.port}, roles: %w[app]\n`,
});

/** Capistrano in the :deployment group (ed25519 support with it); the default group's gem is installed nowhere. */
const bundle = (paths: Paths): Files => ({
  ...capfiles(paths),
  Gemfile: ['source "https://rubygems.org"', 'gem "heaven-never-installed"', "group :deployment do", '  gem "capistrano"', '  gem "ed25519"', '  gem "bcrypt_pbkdf"', "end", ""].join("\n"),
  "Gemfile.lock": [
    "GEM", "  remote: https://rubygems.org/", "  specs:",
    "    airbrussh (1.4.1)", "      sshkit (>= 1.6.1, != 1.7.0)", "    bcrypt_pbkdf (1.1.0)",
    "    capistrano (3.17.2)", "      airbrussh (>= 1.0.0)", "      i18n", "      rake (>= 10.0.0)", "      sshkit (>= 1.9.0)",
    "    concurrent-ruby (1.1.6)", "    ed25519 (1.3.0)", "    heaven-never-installed (1.0.0)", "    i18n (1.10.0)", "      concurrent-ruby (~> 1.0)",
    "    net-scp (4.0.0)", "      net-ssh (>= 2.6.5)", "    net-ssh (7.0.1)", "    rake (13.0.6)",
    "    sshkit (1.21.2)", "      net-scp (>= 1.1.2)", "      net-ssh (>= 2.8.0)",
    "", "PLATFORMS", "  x86_64-linux", "", "DEPENDENCIES", "  bcrypt_pbkdf", "  capistrano", "  ed25519", "  heaven-never-installed", "",
  ].join("\n"),
});

const changedKey = () => `host key of \\[127\\.0\\.0\\.1\\]:${sshd.port} differs from HEAVEN_KNOWN_HOSTS`;

describe("the fabric provider", () => {
  const config = () => ({ provider: "fabric", hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`] });

  it("runs the fabfile's deploy task over ssh, which checks the sha out on the server; the ref arrives literally", async () => {
    const pwned = join(tmp.path, "pwned");
    const ref = `$(touch ${pwned}) a b;rm -rf /`;
    const s = scenario("fabric-happy", config(), fabfile);
    const { final, log } = await deploy(heaven, s, ref);

    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(/^fab deploy succeeded in \d+ s$/) });
    expect(s.server.head()).toBe(s.sha);
    expect(readFileSync(s.out("restarted"), "utf8")).toBe(`restarted at ${s.sha}\n`);
    expect(log).toContain(`fabric: deploying ${ref} at ${s.sha} to production`);
    expect(existsSync(pwned)).toBe(false);
  });

  it("refuses a server whose host key is not the known one, saying to update HEAVEN_KNOWN_HOSTS", async () => {
    const s = scenario("fabric-changed-key", config(), fabfile);
    const before = s.server.head();
    const { final, log } = await deploy(wrongKeyHeaven, s);

    expect(final.state).toBe("failure");
    expect(final.description).toMatch(new RegExp(`^fab deploy exited 1: "heaven: ${changedKey()}; update it if the key changed on purpose"$`));
    expect(log).toContain("fabric: deploying main");
    expect(s.server.head()).toBe(before);
    expect(existsSync(s.out("restarted"))).toBe(false);
  });
});

describe("the capistrano provider", () => {
  it("runs cap production deploy with the repository's Capfile: a release of the sha, published and restarted", async () => {
    const s = scenario("cap-happy", { provider: "capistrano" }, capfiles);
    const { final, log } = await deploy(heaven, s);

    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(/^cap production deploy succeeded in \d+ s$/) });
    expect(readFileSync(join(s.deployTo, "current", "REVISION"), "utf8").trim()).toBe(s.sha);
    expect(readFileSync(join(s.deployTo, "current", "README.md"), "utf8")).toBe("v2\n");
    expect(readFileSync(join(s.deployTo, "restarted"), "utf8")).toBe(`restarted at ${s.sha}\n`);
    expect(log).toContain(`git archive ${s.sha}`);
  });

  it("lets a Capfile's own ssh_options win over heaven's defaults, key by key", async () => {
    // Documented behaviour: heaven's ssh_defaults.rb sets SSHKit's defaults; the repository's `set :ssh_options` merges over them.
    const marker = join(tmp.path, "cap-own-options-deployed");
    const s = scenario("cap-own-options", { provider: "capistrano" }, (paths) => ({
      ...capfiles(paths),
      Capfile: [
        'require "capistrano/setup"',
        'require "capistrano/deploy"',
        "set :ssh_options, verify_host_key: :never",
        'Rake::Task["deploy"].clear',
        "task :deploy do",
        `  on(roles(:app)) { execute :touch, ${JSON.stringify(marker)} }`,
        "end",
        "",
      ].join("\n"),
    }));
    const { final } = await deploy(wrongKeyHeaven, s);

    expect(final.state).toBe("success");
    expect(existsSync(marker)).toBe(true);
  });
});

describe("the bundler_capistrano provider", () => {
  it("installs only the deployment group, then deploys with the bundle's cap", async () => {
    const s = scenario("bundler-happy", { provider: "bundler_capistrano" }, bundle);
    const { final, log } = await deploy(heaven, s);

    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(/^bundle exec cap production deploy succeeded in \d+ s$/) });
    expect(log).toContain("Gems in the group 'default' were not installed.");
    expect(readFileSync(join(s.deployTo, "current", "REVISION"), "utf8").trim()).toBe(s.sha);
    expect(readFileSync(join(s.deployTo, "restarted"), "utf8")).toBe(`restarted at ${s.sha}\n`);
  });

  it("refuses a server whose host key is not the known one, naming it in the status", async () => {
    const s = scenario("bundler-changed-key", { provider: "bundler_capistrano" }, bundle);
    const { final, log } = await deploy(wrongKeyHeaven, s);

    expect(final.state).toBe("failure");
    expect(final.description).toMatch(new RegExp(`^bundle exec cap production deploy exited 1: "heaven: ${changedKey()}`));
    expect(log).toContain("Net::SSH::HostKeyMismatch");
    expect(existsSync(join(s.deployTo, "current"))).toBe(false);
  });
});

describe("a heaven without fab and cap", () => {
  it("answers with an error naming the missing tool and its package", async () => {
    const fabric = scenario("toolless-fabric", { provider: "fabric" }, fabfile);
    const cap = scenario("toolless-cap", { provider: "capistrano" }, capfiles);
    const [viaFabric, viaCap] = await Promise.all([deploy(toollessHeaven, fabric), deploy(toollessHeaven, cap)]);

    expect(viaFabric.final).toMatchObject({ state: "error", description: "fab deploy: fab is not installed on the heaven host; install it (apt-get install fabric)" });
    expect(viaCap.final).toMatchObject({ state: "error", description: "cap production deploy: cap is not installed on the heaven host; install it (apt-get install capistrano)" });
  });
});
