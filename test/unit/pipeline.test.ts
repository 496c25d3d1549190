import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { providers } from "../../providers/index.js";
import { defineProvider, type ApiProvider } from "../../src/core/provider.js";
import type { CheckRun, CommitStatus } from "../../src/core/ci.js";
import type { DeploymentEvent } from "../../src/core/events.js";
import { laneOf } from "../../src/core/job.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import type { ConfigRead, DeploymentSources } from "../../src/core/sources.js";
import { describeOutcome } from "../../src/decisions/describe-outcome.js";
import { Workspaces } from "../../src/engine/workspace.js";
import { ReadAheadMemory } from "../../src/pipeline/head-start.js";
import { runPipeline, type PipelineDeps } from "../../src/pipeline/run-pipeline.js";
import { startGitHttpServer } from "../helpers/git-http-server.js";
import { createRepo, script, tempDir, type GitRepo } from "../helpers/git-repo.js";
import { isDead, readPid } from "../helpers/process-state.js";

const PATH = process.env.PATH ?? "/usr/bin:/bin";
const CONFIGURED_SECRET = "webhook-secret-value-0042";
const BIG_LINES = 200_000; // 100 bytes each: 20 MB

let root: { path: string; remove: () => void };
let origin: GitRepo & { sha: string };
let sha: string;

beforeAll(() => {
  root = tempDir("heaven-pipeline-");
  origin = createRepo(root.path, "origin", {
    VERSION: "1.2.3\n",
    "script/deploy": script(
      [
        'env > "$HEAVEN_TEST_OUT/env-$DEPLOYMENT_ID"',
        'printf %s "$BRANCH" > "$HEAVEN_TEST_OUT/branch-$DEPLOYMENT_ID"',
        'pwd > "$HEAVEN_TEST_OUT/pwd-$DEPLOYMENT_ID"',
        'echo "deploying $BRANCH to $DEPLOY_ENV: $(cat VERSION)"',
        'echo "warming up with $SECRET_FOR_TEST" >&2',
        "echo done",
      ].join("\n"),
    ),
    "script/fail": script('echo "running migrations"\necho "migration failed" >&2\nexit 3'),
    "script/hang": script('sleep 1000 &\necho $! > "$HEAVEN_TEST_OUT/pid-$DEPLOYMENT_ID"\necho started\nwait'),
    "script/die": script('echo "about to die"\nkill -KILL $$'),
    "script/big": script(`awk 'BEGIN { for (i = 1; i <= ${BIG_LINES}; i++) printf "%08d %090d\\n", i, 0 }'`),
    "script/noexec": { content: "#!/bin/sh\necho never\n", executable: false },
    "script/badshebang": { content: "#!/nonexistent/interpreter\necho never\n", executable: true },
  });
  sha = origin.sha;
});

afterAll(() => {
  root.remove();
});

let dir: { path: string; remove: () => void };
let out: string;
let dataDir: string;
let shutdown: AbortController;
let nextId = 0;

beforeEach(() => {
  dir = tempDir("heaven-pipeline-run-");
  out = join(dir.path, "out");
  dataDir = join(dir.path, "data");
  mkdirSync(out);
  shutdown = new AbortController();
});

afterEach(() => {
  dir.remove();
});

function deps(): PipelineDeps {
  const baseEnv = { PATH, HOME: dir.path, HEAVEN_TEST_OUT: out, SECRET_FOR_TEST: CONFIGURED_SECRET };
  return {
    providers,
    workspaces: new Workspaces(dataDir, baseEnv),
    defaultTimeoutSeconds: 30,
    baseEnv,
    secrets: [CONFIGURED_SECRET],
    killGraceMs: 200,
  };
}

function request(overrides: Partial<DeploymentRequest> = {}): DeploymentRequest {
  nextId += 1;
  return {
    id: `${1000 + nextId}`,
    repository: { fullName: "octo/app", cloneUrl: origin.dir },
    environment: "production",
    ref: "main",
    sha,
    task: "deploy",
    force: false,
    payloadConfig: undefined,
    creator: "hubot",
    ...overrides,
  };
}

