import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { providers } from "../../providers/index.js";
import type { ProcessProvider, ProviderContext, ProviderStep } from "../../src/core/provider.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";
import { tempDir } from "../helpers/git-repo.js";
import { SHA, providerContext } from "../helpers/provider-fixtures.js";

const SHIM_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "providers", "fabric");
const HEAVEN_FORMAT = "fab -R %{environment} %{task}:branch_name=%{ref}";
const HOSTILE = ["$(touch /tmp/x)", "a b;rm -rf /", "-oProxyCommand=x"];
const provider = providers.fabric as ProcessProvider;

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir("heaven-fabric-provider-");
});
afterAll(() => tmp.remove());


function resolve(production: Record<string, unknown>, environment = "production") {
  return resolveConfig({ file: { environments: { [environment]: { provider: "fabric", ...production } } }, payloadConfig: undefined, environment, providers, defaultTimeoutSeconds: 300 });
}

function contextOf(production: Record<string, unknown>, overrides: Partial<DeploymentRequest> = {}, env: Record<string, string> = {}): ProviderContext {
  return providerContext("fabric", { file: production, request: overrides, env: { DEPLOY_KNOWN_HOSTS_FILE: "/keys/known_hosts", ...env } });
}

function stepsOf(production: Record<string, unknown>, overrides: Partial<DeploymentRequest> = {}, env: Record<string, string> = {}): readonly ProviderStep[] {
  const plan = provider.plan(contextOf(production, overrides, env));
  if (!plan.ok) throw new Error(plan.message);
  expect(plan.tracks).toHaveLength(1);
  return plan.tracks[0]?.steps ?? [];
}

const argvOf = (step: ProviderStep | undefined) => [step?.spec.file, ...(step?.spec.args ?? [])];

