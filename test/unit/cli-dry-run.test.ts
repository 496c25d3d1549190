import { describe, expect, it } from "@jest/globals";
import { providers } from "../../providers/index.js";
import { renderDryRun } from "../../src/cli/dry-run.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";

const request: DeploymentRequest = {
  id: "local-1",
  repository: { fullName: "local/app", cloneUrl: "/srv/app" },
  environment: "production",
  ref: "main",
  sha: "a".repeat(40),
  task: "deploy",
  force: false,
  payloadConfig: undefined,
  creator: "ops",
};
const noSsh = { materials: { identityFile: undefined, knownHostsFile: undefined, sshArgs: [] }, env: {} };

function dryRun(file: unknown, over: Partial<DeploymentRequest> = {}) {
  const resolved = resolveConfig({ file, payloadConfig: undefined, environment: "production", providers, defaultTimeoutSeconds: 300 });
  if (!resolved.ok) throw new Error(resolved.error);
  return renderDryRun({ request: { ...request, ...over }, config: resolved.config, providers, ssh: noSsh, configSource: "apps.yml: app \"app\"" });
}

describe("--dry-run's plan", () => {
  it("lists each host's commands as its own track, narrowed by --hosts, secrets by name only", () => {
    const lines = dryRun({ provider: "ssh", hosts: ["fe1", "fe2", "db1"], deploy_to: "/srv/app", env: { RAILS_ENV: "production" } }, { hosts: ["fe"] });
    expect(lines[0]).toBe(`dry run: nothing will run. local/app main (${"a".repeat(40)}) to production, task deploy, hosts fe`);
    expect(lines).toContain("  env: RAILS_ENV; secrets: (none)");
    expect(lines.filter((line) => /^track \d/.test(line))).toEqual(["track 1 (fe1):", "track 2 (fe2):"]);
    const steps = lines.slice(lines.findIndex((line) => line.startsWith("steps:")));
    expect(steps.some((line) => line.includes("fe1"))).toBe(true);
    expect(steps.some((line) => line.includes("db1"))).toBe(false);
  });

  it("says an API provider calls its API, and prints its options", () => {
    const lines = dryRun({ provider: "heroku", heroku_app: "my-app" });
    expect(lines).toContain('  options (provider heroku): {"heroku_app":"my-app"}');
    expect(lines.at(-1)).toMatch(/^heroku calls its API instead of running commands; it would use the options above and HEROKU_API_KEY/);
  });
});