const PRODUCTION = { environments: { production: { script: "script/deploy", environment_url: "https://app.example.com" } } };

/** Our own interfaces, answered by plain objects that record what they were asked. */
function fakeSources(options: {
  file?: unknown;
  config?: () => Promise<ConfigRead>;
  ci?: { statuses: CommitStatus[]; checkRuns: CheckRun[] };
  token?: string;
}) {
  const calls = { loadConfig: 0, ciState: [] as string[], gitToken: 0 };
  const sources: DeploymentSources = {
    loadConfig: async () => {
      calls.loadConfig += 1;
      return options.config ? options.config() : { ok: true, file: options.file === undefined ? PRODUCTION : options.file };
    },
    ciState: async (commit) => {
      calls.ciState.push(commit);
      return options.ci ?? { statuses: [], checkRuns: [] };
    },
    gitToken: async () => {
      calls.gitToken += 1;
      return options.token;
    },
  };
  return { sources, calls };
}

/**
 * Runs one deployment through the pipeline as the deployer does: `events`
 * holds what it published, then the finished event the deployer publishes
 * from its result; `result` is that outcome in words.
 */
async function deploy(options: { request?: DeploymentRequest; sources?: DeploymentSources; echo?: (line: string) => void; deps?: PipelineDeps } = {}) {
  const req = options.request ?? request();
  const events: DeploymentEvent[] = [];
  const logPath = join(dataDir, "logs", "octo", "app", `${req.id}.log`);
  const finished = await runPipeline(
    {
      job: { key: `test:${req.id}`, lane: laneOf(req.repository.fullName, req.environment), origin: { kind: "local" }, acceptedAt: Date.now(), request: req },
      sources: options.sources ?? fakeSources({}).sources,
      logPath,
      publish: (event) => void events.push(event),
      canPark: false,
      signal: shutdown.signal,
      abortReason: "heaven's shutdown",
      processStarted: () => undefined,
      echo: options.echo,
    },
    options.deps ?? deps(),
  );
  if (finished.kind !== "finished") throw new Error("the pipeline parked without a way to park");
  events.push({ type: "finished", outcome: finished.outcome, environmentUrl: finished.environmentUrl });
  const result = { ...describeOutcome(finished.outcome), environmentUrl: finished.environmentUrl };
  const log = () => readFileSync(logPath, "utf8");
  return { result, events, log, request: req, ran: () => existsSync(join(out, `env-${req.id}`)) };
}

