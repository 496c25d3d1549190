/**
 * A small fake of Heroku's Platform API builds on 127.0.0.1: `POST
 * /apps/{app}/builds` fetches the source blob's URL (as Heroku does) and
 * lists the archive, the build's output stream sends its lines over time, and
 * `GET /apps/{app}/builds/{id}` reports pending until the last line is out. A
 * test chooses what builds of each app do (succeed, fail, stay pending), and
 * can answer the next matching request with a 429.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HerokuRequest {
  method: string;
  path: string;
  accept: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
  /** When it arrived (ms since the epoch). */
  at: number;
  status: number;
}

/** What a build of an app does: its output lines (sent `lineDelayMs` apart) and how it ends. */
export interface BuildPlan {
  outcome: "succeeded" | "failed" | "pending";
  lines: string[];
  lineDelayMs: number;
}

export interface FakeBuild {
  id: string;
  app: string;
  status: "pending" | "succeeded" | "failed";
  sourceBlob: { url: string; version: string };
  /** What fetching the source blob gave: the HTTP status and the archive's entries. */
  source: { status: number; entries: string[] } | undefined;
  release: { id: string } | null;
  /** The lines the build has printed so far. */
  output: string[];
  createdAt: number;
  /** When heaven's reader of the output stream went away. */
  streamClosedAt: number | undefined;
}

type Waiter = { test: () => boolean; resolve: () => void };

export class FakeHeroku {
  readonly requests: HerokuRequest[] = [];
  readonly builds: FakeBuild[] = [];
  /** `RateLimit-Remaining` on every answer. */
  remaining = 4500;
  url = "";
  private readonly plans = new Map<string, BuildPlan>();
  /** Emits "change" whenever a build prints or ends, or a stream reader leaves. */
  private readonly changes = new EventEmitter().setMaxListeners(0);
  private readonly limits: Array<{ method: string; path: RegExp; retryAfter: number | undefined }> = [];
  private waiters: Waiter[] = [];
  private server: Server | undefined;

  constructor(readonly apiKey: string) {}

  /** Makes `name` an app the key can deploy; other apps answer 404. */
  app(name: string, plan: Partial<BuildPlan> = {}): void {
    this.plans.set(name, { outcome: "succeeded", lines: [], lineDelayMs: 50, ...plan });
  }

  /** The next request matching answers 429, with `Retry-After: retryAfter` when given. */
  rateLimitOnce(method: string, path: RegExp, retryAfter?: number): void {
    this.limits.push({ method, path, retryAfter });
  }

