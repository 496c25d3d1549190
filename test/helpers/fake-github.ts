/**
 * A small fake of GitHub's REST API (Enterprise Server layout, under
 * /api/v3) for end-to-end tests: just the routes heaven uses, with state a
 * test can set and inspect. heaven reaches it through GHE_HOST/GHE_PROTOCOL.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

export interface DeploymentStatusBody {
  state: string;
  description: string;
  log_url?: string;
  environment_url?: string;
}

interface RepoState {
  /** `.github/heaven.yml` on the default branch; undefined: no such file. */
  config: string | undefined;
  statuses: Map<string, Array<{ context: string; state: string }>>;
  checkRuns: Map<string, Array<{ name: string; status: string; conclusion: string | null }>>;
}

type Waiter = { test: () => boolean; resolve: () => void };

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly deploymentStatuses = new Map<number, DeploymentStatusBody[]>();
  private readonly repos = new Map<string, RepoState>();
  private readonly failures: Array<{ method: string; path: RegExp; status: number; times: number }> = [];
  private waiters: Waiter[] = [];
  private server: Server | undefined;
  host = "";

  repo(fullName: string): RepoState {
    let state = this.repos.get(fullName);
    if (state === undefined) {
      state = { config: undefined, statuses: new Map(), checkRuns: new Map() };
      this.repos.set(fullName, state);
    }
    return state;
  }

  /** The next `times` requests matching method and path get `status`. */
  fail(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, times });
  }

  statusesOf(deploymentId: number): DeploymentStatusBody[] {
    return this.deploymentStatuses.get(deploymentId) ?? [];
  }

  /** Resolves once the deployment has a status for which `done` holds (checked on every request). */
  waitFor(test: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      if (test()) resolve();
      else this.waiters.push({ test, resolve });
    });
  }

  waitForFinalStatus(deploymentId: number): Promise<DeploymentStatusBody> {
    const final = () => this.statusesOf(deploymentId).find((s) => ["success", "failure", "error"].includes(s.state));
    return this.waitFor(() => final() !== undefined).then(() => final() as DeploymentStatusBody);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v3/, "");
    const method = req.method ?? "GET";
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    this.requests.push({ method, path, body });

    const reply = (status: number, data: unknown, type = "application/json; charset=utf-8") => {
      res.writeHead(status, { "content-type": type });
      res.end(typeof data === "string" ? data : JSON.stringify(data));
    };

    const failure = this.failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (failure !== undefined) {
      failure.times -= 1;
      reply(failure.status, { message: "fake GitHub failure" });
      return this.notify();
    }

    let match: RegExpExecArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      reply(201, { token: "ghs_faketoken0123456789", expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    } else if (method === "GET" && (match = /^\/repos\/([^/]+\/[^/]+)\/contents\/\.github\/heaven\.yml$/.exec(path))) {
      const config = this.repo(match[1] as string).config;
      if (config === undefined) reply(404, { message: "Not Found" });
      else reply(200, config, "application/vnd.github.raw; charset=utf-8");
    } else if (method === "GET" && (match = /^\/repos\/([^/]+\/[^/]+)\/commits\/([0-9a-f]+)\/status$/.exec(path))) {
      const statuses = this.repo(match[1] as string).statuses.get(match[2] as string) ?? [];
      reply(200, { state: "pending", total_count: statuses.length, statuses });
    } else if (method === "GET" && (match = /^\/repos\/([^/]+\/[^/]+)\/commits\/([0-9a-f]+)\/check-runs$/.exec(path))) {
      const runs = this.repo(match[1] as string).checkRuns.get(match[2] as string) ?? [];
      reply(200, { total_count: runs.length, check_runs: runs });
    } else if (method === "POST" && (match = /^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses$/.exec(path))) {
      const id = Number(match[1]);
      const list = this.deploymentStatuses.get(id) ?? [];
      list.push(body as unknown as DeploymentStatusBody);
      this.deploymentStatuses.set(id, list);
      reply(201, { id: list.length, ...body });
    } else {
      reply(404, { message: `fake GitHub has no route for ${method} ${path}` });
    }
    this.notify();
  }

  private notify(): void {
    const pending = this.waiters;
    this.waiters = [];
    for (const waiter of pending) {
      if (waiter.test()) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }
}