function scriptEnv(id: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(out, `env-${id}`), "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

function checkoutsLeft(): string[] {
  const checkouts = join(dataDir, "checkouts");
  return existsSync(checkouts) ? readdirSync(checkouts) : [];
}

describe("runPipeline", () => {
  describe("a successful deployment", () => {
    it("runs the script with the deployment's variables in the checkout and reports success", async () => {
      const { result, events, request: req, ran } = await deploy();
      expect(result).toMatchObject({ state: "success", description: expect.stringMatching(/^script\/deploy succeeded in \d+ s$/) });
      expect(ran()).toBe(true);
      expect(scriptEnv(req.id)).toMatchObject({
        BRANCH: "main",
        SHA: sha,
        DEPLOY_ENV: "production",
        DEPLOY_TASK: "deploy",
        DEPLOYMENT_ID: req.id,
        REPOSITORY: "octo/app",
      });
      expect(readFileSync(join(out, `pwd-${req.id}`), "utf8").trim()).toMatch(new RegExp(`^${dataDir}/checkouts/`));
      expect(events).toEqual([
        { type: "started", sha, forcedOver: undefined, environmentUrl: "https://app.example.com" },
        { type: "finished", outcome: expect.objectContaining({ kind: "succeeded", what: "script/deploy" }), environmentUrl: "https://app.example.com" },
      ]);
    });

    it("writes a log of timestamped lines with heaven's notes and the script's output, secrets masked", async () => {
      const echoed: string[] = [];
      const { log, request: req } = await deploy({ echo: (line) => echoed.push(line) });
      const lines = log().split("\n").slice(0, -1);
      expect(lines.filter((line) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /.test(line))).toEqual([]);
      const text = lines.map((line) => line.slice(25));
      expect(text).toEqual(
        expect.arrayContaining([
          `heaven: deployment ${req.id}: main (${sha}) to production, task deploy, by hubot`,
          "deploying main to production: 1.2.3",
          "warming up with ********",
          "done",
          expect.stringMatching(/^heaven: success: script\/deploy succeeded in \d+ s$/),
        ]),
      );
      expect(log()).not.toContain(CONFIGURED_SECRET);
      expect(echoed).toEqual(text);
    });

    it("removes the checkout afterwards", async () => {
      const { ran } = await deploy();
      expect(ran()).toBe(true);
      expect(checkoutsLeft()).toEqual([]);
    });

    it("passes injection-shaped refs and configured environment names as plain values and runs none of them", async () => {
      const ref = `$(touch ${out}/pwned-ref)`;
      const environment = `prod;touch ${out}/pwned-env`;
      const req = request({ ref, environment, task: "deploy:migrations" });
      const file = { environments: { [environment]: { script: "script/deploy" } } };
      const { result } = await deploy({ request: req, sources: fakeSources({ file }).sources });
      expect(result.state).toBe("success");
      expect(readFileSync(join(out, `branch-${req.id}`), "utf8")).toBe(ref);
      expect(scriptEnv(req.id)).toMatchObject({ BRANCH: ref, DEPLOY_ENV: environment, DEPLOY_TASK: "deploy:migrations" });
      expect(readdirSync(out).filter((name) => name.startsWith("pwned"))).toEqual([]);
    });

    it("refuses an environment name no configuration lists when it is shaped like a command, and a task that is not deploy:<name>", async () => {
      const sources = fakeSources({ file: { script: "script/deploy" } }).sources;
      const env = await deploy({ request: request({ environment: "production;id" }), sources });
      expect(env.result).toMatchObject({
        state: "error",
        description: 'environment "production;id" contains ";", which shells treat specially; list it under environments in .github/heaven.yml to allow it',
      });
      expect(env.ran()).toBe(false);
      const task = await deploy({ request: request({ task: `\`touch ${out}/pwned-task\`` }), sources });
      expect(task.result).toMatchObject({ state: "error", description: expect.stringMatching(/^task ".*" is not deploy or deploy:<name>/) });
      expect(task.ran()).toBe(false);
      expect(readdirSync(out).filter((name) => name.startsWith("pwned"))).toEqual([]);
    });

    it("completes a script that prints 20 MB and logs every line", async () => {
      const { result, log } = await deploy({ sources: fakeSources({ file: { script: "script/big" } }).sources });
      expect(result.state).toBe("success");
      let expected = 1;
      for (const line of log().split("\n")) {
        const match = /^\S+ (\d{8}) 0{90}$/.exec(line);
        if (match === null) continue;
        if (Number(match[1]) !== expected) break;
        expected += 1;
      }
      expect(expected - 1).toBe(BIG_LINES);
    });
  });

  describe("a script that does not succeed", () => {
    it("reports failure with the exit code and the last line the script printed", async () => {
      const { result, events } = await deploy({ sources: fakeSources({ file: { script: "script/fail", environment_url: "https://app.example.com" } }).sources });
      expect(result).toMatchObject({ state: "failure", description: 'script/fail exited 3: "migration failed"' });
      expect(events.at(-1)).toEqual({ type: "finished", outcome: expect.objectContaining({ kind: "failed" }), environmentUrl: undefined });
      expect(checkoutsLeft()).toEqual([]);
    });

    it("reports failure naming the signal when the script is killed", async () => {
      const { result } = await deploy({ sources: fakeSources({ file: { script: "script/die" } }).sources });
      expect(result).toMatchObject({ state: "failure", description: 'script/die was killed by SIGKILL: "about to die"' });
    });

    it("reports an error when the script does not exist at the commit", async () => {
      const { result } = await deploy({ sources: fakeSources({ file: { script: "script/missing" } }).sources });
      expect(result).toEqual(
        expect.objectContaining({
          state: "error",
          description: "script/missing does not exist at this commit; add it or set script in .github/heaven.yml",
        }),
      );
    });

    it("reports an error when the script is not executable", async () => {
      const { result } = await deploy({ sources: fakeSources({ file: { script: "script/noexec" } }).sources });
      expect(result).toMatchObject({ state: "error", description: "script/noexec is not executable; run chmod +x script/noexec and commit" });
    });

    it("reports an error naming the #! line when the script's interpreter is missing", async () => {
      const { result } = await deploy({ sources: fakeSources({ file: { script: "script/badshebang" } }).sources });
      expect(result).toMatchObject({
        state: "error",
        description: "script/badshebang names an interpreter in its #! line that is not installed on the heaven host",
      });
    });

    it("times out, kills the script's whole process group and reports an error", async () => {
      const req = request();
      const { result } = await deploy({ request: req, sources: fakeSources({ file: { script: "script/hang", timeout: 1 } }).sources });
      expect(result).toMatchObject({ state: "error", description: "timed out after 1 s; process group killed" });
      expect(isDead(readPid(join(out, `pid-${req.id}`)))).toBe(true);
      expect(checkoutsLeft()).toEqual([]);
    });

    it("stops the script when heaven shuts down and reports an error", async () => {
      const req = request();
      const { result } = await deploy({
        request: req,
        sources: fakeSources({ file: { script: "script/hang" } }).sources,
        echo: (line) => line === "started" && shutdown.abort(),
      });
      expect(result).toMatchObject({ state: "error", description: "stopped by heaven's shutdown before it finished; deploy again" });
      expect(isDead(readPid(join(out, `pid-${req.id}`)))).toBe(true);
    });
  });

  describe("the CI gate", () => {
    it("refuses a commit with red CI without running the script or reporting a start", async () => {
      const { sources, calls } = fakeSources({ ci: { statuses: [{ context: "ci/test", state: "failure" }], checkRuns: [] } });
      const { result, events, ran } = await deploy({ sources });
      expect(result).toMatchObject({
        state: "failure",
        description: `CI failed on ${sha.slice(0, 7)}: ci/test; fix it, or deploy with force`,
      });
      expect(calls.ciState).toEqual([sha]);
      expect(ran()).toBe(false);
      expect(events.map((e) => e.type)).toEqual(["finished"]);
    });

    it("refuses a commit whose CI is still running", async () => {
      const { sources } = fakeSources({ ci: { statuses: [], checkRuns: [{ name: "build", status: "in_progress", conclusion: null }] } });
      const { result, ran } = await deploy({ sources });
      expect(result).toMatchObject({ state: "failure", description: `CI not finished on ${sha.slice(0, 7)}: build; deploy again when green, or with force` });
      expect(ran()).toBe(false);
    });

    it("deploys a commit with green CI, ignoring heaven's own statuses", async () => {
      const { sources, calls } = fakeSources({
        ci: {
          statuses: [{ context: "heaven/production", state: "failure" }],
          checkRuns: [{ name: "build", status: "completed", conclusion: "success" }],
        },
      });
      const { result } = await deploy({ sources });
      expect(result.state).toBe("success");
      expect(calls.ciState).toEqual([sha]);
    });

    it("skips CI entirely for a forced deployment", async () => {
      const { sources, calls } = fakeSources({ ci: { statuses: [{ context: "ci/test", state: "failure" }], checkRuns: [] } });
      const { result, ran } = await deploy({ request: request({ force: true }), sources });
      expect(result.state).toBe("success");
      expect(ran()).toBe(true);
      expect(calls.ciState).toEqual([]);
    });

    it("skips CI when required_contexts is empty", async () => {
      const { sources, calls } = fakeSources({
        file: { script: "script/deploy", required_contexts: [] },
        ci: { statuses: [{ context: "ci/test", state: "failure" }], checkRuns: [] },
      });
      const { result } = await deploy({ sources });
      expect(result.state).toBe("success");
      expect(calls.ciState).toEqual([]);
    });
  });

  describe("configuration and requests heaven cannot run", () => {
    it("reports an error naming the bad key and runs nothing", async () => {
      const { sources, calls } = fakeSources({ file: { environments: { production: { timeout: "soon" } } } });
      const { result, events, ran } = await deploy({ sources });
      expect(result.state).toBe("error");
      expect(result.description).toMatch(/^\.github\/heaven\.yml: environments\.production\.timeout: /);
      expect(ran()).toBe(false);
      expect(calls.ciState).toEqual([]);
      expect(events.map((e) => e.type)).toEqual(["finished"]);
    });

    it("reports the reader's error when the configuration cannot be read", async () => {
      const { sources } = fakeSources({ config: async () => ({ ok: false, error: ".github/heaven.yml is not valid YAML: bad indentation" }) });
      const { result } = await deploy({ sources });
      expect(result).toMatchObject({ state: "error", description: ".github/heaven.yml is not valid YAML: bad indentation" });
    });

    it("reports an error for an environment the configuration does not name", async () => {
      const { sources } = fakeSources({ file: { environments: { staging: { script: "script/deploy" } } } });
      const { result, ran } = await deploy({ sources });
      expect(result).toMatchObject({
        state: "error",
        description: 'environment "production" is not in .github/heaven.yml (configured: staging)',
      });
      expect(ran()).toBe(false);
    });

    it("runs the repository's script, not one the deployment payload asks for", async () => {
      const { result, ran } = await deploy({ request: request({ payloadConfig: { script: "script/fail" } }) });
      expect(result.state).toBe("success");
      expect(ran()).toBe(true);
    });

    it("refuses a request whose sha is not a full commit sha without reading anything", async () => {
      const { sources, calls } = fakeSources({});
      const { result } = await deploy({ request: request({ sha: "main" }), sources });
      expect(result).toMatchObject({ state: "error", description: '"main" is not a commit sha' });
      expect(calls.loadConfig).toBe(0);
    });

    it("reports an error naming the commit when it is not in the repository", async () => {
      const missing = "0123456789abcdef0123456789abcdef01234567";
      const { result, ran } = await deploy({ request: request({ sha: missing }) });
      expect(result.state).toBe("error");
      expect(result.description).toContain("0123456");
      expect(ran()).toBe(false);
    });

    it("turns an exception from a source into an error status instead of throwing", async () => {
      const { sources } = fakeSources({
        config: async () => {
          throw new Error("GitHub is down");
        },
      });
      const { result, events } = await deploy({ sources });
      expect(result).toMatchObject({ state: "error", description: "heaven failed unexpectedly: GitHub is down; see the log" });
      expect(events.at(-1)?.type).toBe("finished");
    });
  });

  describe("the head start: reads and the checkout begin together", () => {
    const checkoutsLeft = () => (existsSync(join(dataDir, "checkouts")) ? readdirSync(join(dataDir, "checkouts")) : []);

    it("leaves no checkout behind and runs nothing when a deployment is refused after its checkout began", async () => {
      const { sources } = fakeSources({ ci: { statuses: [{ context: "ci/test", state: "failure" }], checkRuns: [] } });
      const { result, ran, log } = await deploy({ sources });
      expect(result.state).toBe("failure");
      expect(log()).toContain(`fetching ${sha.slice(0, 7)}`);
      expect(ran()).toBe(false);
      expect(checkoutsLeft()).toEqual([]);
      // git forgot the worktree too: the cache holds no checkout of it.
      const [cache = ""] = readdirSync(join(dataDir, "repos"));
      const worktrees = join(dataDir, "repos", cache, "worktrees");
      expect(existsSync(worktrees) ? readdirSync(worktrees) : []).toEqual([]);
    });

    it("writes how long each step of the start took into the log", async () => {
      const { result, log } = await deploy();
      expect(result.state).toBe("success");
      expect(log()).toMatch(/heaven: started in config \d+ ms, .*fetch \d+ ms, .*checkout \d+ ms.*; \d+ ms in all/);
    });

    it("reads CI while the configuration is read, in a lane whose last deployment read CI", async () => {
      const shared = { ...deps(), readAhead: new ReadAheadMemory() };
      let ciBeforeConfig: number[] = [];
      const ci = { statuses: [{ context: "ci/test", state: "success" as const }], checkRuns: [] };
      const { sources, calls } = fakeSources({ ci });
      const slowConfig: DeploymentSources = {
        ...sources,
        loadConfig: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          ciBeforeConfig.push(calls.ciState.length);
          return sources.loadConfig();
        },
      };
      expect((await deploy({ sources: slowConfig, deps: shared })).result.state).toBe("success");
      expect((await deploy({ sources: slowConfig, deps: shared })).result.state).toBe("success");
      // The first deployment of the lane reads CI when its step comes; the second had asked before its configuration arrived.
      expect(ciBeforeConfig).toEqual([0, 2]);
      expect(calls.ciState).toEqual([sha, sha]);
    });

    it("ends in an error saying why when no token can be had for the fetch, before its step came", async () => {
      const { sources } = fakeSources({});
      const failing: DeploymentSources = { ...sources, gitToken: async () => Promise.reject(new Error("getting a token to fetch with: GitHub is down")) };
      const { result, ran } = await deploy({ sources: failing });
      expect(result).toMatchObject({ state: "error", description: expect.stringContaining("could not fetch") });
      expect(result.description).toContain("GitHub is down");
      expect(ran()).toBe(false);
    });

    it("does not read CI ahead in a lane whose configuration skips it", async () => {
      const shared = { ...deps(), readAhead: new ReadAheadMemory() };
      const { sources, calls } = fakeSources({ file: { script: "script/deploy", required_contexts: [] } });
      for (let i = 0; i < 2; i++) expect((await deploy({ sources, deps: shared })).result.state).toBe("success");
      expect(calls.ciState).toEqual([]);
    });
  });

  describe("tokens", () => {
    const token = "ghs_pipelineInstallationToken0001";

    it("fetches with the installation token but never shows it to the script or the log", async () => {
      const server = await startGitHttpServer({ projectRoot: root.path, token });
      try {
        const req = request({ repository: { fullName: "octo/app", cloneUrl: `${server.url}/origin` } });
        const { sources, calls } = fakeSources({ token });
        const { result, log } = await deploy({ request: req, sources });
        expect(result.state).toBe("success");
        expect(calls.gitToken).toBe(1);
        expect(server.authorizations).toContain(`Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`);
        const env = scriptEnv(req.id);
        expect(env.HEAVEN_GIT_TOKEN).toBeUndefined();
        expect(Object.entries(env).filter(([, value]) => value.includes(token))).toEqual([]);
        expect(readFileSync(join(out, `env-${req.id}`), "utf8")).not.toContain(token);
        expect(log()).not.toContain(token);
      } finally {
        await server.close();
      }
    });

    it("masks the token if anything prints it", async () => {
      // The local clone needs no token, so the script can be handed it for this test only.
      const leaky = { ...deps(), baseEnv: { ...deps().baseEnv, SECRET_FOR_TEST: token } };
      const { sources } = fakeSources({ token });
      const { log } = await deploy({ sources, deps: leaky });
      expect(log()).toContain("warming up with ********");
      expect(log()).not.toContain(token);
    });
  });
});