  waitFor(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (test()) return resolve();
      const timer = setTimeout(() => reject(new Error(`fake Heroku: gave up waiting for ${what}`)), timeoutMs);
      this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.test()) waiter.resolve();
      else this.waiters.push(waiter);
    }
    this.changes.emit("change");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake.invalid").pathname;
    const recorded: HerokuRequest = {
      method,
      path,
      accept: req.headers.accept,
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
      body: raw === "" ? undefined : (JSON.parse(raw) as unknown),
      at: Date.now(),
      status: 0,
    };
    this.requests.push(recorded);
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      recorded.status = status;
      res.writeHead(status, { "content-type": "application/json", "ratelimit-remaining": String(this.remaining), ...headers });
      res.end(JSON.stringify(data));
      this.notify();
    };
    const stream = /^\/streams\/([0-9a-f-]+)$/.exec(path);
    // Output streams are links of their own: no key needed (heaven should send none).
    if (method === "GET" && stream !== null) return this.stream(stream[1] as string, recorded, res);

    const limit = this.limits.find((l) => l.method === method && l.path.test(path));
    if (limit !== undefined) {
      this.limits.splice(this.limits.indexOf(limit), 1);
      const { retryAfter } = limit;
      return reply(429, { id: "rate_limit", message: "Your account reached the API rate limit" }, retryAfter === undefined ? {} : { "retry-after": String(retryAfter) });
    }
    if (!/(^|;)\s*version=3\s*(;|$)/.test(recorded.accept ?? "")) return reply(400, { id: "bad_request", message: "Please specify a version in the Accept header" });
    if (recorded.authorization !== `Bearer ${this.apiKey}`) return reply(401, { id: "unauthorized", message: "Invalid credentials provided." });
    const route = /^\/apps\/([^/]+)\/builds(?:\/([^/]+))?$/.exec(path);
    const app = route?.[1];
    if (route === null || app === undefined) return reply(404, { id: "not_found", message: `fake Heroku has no route for ${method} ${path}` });
    if (!this.plans.has(app)) return reply(404, { id: "not_found", message: "Couldn't find that app.", resource: "app" });

    if (method === "POST" && route[2] === undefined) {
      const blob = (recorded.body as { source_blob?: { url?: unknown; version?: unknown } } | undefined)?.source_blob;
      if (typeof blob?.url !== "string") return reply(422, { id: "invalid_params", message: "source_blob.url is required" });
      const build: FakeBuild = {
        id: randomUUID(),
        app,
        status: "pending",
        sourceBlob: { url: blob.url, version: String(blob.version) },
        source: undefined,
        release: null,
        output: [],
        createdAt: Date.now(),
        streamClosedAt: undefined,
      };
      this.builds.push(build);
      reply(201, this.json(build));
      return this.run(build, this.plans.get(app) as BuildPlan);
    }
    const build = this.builds.find((b) => b.app === app && b.id === route[2]);
    if (method === "GET" && build !== undefined) return reply(200, this.json(build));
    reply(404, { id: "not_found", message: "Couldn't find that build." });
  }

  private json(build: FakeBuild) {
    return {
      id: build.id,
      app: { id: build.app },
      status: build.status,
      source_blob: { ...build.sourceBlob, checksum: null },
      output_stream_url: `${this.url}/streams/${build.id}`,
      release: build.release,
      created_at: new Date(build.createdAt).toISOString(),
    };
  }

  /** The build, whoever watches: fetch the source as Heroku does, print the plan's lines over time, end as planned. */
  private async run(build: FakeBuild, plan: BuildPlan): Promise<void> {
    build.source = await this.fetchSource(build.sourceBlob.url);
    const files = build.source.entries.filter((entry) => !entry.endsWith("/")).map((entry) => entry.replace(/^[^/]+\//, ""));
    const lines = [
      `-----> Building source version ${build.sourceBlob.version}`,
      build.source.status === 200 ? `-----> Fetched ${build.source.entries[0] ?? "nothing"}: ${files.join(", ")}` : `-----> could not fetch the source (${build.source.status})`,
      ...plan.lines,
      ...(plan.outcome === "succeeded" ? ["-----> Launching...", "       Released"] : []),
    ];
    for (const line of lines) {
      build.output.push(line);
      this.notify();
      await new Promise((resolve) => setTimeout(resolve, plan.lineDelayMs).unref());
    }
    if (plan.outcome === "pending") return;
    build.status = build.source.status === 200 ? plan.outcome : "failed";
    if (build.status === "succeeded") build.release = { id: randomUUID() };
    this.notify();
  }

  /** Lists the archive at `url` (tar reads it from stdin; no shell). */
  private async fetchSource(url: string): Promise<{ status: number; entries: string[] }> {
    try {
      const response = await fetch(url, { redirect: "manual" });
      const archive = Buffer.from(await response.arrayBuffer());
      if (!response.ok) return { status: response.status, entries: [] };
      return { status: response.status, entries: execFileSync("tar", ["-tzf", "-"], { input: archive, encoding: "utf8" }).trim().split("\n") };
    } catch (error) {
      return { status: 0, entries: [String(error)] };
    }
  }

  /** The build's output so far, then each line as it comes; ends when the build does (a pending build's never does). */
  private async stream(id: string, recorded: HerokuRequest, res: ServerResponse): Promise<void> {
    const build = this.builds.find((b) => b.id === id);
    recorded.status = build === undefined ? 404 : 200;
    if (build === undefined) return void res.writeHead(404).end("no such stream");
    res.on("close", () => {
      build.streamClosedAt ??= Date.now();
      this.notify();
    });
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    this.notify();
    for (let sent = 0; !res.destroyed; ) {
      while (sent < build.output.length) res.write(`${build.output[sent++]}\n`);
      if (build.status !== "pending") return void res.end();
      await new Promise((resolve) => this.changes.once("change", resolve));
    }
  }
}
