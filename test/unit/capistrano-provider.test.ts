import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { privateSourceEnv } from "../../providers/bundler-capistrano.js";
import { providers } from "../../providers/index.js";
import type { ProcessProvider, ProviderContext, ProviderStep } from "../../src/core/provider.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";
import { tempDir } from "../helpers/git-repo.js";
import { SHA, providerContext } from "../helpers/provider-fixtures.js";

const PROVIDERS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "providers");
const SSH_DEFAULTS = join(PROVIDERS_DIR, "capistrano", "ssh_defaults.rb");
const BUNDLE = join(PROVIDERS_DIR, "bundler-capistrano", "deployment_bundle.rb");
const HOSTILE = ["$(touch /tmp/x)", "a b;rm -rf /", "-oProxyCommand=x"];

let tmp: ReturnType<typeof tempDir>;
let checkout: string;
beforeAll(() => {
  tmp = tempDir("heaven-capistrano-provider-");
  checkout = join(tmp.path, "checkout");
  mkdirSync(checkout);
  writeFileSync(join(checkout, "Capfile"), 'require "capistrano/setup"\n');
  writeFileSync(join(checkout, "Gemfile"), 'group :deployment do\n  gem "capistrano"\nend\n');
});
afterAll(() => tmp.remove());


function contextOf(provider: string, options: { request?: Partial<DeploymentRequest>; env?: Record<string, string>; file?: Record<string, unknown>; dir?: string } = {}): ProviderContext {
  return providerContext(provider, { ...options, checkoutDir: options.dir ?? checkout, env: { GIT_SSH_COMMAND: "ssh -i /keys/id", ...options.env } });
}

function stepsOf(name: string, options: Parameters<typeof contextOf>[1] = {}): readonly ProviderStep[] {
  const plan = (providers[name] as ProcessProvider).plan(contextOf(name, options));
  if (!plan.ok) throw new Error(plan.message);
  return plan.tracks[0]?.steps ?? [];
}

const argvOf = (step: ProviderStep | undefined) => [step?.spec.file, ...(step?.spec.args ?? [])];

describe("the capistrano provider", () => {
  it("runs cap <environment> <task> in the checkout with heaven's ssh defaults required first", () => {
    const [step, ...more] = stepsOf("capistrano");
    expect(more).toEqual([]);
    expect(argvOf(step)).toEqual(["cap", "--require", SSH_DEFAULTS, "production", "deploy"]);
    expect(step).toMatchObject({ name: "cap production deploy", install: "apt-get install capistrano", spec: { cwd: checkout } });
    expect(existsSync(SSH_DEFAULTS)).toBe(true);
  });

  it("passes Heaven's task as the cap task", () => {
    expect(argvOf(stepsOf("capistrano", { request: { task: "deploy:migrate", environment: "staging" } })[0]).slice(-2)).toEqual(["staging", "deploy:migrate"]);
  });

  it("hands BRANCH, SHA, the key and the known hosts to cap through the environment only", () => {
    const [step] = stepsOf("capistrano", { request: { ref: HOSTILE[0] } });
    expect(step?.spec.env).toMatchObject({ BRANCH: HOSTILE[0], SHA, DEPLOY_ENV: "production", DEPLOY_SSH_KEY_FILE: "/keys/id", DEPLOY_KNOWN_HOSTS_FILE: "/keys/known_hosts", GIT_SSH_COMMAND: "ssh -i /keys/id" });
    expect(step?.spec.args.join(" ")).not.toContain(HOSTILE[0]);
  });

  it("turns hubot's host filter into a Capistrano HOSTS pattern of names equal to or starting with an entry", () => {
    const [step] = stepsOf("capistrano", { request: { hosts: ["fe", "deploy@db1.example.com"] } });
    expect(step?.spec.env.HOSTS).toBe("^(?:fe|db1\\.example\\.com)");
    expect(new RegExp(step?.spec.env.HOSTS ?? "").test("fe2.example.com")).toBe(true);
    expect(new RegExp(step?.spec.env.HOSTS ?? "").test("db10example.com")).toBe(false);
    expect(stepsOf("capistrano")[0]?.spec.env.HOSTS).toBeUndefined();
  });

  it("refuses an environment that cap would read as an option, a VAR=value or several words", () => {
    for (const environment of [...HOSTILE, "RUBYOPT=-rpwn"]) {
      const plan = (providers.capistrano as ProcessProvider).plan(contextOf("capistrano", { request: { environment } }));
      expect(plan).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be a Capistrano stage; use letters, digits, - _ \./) });
    }
  });

  it("refuses a checkout without a Capfile, saying what to add", () => {
    const empty = join(tmp.path, "no-capfile");
    mkdirSync(empty);
    expect((providers.capistrano as ProcessProvider).plan(contextOf("capistrano", { dir: empty }))).toEqual({
      ok: false,
      message: "cap needs a Capfile at the repository's root, and there is none at this commit; add one (cap install writes it)",
    });
  });

  it("takes no options of its own", () => {
    const resolved = resolveConfig({ file: { provider: "capistrano", environments: { production: { command: "cap x" } } }, payloadConfig: undefined, environment: "production", providers, defaultTimeoutSeconds: 300 });
    expect(resolved).toMatchObject({ ok: false, error: expect.stringContaining("environments.production.command: not an option of provider capistrano") });
  });
});