describe("what the configuration gives the provider", () => {
  const NPM_TOKEN = "npm_token_value_0123456789";
  const withHost = (more: Partial<PipelineDeps> = {}): PipelineDeps => ({
    ...deps(),
    hostEnv: { NPM_TOKEN, PRIVATE_KEY: "the app's key" },
    offeredSecrets: ["NPM_TOKEN"],
    ...more,
  });
  const file = (settings: Record<string, unknown>) => fakeSources({ file: { environments: { production: { script: "script/deploy", ...settings } } } }).sources;

  it("passes the environment's env and the secrets it names, masked in the log", async () => {
    const { result, request: req, log } = await deploy({ sources: file({ env: { RAILS_ENV: "production" }, secrets: ["NPM_TOKEN"] }), deps: withHost() });
    expect(result.state).toBe("success");
    expect(scriptEnv(req.id)).toMatchObject({ RAILS_ENV: "production", NPM_TOKEN });
    expect(scriptEnv(req.id).PRIVATE_KEY).toBeUndefined();
    expect(log()).not.toContain(NPM_TOKEN);
  });

  it("refuses a secret the operator does not offer, saying where to offer it", async () => {
    const { result, ran } = await deploy({ sources: file({ secrets: ["PRIVATE_KEY"] }), deps: withHost() });
    expect(result).toMatchObject({ state: "error", description: "secret PRIVATE_KEY is not offered by this heaven; its operator lists what repositories may use in HEAVEN_SECRETS" });
    expect(ran()).toBe(false);
  });

  it("refuses an offered secret that heaven's environment does not have", async () => {
    const { result } = await deploy({ sources: file({ secrets: ["NPM_TOKEN"] }), deps: withHost({ hostEnv: {} }) });
    expect(result).toMatchObject({ state: "error", description: "secret NPM_TOKEN is not set in heaven's environment; ask its operator to set it" });
  });

  it("hands the deploy key and known hosts as 0600 files outside the checkout, removed afterwards", async () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n";
    const { result, request: req } = await deploy({ deps: withHost({ ssh: { privateKey: key, knownHosts: "[127.0.0.1]:2222 ssh-ed25519 AAAA\n" } }) });
    expect(result.state).toBe("success");
    const env = scriptEnv(req.id);
    const keyFile = env.DEPLOY_SSH_KEY_FILE ?? "";
    expect(keyFile).not.toBe("");
    expect(keyFile.startsWith(readFileSync(join(out, `pwd-${req.id}`), "utf8").trim())).toBe(false);
    expect(env.GIT_SSH_COMMAND).toContain("StrictHostKeyChecking=yes");
    expect(env.GIT_SSH_COMMAND).toContain(env.DEPLOY_KNOWN_HOSTS_FILE);
    expect(existsSync(keyFile)).toBe(false);
  });
});

