import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { providers } from "../../providers/index.js";
import type { ProcessProvider, ProviderContext, ProviderTrack } from "../../src/core/provider.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";
import { DeploymentLog } from "../../src/engine/deployment-log.js";
import { runTracks } from "../../src/pipeline/steps/run-tracks.js";
import { tempDir } from "../helpers/git-repo.js";
import { freePort } from "../helpers/heaven-server.js";
import { SHA, providerContext, SSH_FILES } from "../helpers/provider-fixtures.js";

const SSH_ARGS = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", 'UserKnownHostsFile="/keys/known_hosts"', "-o", "IdentitiesOnly=yes", "-i", "/keys/id"];
const provider = providers.ssh as ProcessProvider;

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir("heaven-ssh-provider-");
});
afterAll(() => tmp.remove());


/** `.github/heaven.yml` resolved with the real registry, as heaven does. */
function resolve(production: Record<string, unknown>) {
  return resolveConfig({ file: { environments: { production: { provider: "ssh", ...production } } }, payloadConfig: undefined, environment: "production", providers, defaultTimeoutSeconds: 300 });
}

function contextOf(production: Record<string, unknown>, overrides: Partial<DeploymentRequest> = {}): ProviderContext {
  return providerContext("ssh", { file: production, request: overrides, ssh: { ...SSH_FILES, sshArgs: SSH_ARGS }, env: { GIT_SSH_COMMAND: "ssh -i /keys/id" } });
}

function tracksOf(production: Record<string, unknown>, overrides: Partial<DeploymentRequest> = {}): readonly ProviderTrack[] {
  const plan = provider.plan(contextOf(production, overrides));
  if (!plan.ok) throw new Error(plan.message);
  return plan.tracks;
}

const BASE = { hosts: ["deploy@app1.example.com", "app2.example.com:2222"], deploy_to: "/srv/app" };