describe("the fabric provider", () => {
  it("runs fab with heaven's key, the configured hosts, the task and the ref as --branch-name, in the checkout", () => {
    const [step, ...more] = stepsOf({ hosts: ["deploy@app1.example.com", "app2.example.com:2222"] });
    expect(more).toEqual([]);
    expect(argvOf(step)).toEqual(["fab", "-i", "/keys/id", "-H", "deploy@app1.example.com,app2.example.com:2222", "deploy", "--branch-name=main"]);
    expect(step).toMatchObject({ name: "fab deploy", install: "apt-get install fabric", spec: { cwd: "/checkout" } });
    expect(provider.describe(contextOf({}))).toBe("fab deploy");
  });

  it("leaves the hosts to the fabfile when none are configured, and the key out when heaven has none", () => {
    const context = { ...contextOf({}), ssh: { identityFile: undefined, knownHostsFile: undefined, sshArgs: [] } };
    const plan = provider.plan(context);
    expect(plan.ok && argvOf(plan.tracks[0]?.steps[0])).toEqual(["fab", "deploy", "--branch-name=main"]);
  });

  it("names a deploy:<name> task by its fabfile name", () => {
    expect(argvOf(stepsOf({}, { task: "deploy:migrate" })[0])).toEqual(["fab", "-i", "/keys/id", "migrate", "--branch-name=main"]);
  });

  it("accepts Heaven's DEPLOY_COMMAND_FORMAT as the command", () => {
    expect(argvOf(stepsOf({ command: HEAVEN_FORMAT }, { ref: "topic" })[0])).toEqual(["fab", "-i", "/keys/id", "-R", "production", "deploy:branch_name=topic"]);
  });

  it("keeps injection-shaped refs, tasks, environments and hosts one literal argument each", () => {
    const command = "fab -H %{hosts} deploy --branch-name=%{ref} --env=%{environment} --task=%{task} --sha=%{sha}";
    for (const value of HOSTILE) {
      const [step] = stepsOf({ command, hosts: ["app1.example.com"] }, { ref: value, environment: value, task: `deploy:${value}`, hosts: ["app1"] });
      expect(argvOf(step)).toEqual(["fab", "-i", "/keys/id", "-H", "app1.example.com", "deploy", `--branch-name=${value}`, `--env=${value}`, `--task=${value}`, `--sha=${SHA}`]);
    }
    for (const value of HOSTILE.slice(0, 2)) {
      const [step] = stepsOf({ command: HEAVEN_FORMAT }, { ref: value, environment: value, task: `deploy:${value}` });
      expect(argvOf(step)).toEqual(["fab", "-i", "/keys/id", "-R", value, `${value}:branch_name=${value}`]);
    }
  });

  it("refuses an argument a placeholder starts that would come out as an option", () => {
    expect(provider.plan(contextOf({ command: "fab deploy %{ref}" }, { ref: "--config=/tmp/evil.py" }))).toEqual({
      ok: false,
      message: 'the command\'s argument %{ref} comes out as "--config=/tmp/evil.py", which would be read as an option',
    });
    expect(provider.plan(contextOf({ command: HEAVEN_FORMAT }, { environment: "-oProxyCommand=x" }))).toMatchObject({ ok: false, message: expect.stringMatching(/%\{environment\} comes out as "-oProxyCommand=x"/) });
  });

  it("runs a list of commands in order, each its own step", () => {
    const steps = stepsOf({ command: ["fab %{task} --branch-name=%{ref}", "fab restart"] });
    expect(steps.map((step) => [step.name, ...argvOf(step)])).toEqual([
      ["fab deploy (command 1 of 2)", "fab", "-i", "/keys/id", "deploy", "--branch-name=main"],
      ["fab deploy (command 2 of 2)", "fab", "-i", "/keys/id", "restart"],
    ]);
  });

  it("runs a program of the repository from the checkout, without heaven's -i", () => {
    const [step] = stepsOf({ command: "script/fab-wrapper %{task}" });
    expect(argvOf(step)).toEqual(["/checkout/script/fab-wrapper", "deploy"]);
  });

  it("narrows the configured hosts with hubot's filter and refuses a filter it cannot apply", () => {
    const hosts = ["fe1.example.com", "fe2.example.com", "deploy@be1.example.com"];
    expect(stepsOf({ hosts }, { hosts: ["fe"] })[0]?.spec.args.slice(2, 4)).toEqual(["-H", "fe1.example.com,fe2.example.com"]);
    expect(provider.plan(contextOf({ hosts }, { hosts: ["db"] }))).toEqual({ ok: false, message: "no host matches db (configured hosts: fe1.example.com, fe2.example.com, deploy@be1.example.com)" });
    expect(provider.plan(contextOf({}, { hosts: ["fe1"] }))).toMatchObject({ ok: false, message: expect.stringMatching(/^the deployment asks for hosts fe1, but fabric has no hosts/) });
    expect(provider.plan(contextOf({ command: "fab -H %{hosts} deploy" }))).toMatchObject({ ok: false, message: expect.stringMatching(/uses %\{hosts\}, but no hosts are configured/) });
  });

  it("tells the fabfile about the deployment, and puts heaven's host key module first on PYTHONPATH", () => {
    const [step] = stepsOf({}, { ref: "topic", hosts: undefined }, { PYTHONPATH: "/repo/lib" });
    expect(step?.spec.env).toMatchObject({ BRANCH: "topic", SHA, DEPLOY_ENV: "production", DEPLOY_TASK: "deploy", DEPLOY_KNOWN_HOSTS_FILE: "/keys/known_hosts", PYTHONDONTWRITEBYTECODE: "1" });
    expect(step?.spec.env.PYTHONPATH?.split(":")).toEqual([SHIM_DIR, "/repo/lib"]);
    expect(existsSync(join(SHIM_DIR, "sitecustomize.py"))).toBe(true);
  });

  it("names the key and the provider for a bad command or host", () => {
    const errorOf = (production: Record<string, unknown>) => {
      const resolved = resolve(production);
      return resolved.ok ? "resolved" : resolved.error;
    };
    const file = ".github/heaven.yml: environments.production";
    expect(errorOf({ command: "fab %{task} --branch=%{branch}" })).toBe(
      `${file}.command: has an unknown placeholder %{branch} (known: %{environment} %{task} %{ref} %{sha} %{hosts}) (provider fabric)`,
    );
    expect(errorOf({ command: ["fab deploy", "%{task}"] })).toBe(`${file}.command.1: must start with the program to run, like fab, not a placeholder (provider fabric)`);
    expect(errorOf({ command: "  " })).toMatch(/^\.github\/heaven\.yml: environments\.production\.command: must be a command/);
    expect(errorOf({ command: 3 })).toBe(`${file}.command: must be a command line, or a list of them run in order (provider fabric)`);
    expect(errorOf({ hosts: ["app1.example.com", "-oProxyCommand=x"] })).toBe(`${file}.hosts.1: must be host, user@host or user@host:port, like deploy@app1.example.com (provider fabric)`);
  });
});

describe("heaven's Fabric module (providers/fabric/sitecustomize.py)", () => {
  const python = (code: string, env: Record<string, string> = {}) =>
    execFileSync("/usr/bin/python3", ["-c", code], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", PYTHONPATH: SHIM_DIR, PYTHONDONTWRITEBYTECODE: "1", ...env } }).trim();

  it("patches Fabric's Connection.open when fabric.connection is imported, and nothing before", () => {
    expect(python("import sys; print('fabric' in sys.modules)")).toBe("False");
    expect(python("from fabric import Connection; print(Connection.open.__module__)")).toBe("sitecustomize");
  });

  it("still runs the sitecustomize it shadows", () => {
    const other = join(tmp.path, "other-site");
    mkdirSync(other);
    writeFileSync(join(other, "sitecustomize.py"), "import builtins\nbuiltins.OTHER_SITE_RAN = True\n");
    expect(python("print(OTHER_SITE_RAN)", { PYTHONPATH: `${SHIM_DIR}:${other}` })).toBe("True");
  });
});