describe("an API provider", () => {
  const API_KEY = "api_key_value_0123456789";
  const apiDeps = (run: ApiProvider["run"]): PipelineDeps => ({
    ...deps(),
    providers: { ...providers, fake: defineProvider({ kind: "api", options: z.object({}).strict(), credentials: ["FAKE_KEY"], variables: ["FAKE_URL"], describe: () => "fake api", run }) },
    hostEnv: { FAKE_KEY: API_KEY, FAKE_URL: "http://fake.example" },
  });
  const fakeFile = fakeSources({ file: { provider: "fake" } }).sources;

  it("gets its credentials and variables, and the status masks a credential its error repeats", async () => {
    let seen: Readonly<Record<string, string>> = {};
    const { result, log } = await deploy({
      sources: fakeFile,
      deps: apiDeps(async (_context, io) => {
        seen = io.credentials;
        return { kind: "failed", message: `the API refused key ${API_KEY} at ${io.credentials.FAKE_URL}` };
      }),
    });
    expect(seen).toEqual({ FAKE_KEY: API_KEY, FAKE_URL: "http://fake.example" });
    expect(result).toMatchObject({ state: "failure", description: "fake api failed: the API refused key ******** at http://fake.example" });
    expect(log()).not.toContain(API_KEY);
  });

  it("ends in error, not failure, when heaven's side is not set up for it", async () => {
    const { result } = await deploy({ sources: fakeFile, deps: apiDeps(async () => ({ kind: "misconfigured", message: "no bucket: set BUCKET in heaven's environment" })) });
    expect(result).toMatchObject({ state: "error", description: "fake api: no bucket: set BUCKET in heaven's environment" });
  });
});
