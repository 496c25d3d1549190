import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import type { DeploymentConfig } from "../../src/core/config.js";
import type { ApiIo, ApiProviderResult, Provider } from "../../src/core/provider.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";
import { DeploymentLog } from "../../src/engine/deployment-log.js";
import { herokuProvider, type HerokuTiming } from "../../providers/heroku.js";
import { pause } from "../../providers/heroku/platform-api.js";
import { providers } from "../../providers/index.js";
import { tempDir } from "../helpers/git-repo.js";
import { deploymentRequest, SHA } from "../helpers/provider-fixtures.js";

const KEY = "heroku-api-key-0f0f0f0f";
const TARBALL = "https://codeload.github.com/acme/web/legacy.tar.gz/0123456?token=AAAA";
const STREAM = "https://build-output.heroku.com/streams/01/build-1.log?signature=x";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal | undefined;
}

/**
 * Heroku as a fetch function: a build created pending, its output stream,
 * and its status from `statuses` one poll at a time (the last one repeats).
 */
function fakeHeroku(script: { statuses: string[]; lines?: string[]; answer?: (call: Call, index: number) => Response | undefined; remaining?: number }) {
  const calls: Call[] = [];
  let polls = 0;
  const build = (status: string) => ({ id: "build-1", status, output_stream_url: STREAM, release: status === "succeeded" ? { id: "release-9" } : null });
  const json = (status: number, data: unknown) =>
    new Response(JSON.stringify(data), { status, headers: { "content-type": "application/json", "ratelimit-remaining": String(script.remaining ?? 4000) } });
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const call: Call = {
      url: String(input),
      method: init.method ?? "GET",
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
      signal: init.signal ?? undefined,
    };
    calls.push(call);
    const scripted = script.answer?.(call, calls.length - 1);
    if (scripted !== undefined) return scripted;
    if (call.url === STREAM) return new Response((script.lines ?? []).join("\n"), { status: 200 });
    if (call.method === "POST") return json(201, build("pending"));
    return json(200, build(script.statuses[Math.min(polls++, script.statuses.length - 1)] ?? "pending"));
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** Pauses recorded, not waited (a wake still counts: it is the stream ending). */
function recordedTiming(): HerokuTiming & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    pause: async (ms, signal, wake) => {
      if (signal.aborted) throw signal.reason;
      waits.push(ms);
      await wake;
    },
    pollMs: 1_000,
    lowRateRemaining: 50,
    lowRatePollMs: 30_000,
    outputGraceMs: 5_000,
    attempts: 3,
    backoffMs: 2_000,
  };
}

const request = deploymentRequest({ repository: { fullName: "acme/web", cloneUrl: "https://github.com/acme/web.git" }, creator: "hubot" });

let dir: ReturnType<typeof tempDir>;
let log: DeploymentLog;
let lines: string[];

beforeEach(async () => {
  dir = tempDir("heaven-heroku-");
  lines = [];
  log = await DeploymentLog.open(join(dir.path, "42.log"), { secrets: [KEY], echo: (line) => lines.push(line) });
});

afterEach(async () => {
  await log.close();
  dir.remove();
});

async function deploy(
  provider: Provider,
  fetch: typeof globalThis.fetch,
  io: Partial<ApiIo> & { credentials?: Record<string, string> } = {},
  options: Record<string, unknown> = { heroku_app: "acme-web" },
): Promise<ApiProviderResult> {
  if (provider.kind !== "api") throw new Error("heroku should be an API provider");
  const config = { provider: "heroku", timeoutSeconds: 60, options } as unknown as DeploymentConfig;
  const context = { request, config, options, checkoutDir: dir.path, ssh: { identityFile: undefined, knownHostsFile: undefined, sshArgs: [] }, env: {} };
  return provider.run(context, {
    signal: new AbortController().signal,
    log,
    fetch,
    credentials: { HEROKU_API_KEY: KEY },
    source: { archive: () => Promise.reject(new Error("no archives here")), tarballUrl: async () => TARBALL },
    ...io,
  });
}

