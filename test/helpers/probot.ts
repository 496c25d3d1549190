/** A Probot instance wired to heaven for integration tests (nock answers GitHub). */
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { Probot, ProbotOctokit } from "probot";
import nock from "nock";
import { providers } from "../../providers/index.js";
import { Workspaces } from "../../src/engine/workspace.js";
import type { Outbox } from "../../src/github/outbox.js";
import { heavenApp } from "../../src/index.js";
import { Deployer } from "../../src/pipeline/deployer.js";
import { EmbeddedQueue } from "../../src/queue/embedded-queue.js";

let privateKey: string | undefined;
function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return privateKey;
}

export interface TestApp {
  probot: Probot;
  deployer: Deployer;
  queue: EmbeddedQueue;
  outbox: Outbox;
  logSecret: string;
  /** Nothing runs or waits for a worker, and every GitHub write has gone out (or been given up). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Writes as fast as the test can take them: pacing is measured in the benchmark, not here. */
export const UNPACED = { minSpacingMs: 0, perMinute: 1_000_000, perHour: 1_000_000 };

export async function testApp(options: { dataDir: string; retry?: boolean; concurrency?: number }): Promise<TestApp> {
  const logSecret = "test-log-secret-0123456789";
  const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  const queue = await EmbeddedQueue.open({ journalFile: join(options.dataDir, "journal.jsonl"), concurrency: options.concurrency ?? 2 });
  const deployer = new Deployer(queue, {
    dataDir: options.dataDir,
    baseUrl: "https://heaven.example.com",
    logSecret,
    canPark: true,
    abortReason: "heaven's shutdown",
    pipeline: { providers, workspaces: new Workspaces(options.dataDir, baseEnv), defaultTimeoutSeconds: 30, baseEnv, secrets: [], killGraceMs: 200 },
  });
  // The function form is the one that really turns throttling off (see TOOLCHAIN.md).
  const Octokit = ProbotOctokit.defaults((o: { throttle?: object }) => ({
    ...o,
    retry: { enabled: options.retry ?? false },
    throttle: { ...o.throttle, enabled: false },
  }));
  const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), Octokit, logLevel: "fatal" });
  const heaven = heavenApp({ deployer, dataDir: options.dataDir, logSecret, knownProviders: Object.keys(providers), defaultTimeoutSeconds: 30, outbox: { pacing: UNPACED } });
  await probot.load(heaven.app, { cwd: process.cwd(), addHandler: () => undefined });
  const { outbox } = await heaven.loaded;
  return {
    probot,
    deployer,
    queue,
    outbox,
    logSecret,
    idle: async () => {
      await queue.idle();
      await outbox.idle();
    },
    close: async () => {
      await queue.drain(0);
      await queue.close();
      await outbox.close();
    },
  };
}

export interface ApiCall {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

/** A nock scope for api.github.com that records every request it answers, in order. */
export function githubScope(): { scope: nock.Scope; calls: ApiCall[]; next: (match: (call: ApiCall) => boolean) => Promise<ApiCall> } {
  const scope = nock("https://api.github.com");
  const calls: ApiCall[] = [];
  const waiters: Array<{ match: (call: ApiCall) => boolean; resolve: (call: ApiCall) => void }> = [];
  scope.on("request", (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
    const call = { method: req.method, path: req.path, body: body ? (JSON.parse(body) as Record<string, unknown>) : undefined };
    calls.push(call);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(call)) waiter.resolve(call);
      else waiters.push(waiter);
    }
  });
  // Installation tokens are minted once and cached; they are not per-deployment calls.
  // (A scope of their own: persist() applies to every interceptor of a scope.)
  nock("https://api.github.com")
    .persist()
    .post(/\/app\/installations\/\d+\/access_tokens/)
    .reply(201, { token: "ghs_installationtoken1234", expires_at: "2099-01-01T00:00:00Z" });
  const next = (match: (call: ApiCall) => boolean) =>
    new Promise<ApiCall>((resolve) => {
      const seen = calls.find(match);
      if (seen) resolve(seen);
      else waiters.push({ match, resolve });
    });
  return { scope, calls, next };
}

/** Calls against the repository (what the per-deployment budget counts). */
export const repoCalls = (calls: ApiCall[]) => calls.filter((call) => call.path.startsWith("/repos/"));
export const statusBodies = (calls: ApiCall[]) =>
  calls.filter((call) => call.method === "POST" && call.path.includes("/statuses")).map((call) => call.body ?? {});