describe("the bundler_capistrano provider", () => {
  it("installs the deployment groups, then runs cap from the bundle, both through heaven's deployment_bundle.rb", () => {
    const steps = stepsOf("bundler_capistrano");
    expect(steps.map((step) => [step.name, ...argvOf(step)])).toEqual([
      ["bundle install", "ruby", BUNDLE, "install"],
      ["bundle exec cap production deploy", "ruby", BUNDLE, "exec", "cap", "--require", SSH_DEFAULTS, "production", "deploy"],
    ]);
    expect(steps.every((step) => step.install === "apt-get install ruby-bundler" && step.spec.cwd === checkout)).toBe(true);
    expect(steps[1]?.spec.env).toMatchObject({ SHA, BRANCH: "main", DEPLOY_SSH_KEY_FILE: "/keys/id" });
    expect((providers.bundler_capistrano as ProcessProvider).describe(contextOf("bundler_capistrano"))).toBe("bundle exec cap production deploy");
  });

  it("gives a private source's credentials to Bundler as BUNDLE_<HOST>, in no argument", () => {
    const env = { BUNDLER_PRIVATE_SOURCE: "https://gems.my-co.example.com/private", BUNDLER_PRIVATE_CREDENTIALS: "user:s3cret" };
    const steps = stepsOf("bundler_capistrano", { env, file: { secrets: ["BUNDLER_PRIVATE_CREDENTIALS"] } });
    for (const step of steps) {
      expect(step.spec.env.BUNDLE_GEMS__MY___CO__EXAMPLE__COM).toBe("user:s3cret");
      expect(step.spec.env.BUNDLER_PRIVATE_CREDENTIALS).toBeUndefined();
      expect(step.spec.args.join(" ")).not.toContain("s3cret");
    }
    expect(privateSourceEnv({ BUNDLER_PRIVATE_SOURCE: "gems.example.com", BUNDLER_PRIVATE_CREDENTIALS: "t0ken" }, {})).toEqual({ ok: true, env: { BUNDLE_GEMS__EXAMPLE__COM: "t0ken" } });
    expect(privateSourceEnv({ BUNDLER_PRIVATE_SOURCE: "https://gems.example.com" }, {})).toEqual({ ok: true, env: {} });
  });

  it("is Bundler's own name for the credentials", () => {
    const script = 'require "uri"; require "bundler"; print Bundler.settings.credentials_for(URI("https://gems.my-co.example.com/private"))';
    const out = execFileSync("ruby", ["-e", script], { cwd: checkout, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: tmp.path, BUNDLE_GEMS__MY___CO__EXAMPLE__COM: "user:s3cret" } });
    expect(out).toBe("user:s3cret");
  });

  it("refuses credentials written in the file, credentials without a source, and a source that is no URL", () => {
    expect(privateSourceEnv({ BUNDLER_PRIVATE_SOURCE: "https://gems.example.com", BUNDLER_PRIVATE_CREDENTIALS: "x" }, { BUNDLER_PRIVATE_CREDENTIALS: "x" })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^BUNDLER_PRIVATE_CREDENTIALS must not be written in \.github\/heaven\.yml; .*HEAVEN_SECRETS/),
    });
    expect(privateSourceEnv({ BUNDLER_PRIVATE_CREDENTIALS: "x" }, {})).toMatchObject({ ok: false, message: expect.stringMatching(/BUNDLER_PRIVATE_SOURCE is not; set it/) });
    expect(privateSourceEnv({ BUNDLER_PRIVATE_SOURCE: "https://", BUNDLER_PRIVATE_CREDENTIALS: "x" }, {})).toMatchObject({ ok: false, message: expect.stringMatching(/must be a gem source's URL or host name/) });
  });

  it("refuses a checkout without a Gemfile or a Capfile", () => {
    const onlyCapfile = join(tmp.path, "only-capfile");
    mkdirSync(onlyCapfile);
    writeFileSync(join(onlyCapfile, "Capfile"), "");
    expect((providers.bundler_capistrano as ProcessProvider).plan(contextOf("bundler_capistrano", { dir: onlyCapfile }))).toMatchObject({ ok: false, message: expect.stringMatching(/needs a Gemfile/) });
    const onlyGemfile = join(tmp.path, "only-gemfile");
    mkdirSync(onlyGemfile);
    writeFileSync(join(onlyGemfile, "Gemfile"), "");
    expect((providers.bundler_capistrano as ProcessProvider).plan(contextOf("bundler_capistrano", { dir: onlyGemfile }))).toMatchObject({ ok: false, message: expect.stringMatching(/^bundler_capistrano needs a Capfile/) });
  });
});

