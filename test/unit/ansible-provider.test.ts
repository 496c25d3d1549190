import { describe, expect, it } from "@jest/globals";
import { providers } from "../../providers/index.js";
import type { ProcessProvider, ProviderContext, ProviderStep, SshMaterials } from "../../src/core/provider.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";
import { SHA, providerContext } from "../helpers/provider-fixtures.js";

const SSH: SshMaterials = {
  identityFile: "/keys/id",
  knownHostsFile: "/keys/known_hosts",
  sshArgs: ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", 'UserKnownHostsFile="/keys/known_hosts"', "-o", "IdentitiesOnly=yes", "-i", "/keys/id"],
};
const provider = providers.ansible as ProcessProvider;


function resolve(production: Record<string, unknown>, top: Record<string, unknown> = {}) {
  return resolveConfig({
    file: { ...top, environments: { production: { provider: "ansible", ...production } } },
    payloadConfig: undefined,
    environment: "production",
    providers,
    defaultTimeoutSeconds: 300,
  });
}

function contextOf(production: Record<string, unknown>, overrides: Partial<DeploymentRequest> = {}, ssh = SSH): ProviderContext {
  return providerContext("ansible", { file: production, request: overrides, ssh });
}

function stepOf(production: Record<string, unknown>, overrides: Partial<DeploymentRequest> = {}, ssh = SSH): ProviderStep {
  const plan = provider.plan(contextOf(production, overrides, ssh));
  if (!plan.ok) throw new Error(plan.message);
  expect(plan.tracks).toHaveLength(1);
  const step = plan.tracks[0]?.steps[0];
  if (step === undefined) throw new Error("no step");
  return step;
}

/** The `-e` argument, parsed. */
const extraVarsOf = (step: ProviderStep): unknown => JSON.parse(step.spec.args[step.spec.args.indexOf("-e") + 1] ?? "null");