describe("the heroku provider", () => {
  it("creates a build of the sha from GitHub's tarball link, with version 3 and the key as a bearer token", async () => {
    const heroku = fakeHeroku({ statuses: ["succeeded"], lines: ["-----> Building on the Heroku-24 stack", "-----> Node.js app detected"] });
    const timing = recordedTiming();
    const result = await deploy(herokuProvider(timing), heroku.fetch);

    expect(result).toEqual({ kind: "succeeded", release: { id: "release-9" } });
    // The first poll came when the stream ended; then the output's grace.
    expect(timing.waits).toEqual([1_000, 5_000]);
    const [create, ...rest] = heroku.calls;
    expect({ ...create, signal: undefined }).toEqual({
      signal: undefined,
      url: "https://api.heroku.com/apps/acme-web/builds",
      method: "POST",
      headers: { accept: "application/vnd.heroku+json; version=3", authorization: `Bearer ${KEY}`, "content-type": "application/json", "user-agent": "heaven" },
      body: { source_blob: { url: TARBALL, version: SHA } },
    });
    const poll = rest.find((call) => call.url.endsWith("/builds/build-1"));
    expect(poll).toMatchObject({ url: "https://api.heroku.com/apps/acme-web/builds/build-1", method: "GET", headers: { authorization: `Bearer ${KEY}` } });
    // The output stream is Heroku's signed link: it never gets the key.
    expect(rest.find((call) => call.url === STREAM)?.headers.authorization).toBeUndefined();
    expect(lines).toEqual(expect.arrayContaining(["-----> Building on the Heroku-24 stack", "-----> Node.js app detected", "heaven: Heroku build build-1 started"]));
    expect(lines.join("\n")).not.toContain(KEY);
  });

  it("calls the API where HEROKU_API_URL says, and names the build id when the build has no release", async () => {
    const heroku = fakeHeroku({ statuses: ["succeeded"], answer: (call) => (call.method === "GET" && call.url !== STREAM ? Response.json({ id: "build-1", status: "succeeded", release: null }) : undefined) });
    const result = await deploy(herokuProvider(recordedTiming()), heroku.fetch, { credentials: { HEROKU_API_KEY: KEY, HEROKU_API_URL: "http://127.0.0.1:9/heroku/" } });
    expect(result).toEqual({ kind: "succeeded", release: { id: "build-1" } });
    expect(heroku.calls[0]?.url).toBe("http://127.0.0.1:9/heroku/apps/acme-web/builds");
  });

  it("waits as long as a 429's Retry-After says, then creates the build", async () => {
    const heroku = fakeHeroku({
      statuses: ["succeeded"],
      answer: (call, index) => (index === 0 ? new Response(JSON.stringify({ id: "rate_limit" }), { status: 429, headers: { "retry-after": "7" } }) : undefined),
    });
    const timing = recordedTiming();
    const result = await deploy(herokuProvider(timing), heroku.fetch);
    expect(result.kind).toBe("succeeded");
    expect(heroku.calls.filter((call) => call.method === "POST")).toHaveLength(2);
    expect(timing.waits[0]).toBe(7_000);
    expect(lines).toContain("heaven: Heroku's rate limit was reached (429); asking Heroku to create a build again in 7 s");
  });

  it("backs off when a 429 says nothing, and gives up with a message once its attempts are spent", async () => {
    const heroku = fakeHeroku({ statuses: ["succeeded"], answer: () => new Response("{}", { status: 429 }) });
    const timing = recordedTiming();
    const result = await deploy(herokuProvider(timing), heroku.fetch);
    expect(timing.waits).toEqual([2_000, 4_000]);
    expect(result).toEqual({ kind: "failed", message: "Heroku's rate limit held through every attempt to create a build (429); wait a few minutes and deploy again" });
  });

  it("polls again through a brief 503, but never sends a build's creation twice", async () => {
    const outage = (call: Call) => (call.method === "GET" && call.url.endsWith("/builds/build-1") ? new Response("{}", { status: 503 }) : undefined);
    let polls = 0;
    const flaky = fakeHeroku({ statuses: ["succeeded"], answer: (call) => (outage(call) !== undefined && polls++ === 0 ? outage(call) : undefined) });
    const timing = recordedTiming();
    expect(await deploy(herokuProvider(timing), flaky.fetch)).toEqual({ kind: "succeeded", release: { id: "release-9" } });
    expect(timing.waits).toEqual([1_000, 2_000, 5_000]);

    const down = fakeHeroku({ statuses: [], answer: (call) => (call.method === "POST" ? new Response("{}", { status: 503 }) : undefined) });
    expect(await deploy(herokuProvider(recordedTiming()), down.fetch)).toEqual({ kind: "failed", message: "Heroku answered 503 when asked to create a build" });
    expect(down.calls.map((call) => call.method)).toEqual(["POST"]);
  });

  it("polls less often while RateLimit-Remaining is low", async () => {
    const heroku = fakeHeroku({ statuses: ["pending", "pending", "succeeded"], remaining: 12 });
    const timing = recordedTiming();
    await deploy(herokuProvider(timing), heroku.fetch);
    // The first poll follows the stream's end; the create answer already said 12 were left.
    expect(timing.waits.slice(0, 3)).toEqual([30_000, 30_000, 30_000]);
    expect(lines.filter((line) => line.includes("left"))).toEqual(["heaven: Heroku says 12 API requests are left; polling the build every 30 s"]);
  });

  it("reports a failed build with its id and last output line", async () => {
    const heroku = fakeHeroku({ statuses: ["pending", "failed"], lines: ["-----> Installing dependencies", " !     Push rejected, failed to compile Node.js app."] });
    const result = await deploy(herokuProvider(recordedTiming()), heroku.fetch);
    expect(result).toEqual({ kind: "failed", message: 'build build-1: " !     Push rejected, failed to compile Node.js app."' });
  });

  it("says to set HEROKU_API_KEY when heaven's environment has none, and calls nothing", async () => {
    const heroku = fakeHeroku({ statuses: ["succeeded"] });
    const result = await deploy(herokuProvider(recordedTiming()), heroku.fetch, { credentials: {} });
    expect(result).toEqual({ kind: "misconfigured", message: expect.stringContaining("HEROKU_API_KEY is not set; set it in heaven's environment") });
    expect(heroku.calls).toEqual([]);
  });

  it("turns a refused key and an unknown app into sentences saying what to fix", async () => {
    const refused = fakeHeroku({ statuses: [], answer: () => Response.json({ id: "unauthorized", message: "Invalid credentials provided." }, { status: 401 }) });
    expect(await deploy(herokuProvider(recordedTiming()), refused.fetch)).toEqual({
      kind: "failed",
      message: "Heroku refused HEROKU_API_KEY (401: Invalid credentials provided.); set a valid API key in heaven's environment",
    });
    const unknown = fakeHeroku({ statuses: [], answer: () => Response.json({ id: "not_found", message: "Couldn't find that app." }, { status: 404 }) });
    expect(await deploy(herokuProvider(recordedTiming()), unknown.fetch)).toEqual({
      kind: "failed",
      message: "Heroku has no app acme-web that HEROKU_API_KEY can see (404: Couldn't find that app.); check heroku_app",
    });
  });

  it("stops polling and reading the output the moment heaven's signal aborts", async () => {
    const deadline = new AbortController();
    const heroku = fakeHeroku({
      statuses: ["pending"],
      answer: (call, index) => {
        if (index === 4) deadline.abort(new Error("deadline"));
        if (call.url !== STREAM) return undefined;
        // A stream that never ends, failing as undici's does when its signal aborts.
        const body = new ReadableStream<Uint8Array>({
          start: (controller) => {
            controller.enqueue(new TextEncoder().encode("-----> still building\n"));
            call.signal?.addEventListener("abort", () => controller.error(call.signal?.reason));
          },
        });
        return new Response(body, { status: 200 });
      },
    });
    const run = deploy(herokuProvider({ ...recordedTiming(), pause, pollMs: 5 }), heroku.fetch, { signal: deadline.signal });
    await expect(run).rejects.toThrow("deadline");
    // Nothing was asked after the abort, and nothing asked before it is still going.
    expect(heroku.calls).toHaveLength(5);
    expect(heroku.calls.every((call) => call.signal?.aborted === true)).toBe(true);
    expect(lines).toContain("-----> still building");
  });
});