describe("the ssh provider", () => {
  it("plans a track per host, labelled with the host, that fetches, resets to the sha and restarts in deploy_to", () => {
    const tracks = tracksOf({ ...BASE, restart: "touch tmp/restart.txt" });
    expect(tracks.map((track) => track.label)).toEqual(["deploy@app1.example.com", "app2.example.com:2222"]);
    const [first] = tracks;
    expect(first?.steps.map((step) => [step.name, step.spec.file, step.spec.args, step.spec.cwd])).toEqual([
      ["git fetch", "ssh", [...SSH_ARGS, "deploy@app1.example.com", "--", "cd '/srv/app' && git fetch --quiet"], "/checkout"],
      ["git reset", "ssh", [...SSH_ARGS, "deploy@app1.example.com", "--", `cd '/srv/app' && git reset --hard '${SHA}'`], "/checkout"],
      ["restart", "ssh", [...SSH_ARGS, "deploy@app1.example.com", "--", "cd '/srv/app' && touch tmp/restart.txt"], "/checkout"],
    ]);
    expect(tracks[1]?.steps[0]?.spec.args.slice(SSH_ARGS.length)).toEqual(["-p", "2222", "app2.example.com", "--", "cd '/srv/app' && git fetch --quiet"]);
  });

  it("runs no restart unless one is configured, and says what it deploys to", () => {
    expect(tracksOf(BASE)[0]?.steps.map((step) => step.name)).toEqual(["git fetch", "git reset"]);
    expect(provider.describe(contextOf(BASE))).toBe("ssh to 2 hosts");
    expect(provider.describe(contextOf({ ...BASE, hosts: ["app1.example.com"] }))).toBe("ssh to app1.example.com");
  });

  it("logs in as the configured user unless the host names its own", () => {
    const tracks = tracksOf({ ...BASE, hosts: ["app1.example.com", "root@app2.example.com", "[::1]:2200"], user: "deploy" });
    expect(tracks.map((track) => track.steps[0]?.spec.args.slice(SSH_ARGS.length, -2))).toEqual([["deploy@app1.example.com"], ["root@app2.example.com"], ["-p", "2200", "deploy@::1"]]);
  });

  it("passes heaven's ssh environment and the deployment's variables, and knows how to install ssh", () => {
    const [step] = tracksOf(BASE)[0]?.steps ?? [];
    expect(step?.spec.env).toMatchObject({ GIT_SSH_COMMAND: "ssh -i /keys/id", SHA, BRANCH: "main", DEPLOY_ENV: "production" });
    expect(step?.install).toBe("apt-get install openssh-client");
    expect(step?.hints?.[255]).toMatch(/update HEAVEN_KNOWN_HOSTS/);
  });

  it("keeps injection-shaped refs, tasks, environments and hosts out of every remote command", () => {
    const hostile = ["$(touch /tmp/x)", "; rm -rf /", "-oProxyCommand=touch /tmp/x", "`id`"];
    const tracks = tracksOf(BASE, { ref: hostile[0], task: `deploy:${hostile[2]}`, environment: hostile[1], hosts: ["app"] });
    const commands = tracks.flatMap((track) => track.steps.map((step) => step.spec.args.at(-1)));
    expect(tracks).toHaveLength(2);
    expect([...new Set(commands)]).toEqual(["cd '/srv/app' && git fetch --quiet", `cd '/srv/app' && git reset --hard '${SHA}'`]);
    for (const arg of tracks.flatMap((track) => track.steps.flatMap((step) => step.spec.args))) {
      for (const value of hostile) expect(arg).not.toContain(value);
    }
  });

  it("quotes deploy_to so the remote shell takes it literally", () => {
    const dir = join(tmp.path, "it's $(touch pwned) `id`; rm -rf x");
    mkdirSync(dir);
    const bin = join(tmp.path, "bin");
    mkdirSync(bin);
    // A git that says where it ran and with what: the remote side, played by sh.
    writeFileSync(join(bin, "git"), `#!/bin/sh\npwd > '${join(tmp.path, "where")}'\nprintf '%s\\n' "$@" > '${join(tmp.path, "args")}'\n`, { mode: 0o755 });
    const [, reset] = tracksOf({ ...BASE, deploy_to: dir })[0]?.steps ?? [];
    execFileSync("sh", ["-c", reset?.spec.args.at(-1) ?? "false"], { cwd: tmp.path, env: { PATH: `${bin}:${process.env.PATH ?? ""}` } });
    expect(readFileSync(join(tmp.path, "where"), "utf8")).toBe(`${dir}\n`);
    expect(readFileSync(join(tmp.path, "args"), "utf8")).toBe(`reset\n--hard\n${SHA}\n`);
    expect(existsSync(join(tmp.path, "pwned"))).toBe(false);
  });

  it("narrows the hosts to those a host filter names or starts", () => {
    const hosts = ["fe1.example.com", "fe2.example.com:22", "deploy@be1.example.com:2222"];
    const labels = (filter: string[]) => tracksOf({ ...BASE, hosts }, { hosts: filter }).map((track) => track.label);
    expect(labels(["fe"])).toEqual(["fe1.example.com", "fe2.example.com:22"]);
    expect(labels(["fe2.example.com:22"])).toEqual(["fe2.example.com:22"]);
    expect(labels(["be1", "fe1.example.com"])).toEqual(["fe1.example.com", "deploy@be1.example.com:2222"]);
    expect(labels(["deploy@be1"])).toEqual(["deploy@be1.example.com:2222"]);
  });

  it("refuses a filter that leaves no host, listing the configured ones", () => {
    const hosts = ["fe1.example.com", "deploy@be1.example.com"];
    for (const filter of [["db"], ["deploy"], ["-oProxyCommand=touch"]]) {
      expect(provider.plan(contextOf({ ...BASE, hosts }, { hosts: filter }))).toEqual({
        ok: false,
        message: `no host matches ${filter.join(", ")} (configured hosts: fe1.example.com, deploy@be1.example.com)`,
      });
    }
  });

  it("refuses a sha that is not hex rather than put it in a remote command", () => {
    expect(provider.plan(contextOf(BASE, { sha: "main; touch /tmp/x" }))).toMatchObject({ ok: false, message: expect.stringMatching(/is not a commit sha$/) });
  });

  it("names the key and the provider for bad options", () => {
    const errorOf = (production: Record<string, unknown>) => {
      const resolved = resolve(production);
      return resolved.ok ? "resolved" : resolved.error;
    };
    const file = ".github/heaven.yml: environments.production";
    expect(errorOf({ ...BASE, deploy_to: "srv/app" })).toBe(`${file}.deploy_to: must be an absolute path on the hosts, like /srv/app (provider ssh)`);
    expect(errorOf({ deploy_to: "/srv/app" })).toBe(".github/heaven.yml: hosts: is required: the hosts to deploy to, like [deploy@app1.example.com] (provider ssh)");
    expect(errorOf({ ...BASE, hosts: "app1.example.com" })).toBe(`${file}.hosts: must be a list: the hosts to deploy to, like [deploy@app1.example.com] (provider ssh)`);
    expect(errorOf({ ...BASE, hosts: [] })).toBe(`${file}.hosts: must list at least one host, like [deploy@app1.example.com] (provider ssh)`);
    for (const host of ["-oProxyCommand=touch /tmp/x", "app1;id", "app1.example.com:99999", "$(id)@app1", "app1.example.com -p 22"]) {
      expect(errorOf({ ...BASE, hosts: ["app2.example.com", host] })).toBe(`${file}.hosts.1: must be host, user@host or user@host:port, like deploy@app1.example.com:22 (provider ssh)`);
    }
    expect(errorOf({ ...BASE, user: "-oProxyCommand=x" })).toBe(`${file}.user: must be a user name, like deploy (provider ssh)`);
    expect(errorOf({ ...BASE, restart: "bin/restart\nrm -rf /" })).toMatch(/^\.github\/heaven\.yml: environments\.production\.restart: must be one command line/);
    expect(errorOf({ ...BASE, playbook: "deploy.yml" })).toBe(`${file}.playbook: not an option of provider ssh (its options: hosts, deploy_to, restart, user)`);
  });

  it("fails a host it cannot reach with the host and step named, and tells the log what to check", async () => {
    const port = await freePort(); // nothing listens there
    const context = { ...contextOf({ ...BASE, hosts: [`nobody@127.0.0.1:${port}`] }), checkoutDir: tmp.path, ssh: { identityFile: undefined, knownHostsFile: undefined, sshArgs: ["-o", "BatchMode=yes"] } };
    const plan = provider.plan(context);
    if (!plan.ok) throw new Error(plan.message);
    const logPath = join(tmp.path, "unreachable.log");
    const log = await DeploymentLog.open(logPath, { secrets: [] });
    const outcome = await runTracks(plan.tracks, provider.describe(context), log, {
      signal: new AbortController().signal,
      abortReason: "a test",
      processStarted: () => undefined,
      checkoutDir: tmp.path,
      timeoutSeconds: 20,
      parallel: 4,
      baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp.path },
    });
    await log.close();
    expect(outcome).toMatchObject({ kind: "failed", what: `nobody@127.0.0.1:${port}: git fetch`, exitCode: 255, lastLine: expect.stringContaining("Connection refused") });
    expect(readFileSync(logPath, "utf8")).toContain(`nobody@127.0.0.1:${port}: git fetch: ssh could not connect or log in`);
  });
});