describe("the ansible provider", () => {
  it("runs the playbook from the checkout with the inventory, the deployment as extra vars and heaven's key", () => {
    const step = stepOf({ playbook: "ansible/deploy.yml", inventory: "inventory/production.ini" });
    expect(step.name).toBe("ansible-playbook ansible/deploy.yml");
    expect(step.spec.file).toBe("ansible-playbook");
    expect(step.spec.cwd).toBe("/checkout");
    expect(step.spec.args).toEqual(["-i", "inventory/production.ini", "-e", expect.any(String), "--private-key", "/keys/id", "ansible/deploy.yml"]);
    const unsafe = (value: string) => ({ __ansible_unsafe: value });
    expect(extraVarsOf(step)).toEqual({ heaven_sha: unsafe(SHA), heaven_ref: unsafe("main"), heaven_environment: unsafe("production"), heaven_task: unsafe("deploy") });
    expect(step.install).toBe("apt-get install ansible-core");
    expect(step.hints?.[4]).toMatch(/update HEAVEN_KNOWN_HOSTS/);
    expect(provider.describe(contextOf({ playbook: "ansible/deploy.yml" }))).toBe("ansible-playbook ansible/deploy.yml");
  });

  it("takes a list of hosts as an inventory, and leaves the inventory to ansible.cfg when there is none", () => {
    expect(stepOf({ playbook: "deploy.yml", inventory: ["app1.example.com", "10.0.0.2:2222"] }).spec.args.slice(0, 2)).toEqual(["-i", "app1.example.com,10.0.0.2:2222,"]);
    expect(stepOf({ playbook: "deploy.yml" }).spec.args).not.toContain("-i");
  });

  it("limits the run to a host filter", () => {
    expect(stepOf({ playbook: "deploy.yml" }, { hosts: ["web", "db1.example.com"] }).spec.args).toContain("--limit=web,db1.example.com");
    expect(stepOf({ playbook: "deploy.yml" }).spec.args.some((arg) => arg.startsWith("--limit"))).toBe(false);
  });

  it("refuses a host filter ansible would read as a file of hosts", () => {
    expect(provider.plan(contextOf({ playbook: "deploy.yml" }, { hosts: ["web:@secrets.txt"] }))).toEqual({
      ok: false,
      message: 'host filter "web:@secrets.txt" is not an inventory host or group name',
    });
  });

  it("is quiet unless asked to be verbose", () => {
    expect(stepOf({ playbook: "deploy.yml" }).spec.args.filter((arg) => /^-v+$/.test(arg))).toEqual([]);
    expect(stepOf({ playbook: "deploy.yml", verbosity: 0 }).spec.args.filter((arg) => /^-v+$/.test(arg))).toEqual([]);
    expect(stepOf({ playbook: "deploy.yml", verbosity: 2 }).spec.args).toContain("-vv");
  });

  it("checks host keys against heaven's known hosts whatever the repository's env says", () => {
    const step = stepOf({ playbook: "deploy.yml", env: { ANSIBLE_HOST_KEY_CHECKING: "False", ANSIBLE_SSH_ARGS: "-o StrictHostKeyChecking=no", APP_MODE: "blue" } });
    expect(step.spec.env).toMatchObject({
      ANSIBLE_HOST_KEY_CHECKING: "True",
      ANSIBLE_SSH_ARGS: `-o BatchMode=yes -o StrictHostKeyChecking=yes -o 'UserKnownHostsFile="/keys/known_hosts"' -o IdentitiesOnly=yes -i /keys/id`,
      ANSIBLE_SSH_EXECUTABLE: "ssh",
      ANSIBLE_TRANSPORT: "ssh",
      ANSIBLE_INVENTORY_UNPARSED_FAILED: "True",
      APP_MODE: "blue",
      SHA,
    });
  });

  it("passes no key when heaven has none", () => {
    const step = stepOf({ playbook: "deploy.yml" }, {}, { identityFile: undefined, knownHostsFile: undefined, sshArgs: ["-o", "BatchMode=yes"] });
    expect(step.spec.args).not.toContain("--private-key");
  });

  it("keeps injection-shaped refs, tasks and environments inside the one JSON argument, marked unsafe", () => {
    const ref = "$(touch /tmp/x); {{ lookup('pipe', 'touch /tmp/x') }}";
    const environment = "; rm -rf / -oProxyCommand=x";
    const step = stepOf({ playbook: "deploy.yml" }, { ref, environment, task: "deploy:-oProxyCommand=x" });
    const json = step.spec.args[step.spec.args.indexOf("-e") + 1] ?? "";
    expect(json.startsWith("{")).toBe(true);
    expect(extraVarsOf(step)).toMatchObject({ heaven_ref: { __ansible_unsafe: ref }, heaven_environment: { __ansible_unsafe: environment }, heaven_task: { __ansible_unsafe: "deploy:-oProxyCommand=x" } });
    for (const arg of step.spec.args.filter((arg) => arg !== json)) {
      for (const value of ["touch", "rm -rf", "ProxyCommand"]) expect(arg).not.toContain(value);
    }
  });

  it("names the key and the provider for bad options", () => {
    const errorOf = (production: Record<string, unknown>) => {
      const resolved = resolve(production);
      return resolved.ok ? "resolved" : resolved.error;
    };
    const file = ".github/heaven.yml: environments.production";
    expect(errorOf({})).toBe(".github/heaven.yml: playbook: is required: a path inside the repository, like deploy.yml (provider ansible)");
    for (const playbook of ["../deploy.yml", "/etc/ansible/site.yml", "--help", ""]) {
      expect(errorOf({ playbook })).toBe(`${file}.playbook: must be a path inside the repository, like deploy.yml (provider ansible)`);
    }
    expect(errorOf({ playbook: "deploy.yml", inventory: ["app1", "-oProxyCommand=x"] })).toBe(
      `${file}.inventory.1: must be a host name or address, maybe with :port, like app1.example.com (provider ansible)`,
    );
    expect(errorOf({ playbook: "deploy.yml", inventory: ["a,b"] })).toMatch(/^\.github\/heaven\.yml: environments\.production\.inventory\.0: /);
    expect(errorOf({ playbook: "deploy.yml", verbosity: 5 })).toMatch(/^\.github\/heaven\.yml: environments\.production\.verbosity: .*\(provider ansible\)$/);
    expect(errorOf({ playbook: "deploy.yml", hosts: ["a"] })).toMatch(/^\.github\/heaven\.yml: environments\.production\.hosts: not an option of provider ansible/);
  });
});