describe("heroku options", () => {
  const resolve = (file: unknown, payloadConfig?: unknown, environment = "production") =>
    resolveConfig({ file, payloadConfig, environment, providers, defaultTimeoutSeconds: 300 });
  const appOf = (file: unknown, payloadConfig?: unknown, environment?: string) => {
    const resolved = resolve(file, payloadConfig, environment);
    if (!resolved.ok) throw new Error(resolved.error);
    return resolved.config.options;
  };

  it("takes heroku_app from the environment over the top level", () => {
    const file = { provider: "heroku", heroku_app: "acme-web", environments: { production: null, staging: { heroku_app: "acme-staging" } } };
    expect(appOf(file, undefined, "production")).toEqual({ heroku_app: "acme-web" });
    expect(appOf(file, undefined, "staging")).toEqual({ heroku_app: "acme-staging" });
  });

  it("reads Heaven's heroku_name as heroku_app, where it is written", () => {
    expect(appOf({ provider: "heroku", heroku_name: "acme-old" })).toEqual({ heroku_app: "acme-old" });
    // The environment's heroku_app over a top-level heroku_name; heroku_app over heroku_name side by side.
    expect(appOf({ provider: "heroku", heroku_name: "acme-old", environments: { production: { heroku_app: "acme-new" } } })).toEqual({ heroku_app: "acme-new" });
    expect(appOf({ provider: "heroku", heroku_name: "acme-old", heroku_app: "acme-web" })).toEqual({ heroku_app: "acme-web" });
    // A payload never overrides the file's old spelling.
    expect(appOf({ provider: "heroku", heroku_name: "acme-old" }, { heroku_name: "acme-evil" })).toEqual({ heroku_app: "acme-old" });
  });

  it("takes hubot-deploy's heroku_<environment>_name from the payload, and the file's app over it", () => {
    const payload = { provider: "heroku", heroku_production_name: "acme-web", heroku_staging_name: "acme-staging" };
    expect(appOf(null, payload)).toEqual({ heroku_app: "acme-web" });
    expect(appOf(null, payload, "staging")).toEqual({ heroku_app: "acme-staging" });
    expect(appOf({ heroku_app: "acme-pinned" }, payload)).toEqual({ heroku_app: "acme-pinned" });
  });

  it("says to set heroku_app when nothing names the app", () => {
    expect(resolve({ provider: "heroku" })).toEqual({
      ok: false,
      error: expect.stringMatching(/heroku_app: is not set; name the Heroku app to deploy to, at the top level or under the environment, like heroku_app: acme-web \(provider heroku\)$/),
    });
  });

  it("refuses an app name that is not Heroku's", () => {
    expect(resolve({ provider: "heroku", environments: { production: { heroku_app: "../../account" } } })).toEqual({
      ok: false,
      error: ".github/heaven.yml: environments.production.heroku_app: must be a Heroku app name: lowercase letters, digits and dashes, like acme-web (provider heroku)",
    });
  });
});