describe("heaven's deployment_bundle.rb", () => {
  const bundle = (dir: string, ...args: string[]) =>
    spawnSync("ruby", [BUNDLE, ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: tmp.path } });

  it("installs and loads only the deployment and heaven groups, writing no .bundle into the checkout", () => {
    const dir = join(tmp.path, "bundled");
    mkdirSync(dir);
    // The default group's gem is not installed anywhere: installing it would fail.
    writeFileSync(join(dir, "Gemfile"), 'gem "heaven-never-installed"\ngroup :deployment do\n  gem "rake"\nend\ngroup :test do\n  gem "minitest"\nend\n');
    const lock = ["GEM", "  specs:", "    heaven-never-installed (1.0.0)", "    minitest (5.15.0)", "    rake (13.0.6)", "", "PLATFORMS", "  ruby", "", "DEPENDENCIES", "  heaven-never-installed", "  minitest", "  rake", ""];
    writeFileSync(join(dir, "Gemfile.lock"), lock.join("\n"));
    const install = bundle(dir, "install", "--local");
    expect(install.status).toBe(0);
    expect(install.stdout).toContain("Gems in the groups 'default' and 'test' were not installed.");
    const loaded = bundle(dir, "exec", "ruby", "-e", "print Gem.loaded_specs.keys.sort.join(' ')");
    expect(loaded.stdout.split(" ")).toEqual(expect.arrayContaining(["rake"]));
    expect(loaded.stdout).not.toMatch(/minitest|heaven-never-installed/);
    expect(existsSync(join(dir, ".bundle"))).toBe(false);
  });

  it("says what to add when the Gemfile has no deployment group", () => {
    const dir = join(tmp.path, "no-group");
    mkdirSync(dir);
    writeFileSync(join(dir, "Gemfile"), 'gem "rake"\n');
    const run = bundle(dir, "install");
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split("\n").at(-1)).toBe('heaven: the Gemfile has no :deployment or :heaven group; put capistrano in one (group :deployment do gem "capistrano" end)');
  });
});
