/** A Probot instance wired to heaven for integration tests (nock answers GitHub). */
import { Probot } from "probot";
import { afterEach, beforeEach, expect } from "@jest/globals";
import nock from "nock";
import { join } from "node:path";
import { tempDir } from "./git-repo.js";
import { createCore } from "../../src/create-core.js";
import type { DeliveringOutbox } from "../../src/github/postgres-outbox.js";
import { heavenApp } from "../../src/index.js";
import type { Deployer } from "../../src/pipeline/deployer.js";
import { EmbeddedQueue } from "../../src/queue/embedded-queue.js";
import { loadSettings } from "../../src/settings.js";
import { appPrivateKey, quietOctokit } from "./app-credentials.js";

export interface TestApp {
  probot: Probot;
  deployer: Deployer;
  queue: EmbeddedQueue;
  outbox: DeliveringOutbox;
  logSecret: string;
  /** Nothing runs or waits for a worker, and every GitHub write has gone out (or been given up). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Writes as fast as the test can take them: pacing is measured in the benchmark, not here. */
export const UNPACED = { minSpacingMs: 0, perMinute: 1_000_000, perHour: 1_000_000 };

/** `beforeLoad`: sees the Probot instance before heaven is loaded into it (to record what heaven registers, say). */
export async function testApp(options: { dataDir: string; retry?: boolean; concurrency?: number; beforeLoad?: (probot: Probot) => void }): Promise<TestApp> {
  // The server's own wiring, from settings as the environment would give them.
  const settings = loadSettings({
    HEAVEN_DATA_DIR: options.dataDir,
    HEAVEN_URL: "https://heaven.example.com",
    HEAVEN_LOG_SECRET: "test-log-secret-0123456789",
    HEAVEN_CONCURRENCY: String(options.concurrency ?? 2),
    DEPLOYMENT_TIMEOUT: "30",
    PATH: process.env.PATH ?? "/usr/bin:/bin",
  });
  const core = await createCore(settings, { journal: true, abortReason: "heaven's shutdown", killGraceMs: 200 });
  const { deployer, queue, logSecret } = core;
  // No DATABASE_URL in these settings: the embedded queue, whose idle() the tests wait on.
  if (!(queue instanceof EmbeddedQueue)) throw new Error("testApp expects the embedded queue");
  const probot = new Probot({ appId: 1, privateKey: appPrivateKey(), Octokit: quietOctokit({ retry: options.retry }), logLevel: "fatal" });
  const heaven = heavenApp({ ...core.app, outbox: { pacing: UNPACED } });
  options.beforeLoad?.(probot);
  await probot.load(heaven.app, { cwd: process.cwd(), addHandler: () => undefined });
  const { outbox, intake } = await heaven.loaded;
  return {
    probot,
    deployer,
    queue,
    outbox,
    logSecret,
    idle: async () => {
      // Events are handled after their answer: what they start must be under way before the queue is asked.
      await intake.idle();
      await queue.idle();
      await outbox.idle();
    },
    close: async () => {
      await intake.stop(1_000);
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

/**
 * Registers a fresh test app per test (and a temp dir for it), and fails a
 * test that made a GitHub request no nock scope answered. `app()` is the
 * running test's app, `dir()` its temp dir.
 */
export function useTestApp(): { app: () => TestApp; dir: () => string } {
  let tmp: { path: string; remove: () => void } | undefined;
  let app: TestApp | undefined;
  let unmatched: string[] = [];
  const onNoMatch = (request: { method?: string; path?: string }, options?: { method?: string; path?: string }) => {
    const seen = options ?? request;
    unmatched.push(`${seen.method ?? "?"} ${seen.path ?? "?"}`);
  };
  beforeEach(async () => {
    tmp = tempDir();
    unmatched = [];
    nock.emitter.on("no match", onNoMatch);
    app = await testApp({ dataDir: join(tmp.path, "data") });
  });
  afterEach(async () => {
    await app?.close();
    nock.emitter.removeListener("no match", onNoMatch);
    nock.cleanAll();
    tmp?.remove();
    expect(unmatched).toEqual([]);
  });
  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useTestApp: no test is running");
    return value;
  };
  return { app: () => running(app), dir: () => running(tmp).path };
}
