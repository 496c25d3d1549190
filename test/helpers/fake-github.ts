/**
 * A small fake of GitHub's REST API (Enterprise Server layout, under
 * /api/v3) for end-to-end tests: just the routes heaven uses, with state a
 * test can set and inspect. heaven reaches it through GHE_HOST/GHE_PROTOCOL.
 *
 * Repositories registered with `addRepo` are backed by a real git repository
 * on disk (the "origin" heaven clones from): deployments resolve their ref
 * with git, merges are real merges, compare counts real commits. Creating a
 * deployment delivers a `deployment` webhook to heaven, as GitHub does, once
 * the test has set `deliver`.
 *
 * Every webhook it sends is recorded as a delivery, as GitHub records them
 * (see fake-deliveries.ts), and the App webhook delivery API lists and
 * redelivers them. Tests can also take GitHub down for a while (`outage`),
 * fail chosen requests (`fail`, with rate-limit headers), and revoke the
 * installation tokens it minted (`revokeTokens`). A commit's tarball link
 * (`GET …/tarball/{ref}`) is a 302 to an archive it serves (fake-tarballs.ts).
 * The pull-request conversation (comments, reactions, pulls, commits,
 * permissions, teams) is fake-conversation.ts, reached as `conversation`.
 * A repository registered with `gitOverHttp` is cloned over smart HTTP from
 * the fake itself, behind its installation tokens (fake-git-http.ts), and
 * `latencyMs` delays every answer, API and git alike, as a distant GitHub would.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookExample } from "./examples.js";
import { conversationState, FakeConversation, type ConversationState } from "./fake-conversation.js";
import { DeliveryLog, type Deliver, type HookDelivery } from "./fake-deliveries.js";
import { FakeGitHttp, type GitRequest } from "./fake-git-http.js";
import { FakeOAuth } from "./fake-oauth.js";
import { FakeTarballs } from "./fake-tarballs.js";

export type { Deliver, DeliverAnswer, HookDelivery } from "./fake-deliveries.js";
export type { FakeComment, FakePermission, FakePull, FakeReaction } from "./fake-conversation.js";
export type { GitRequest } from "./fake-git-http.js";

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters (last value wins). */
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  /** The Authorization header as sent. */
  authorization: string | undefined;
  /** The credential it carried, without its scheme: an installation token (`ghs_…`) or the App's JWT. */
  token: string | undefined;
  /** The If-None-Match header: a conditional request. */
  ifNoneMatch?: string | undefined;
  /** The HTTP status the fake answered. */
  status?: number;
}

export interface DeploymentStatusBody {
  state: string;
  description: string;
  log_url?: string;
  environment_url?: string;
}

export interface CommitStatusPosted {
  sha: string;
  state: string;
  context: string;
  description: string | undefined;
}

export interface RegisteredRepo {
  /** The origin git repository on disk. */
  dir: string;
  defaultBranch: string;
  installationId: number;
  /** Cloned over smart HTTP from the fake (`http://<host>/<owner>/<repo>.git`) rather than from `file://<dir>`. */
  gitOverHttp?: boolean;
}

interface RepoState extends ConversationState {
  /**
   * `.github/heaven.yml` on the default branch. undefined: read from the
   * registered origin's default branch (no such file there, or no origin: 404).
   */
  config: string | undefined;
  statuses: Map<string, Array<{ context: string; state: string; description?: string }>>;
  checkRuns: Map<string, Array<{ name: string; status: string; conclusion: string | null }>>;
  /** Commit statuses heaven posted (`POST /repos/:o/:r/statuses/:sha`), oldest first. */
  postedStatuses: CommitStatusPosted[];
  registered: RegisteredRepo | undefined;
}

export interface StoredDeployment {
  id: number;
  /** `owner/name` of the repository it belongs to. */
  repository: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: Record<string, unknown>;
  description: string | null;
  creator: { login: string; type: string };
  created_at: string;
}

export interface NewDeploymentInput {
  fullName: string;
  ref: string;
  environment: string;
  task?: string;
  payload?: Record<string, unknown>;
  description?: string;
  creator: { login: string; type?: string };
}

/** How a failed request answers: extra headers (`retry-after`, `x-ratelimit-*`) and the message. */
export interface FailureResponse {
  headers?: Record<string, string>;
  message?: string;
}

interface Outage {
  until: number;
  method?: string;
  path?: RegExp;
}

type Waiter = { test: () => boolean; resolve: () => void };

/** Routes that answer with an ETag and honour If-None-Match: a repository, its installation, its deployments and their statuses. */
const CONDITIONAL = /^\/repos\/[^/]+\/[^/]+(\/installation|\/deployments(\/\d+\/statuses)?)?$/;
const etagOf = (data: unknown) => `W/"${createHash("sha1").update(typeof data === "string" ? data : JSON.stringify(data)).digest("hex")}"`;

const HEAVEN_BOT = { login: "heaven[bot]", type: "Bot" };
const FINAL_STATES = ["success", "failure", "error", "inactive"];
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

interface GitResult {
  ok: boolean;
  stdout: string;
  status: number;
}

/** git in a registered origin: argv only, never a shell. */
function git(dir: string, args: string[]): GitResult {
  try {
    const stdout = execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: "GitHub",
        GIT_AUTHOR_EMAIL: "noreply@github.com",
        GIT_COMMITTER_NAME: "GitHub",
        GIT_COMMITTER_EMAIL: "noreply@github.com",
      },
    });
    return { ok: true, stdout: stdout.trim(), status: 0 };
  } catch (error) {
    const failed = error as { status?: number | null; stdout?: string };
    return { ok: false, stdout: (failed.stdout ?? "").trim(), status: failed.status ?? -1 };
  }
}

function revParse(dir: string, ref: string): string | undefined {
  const parsed = git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  return parsed.ok && /^[0-9a-f]{40}$/.test(parsed.stdout) ? parsed.stdout : undefined;
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly deploymentStatuses = new Map<number, DeploymentStatusBody[]>();
  /** Every deployment created through the API or `createDeployment`, oldest first. */
  readonly deployments: StoredDeployment[] = [];
  /** Set by the test once heaven runs; without it every webhook is recorded as failed to connect. */
  deliver: Deliver | undefined;
  /** The tarball links handed out and their downloads (not API requests, so not in `requests`). */
  readonly tarballs = new FakeTarballs();
  /** Comments (with edit history), reactions, pulls, commits, permissions and teams. */
  readonly conversation = new FakeConversation({ repo: (fullName) => this.repo(fullName), host: () => this.host, git });
  /** Team members by `org/team-slug`: `teams.set("acme/deployers", { alice: "active" })`. */
  readonly teams = this.conversation.teams;
  private nextDeploymentId: number;
  private readonly repos = new Map<string, RepoState>();
  private readonly failures: Array<{ method: string; path: RegExp; status: number; times: number; response: FailureResponse }> = [];
  private outages: Outage[] = [];
  private readonly minted: string[] = [];
  private readonly revoked = new Set<string>();
  /** People's own tokens (the command line's): token → login. `GET /user` names them, and deployments they create have them as creator. */
  readonly userTokens = new Map<string, string>();
  /** Who may read a repository with their own token (`userTokens` logins); a repository not here is readable by every user. Others get 404, as GitHub answers. */
  readonly readers = new Map<string, Set<string>>();
  /** "Sign in with GitHub": the OAuth web flow and the person's installations (fake-oauth.ts); `oauth.login` approves. */
  readonly oauth = new FakeOAuth({
    userTokens: this.userTokens,
    readers: this.readers,
    repositories: () => [...this.repos].flatMap(([fullName, state]) => (state.registered === undefined ? [] : [{ fullName, installationId: state.registered.installationId }])),
    host: () => this.host,
  });
  /** When each deployment status was posted (`created_at`), beside `deploymentStatuses` so those stay what heaven sent. */
  private readonly statusTimes = new Map<number, string[]>();
  private readonly deliveryLog = new DeliveryLog({ deliver: () => this.deliver, recorded: () => this.notify() });
  private readonly gitHttp = new FakeGitHttp({
    originOf: (fullName) => {
      const registered = this.repos.get(fullName)?.registered;
      return registered?.gitOverHttp === true ? registered.dir : undefined;
    },
    isValidToken: (token) => this.minted.includes(token) && !this.revoked.has(token),
  });
  private waiters: Waiter[] = [];
  private server: Server | undefined;
  host = "";

  private readonly waitTimeoutMs: number | undefined;
  /** Added before every answer (API, git over HTTP, tarballs): GitHub's round trip from where heaven runs. Settable at any time. */
  latencyMs: number;
  /** Sent as `x-ratelimit-remaining` on every API answer when set, as GitHub does. */
  rateLimitRemaining: number | undefined = undefined;

  /** `waitTimeoutMs`: waitFor… helpers reject after this long, naming what they waited for (default: they wait forever). */
  constructor(options: { firstDeploymentId?: number; waitTimeoutMs?: number; latencyMs?: number } = {}) {
    this.nextDeploymentId = options.firstDeploymentId ?? 1000;
    this.waitTimeoutMs = options.waitTimeoutMs;
    this.latencyMs = options.latencyMs ?? 0;
  }

  repo(fullName: string): RepoState {
    let state = this.repos.get(fullName);
    if (state === undefined) {
      state = { config: undefined, statuses: new Map(), checkRuns: new Map(), postedStatuses: [], registered: undefined, ...conversationState() };
      this.repos.set(fullName, state);
    }
    return state;
  }

  /** Backs `fullName` with a real origin repository (registering again replaces it); `gitOverHttp`: cloned over smart HTTP from the fake. */
  addRepo(fullName: string, options: { dir: string; defaultBranch?: string; installationId?: number; gitOverHttp?: boolean }): void {
    this.repo(fullName).registered = {
      dir: options.dir,
      defaultBranch: options.defaultBranch ?? "main",
      installationId: options.installationId ?? 1,
      ...(options.gitOverHttp === true ? { gitOverHttp: true } : {}),
    };
  }

  /** The `clone_url` GitHub gives a registered repository: the fake's own smart-HTTP URL with `gitOverHttp`, else `file://` of its origin. */
  cloneUrl(fullName: string): string {
    const registered = this.registered(fullName);
    return registered.gitOverHttp === true ? `http://${this.host}/${fullName}.git` : `file://${registered.dir}`;
  }

  /** Every git request over smart HTTP, oldest first (not API requests, so not in `requests`). */
  get gitRequests(): readonly GitRequest[] {
    return this.gitHttp.requests;
  }

  /** Webhook deliveries heaven did not answer with 2xx while `deliver` was set (it should answer every one). */
  get failedDeliveries(): Array<{ event: string; status: number | string }> {
    return this.deliveryLog.failed;
  }

  /** The next `times` requests matching method and path get `status` (with `response.headers`, to play rate limits). */
  fail(method: string, path: RegExp, status: number, times = 1, response: FailureResponse = {}): void {
    this.failures.push({ method, path, status, times, response });
  }

  /** GitHub is down: matching API requests (all, by default) answer 503 for `ms` of wall-clock time. Returns a way to end it early. */
  outage(ms: number, match: { method?: string; path?: RegExp } = {}): { end: () => void } {
    const outage: Outage = { until: Date.now() + ms, ...match };
    this.outages.push(outage);
    const end = () => {
      this.outages = this.outages.filter((o) => o !== outage);
    };
    return { end };
  }

  /** Ends every outage now. */
  endOutages(): void {
    this.outages = [];
  }

  /** Every installation token minted so far answers 401 from now on; returns how many. */
  revokeTokens(): number {
    for (const token of this.minted) this.revoked.add(token);
    return this.minted.length;
  }

  /** Installation tokens minted (`POST /app/installations/:id/access_tokens`), oldest first. */
  mintedTokens(): readonly string[] {
    return this.minted;
  }

  /** A new installation token, as `POST /app/installations/:id/access_tokens` mints it (40 characters, like GitHub's, a different one each time). */
  mintToken(): string {
    const token = `ghs_faketoken${String(this.minted.length + 1).padStart(27, "0")}`;
    this.minted.push(token);
    return token;
  }

  /** Every webhook delivery attempt, oldest first (the API lists them newest first). */
  deliveries(): HookDelivery[] {
    return this.deliveryLog.list();
  }

  /** The first delivery attempt for which `pick` holds, once there is one. */
  waitForDelivery(pick: (d: HookDelivery) => boolean, what = "a webhook delivery"): Promise<HookDelivery> {
    const found = () => this.deliveries().find(pick);
    return this.waitFor(() => found() !== undefined, what).then(() => found() as HookDelivery);
  }

  /** Sends heaven a webhook as GitHub does (a fresh GUID, recorded as a delivery). */
  /** Forgets every webhook delivery before `id`, as GitHub's retention does. */
  expireDeliveries(beforeId: number): void {
    this.deliveryLog.expire(beforeId);
  }

  sendWebhook(event: string, payload: unknown): Promise<HookDelivery> {
    return this.deliveryLog.send(event, payload);
  }

  statusesOf(deploymentId: number): DeploymentStatusBody[] {
    return this.deploymentStatuses.get(deploymentId) ?? [];
  }

  deploymentsOf(fullName: string): StoredDeployment[] {
    return this.deployments.filter((d) => d.repository === fullName);
  }

  /**
   * Sets `repository` (and `installation`) of a webhook payload to a
   * registered repository: names, owner, clone_url of its origin, default
   * branch.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forRepository<T extends { repository?: any; installation?: any }>(payload: T, fullName: string): T {
    const registered = this.registered(fullName);
    const [owner = "", name = ""] = fullName.split("/");
    payload.repository = {
      ...payload.repository,
      name,
      full_name: fullName,
      owner: { ...payload.repository?.owner, login: owner },
      clone_url: this.cloneUrl(fullName),
      default_branch: registered.defaultBranch,
    };
    payload.installation = { ...payload.installation, id: registered.installationId };
    return payload;
  }

  /** What a person calling `POST /repos/:o/:r/deployments` does: stores it, delivers the webhook, returns the id. */
  async createDeployment(input: NewDeploymentInput, options: { deliver?: boolean } = {}): Promise<number> {
    const registered = this.registered(input.fullName);
    const sha = revParse(registered.dir, input.ref);
    if (sha === undefined) throw new Error(`fake GitHub: no ref ${input.ref} in ${input.fullName}`);
    const stored = this.store(input.fullName, {
      sha,
      ref: input.ref,
      task: input.task,
      environment: input.environment,
      payload: input.payload,
      description: input.description,
      creator: { login: input.creator.login, type: input.creator.type ?? "User" },
    });
    this.notify();
    if (options.deliver !== false) await this.deliverDeployment(stored.id);
    return stored.id;
  }

  /** Sends webhook delivery `id` again with the same GUID, as a person clicking "Redeliver" does. */
  redeliver(id: number): Promise<HookDelivery> {
    return this.deliveryLog.redeliver(id);
  }

  /** Sends the `deployment` webhook of a stored deployment (again). */
  async deliverDeployment(id: number): Promise<void> {
    const stored = this.deployments.find((d) => d.id === id);
    if (stored === undefined) throw new Error(`fake GitHub: no deployment ${id}`);
    await this.deliveryLog.send("deployment", this.deploymentEvent(stored));
  }

  /** Resolves once `test` holds (checked on every request, deployment stored and delivery recorded); `timeoutMs` defaults to `waitTimeoutMs`. */
  waitFor(test: () => boolean, what = "a condition", timeoutMs = this.waitTimeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      if (test()) return resolve();
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiters = this.waiters.filter((w) => w !== waiter);
              reject(new Error(`fake GitHub: gave up waiting for ${what} after ${timeoutMs / 1000} s`));
            }, timeoutMs);
      timer?.unref();
      const waiter: Waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  waitForFinalStatus(deploymentId: number, timeoutMs?: number): Promise<DeploymentStatusBody> {
    const final = () => this.statusesOf(deploymentId).find((s) => FINAL_STATES.includes(s.state));
    return this.waitFor(() => final() !== undefined, `a final status of deployment ${deploymentId}`, timeoutMs).then(() => final() as DeploymentStatusBody);
  }

  /** The final statuses (success, failure, error, inactive) GitHub holds for the deployment: one, once it is over. */
  finalStatusesOf(deploymentId: number): DeploymentStatusBody[] {
    return this.statusesOf(deploymentId).filter((s) => FINAL_STATES.includes(s.state));
  }

  /** The first status of the deployment in `state`, once there is one. */
  waitForStatus(deploymentId: number, state: string): Promise<DeploymentStatusBody> {
    const found = () => this.statusesOf(deploymentId).find((s) => s.state === state);
    return this.waitFor(() => found() !== undefined, `a ${state} status of deployment ${deploymentId}`).then(() => found() as DeploymentStatusBody);
  }

  /** The first deployment (created by anyone) for which `pick` holds. */
  waitForDeployment(pick: (d: StoredDeployment) => boolean, what = "a deployment"): Promise<StoredDeployment> {
    const found = () => this.deployments.find(pick);
    return this.waitFor(() => found() !== undefined, what).then(() => found() as StoredDeployment);
  }

  /** The first commit status heaven posted on the repository for which `pick` holds. */
  waitForCommitStatus(fullName: string, pick: (s: CommitStatusPosted) => boolean): Promise<CommitStatusPosted> {
    const found = () => this.repo(fullName).postedStatuses.find(pick);
    return this.waitFor(() => found() !== undefined, `a commit status on ${fullName}`).then(() => found() as CommitStatusPosted);
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

  private registered(fullName: string): RegisteredRepo {
    const registered = this.repos.get(fullName)?.registered;
    if (registered === undefined) throw new Error(`fake GitHub: ${fullName} is not registered (addRepo)`);
    return registered;
  }

  private store(
    repository: string,
    fields: Omit<StoredDeployment, "id" | "repository" | "created_at" | "task" | "payload" | "description"> & {
      task: string | undefined;
      payload: unknown;
      description: unknown;
    },
  ): StoredDeployment {
    const stored: StoredDeployment = {
      id: this.nextDeploymentId++,
      repository,
      sha: fields.sha,
      ref: fields.ref,
      task: fields.task ?? "deploy",
      environment: fields.environment,
      payload: isObject(fields.payload) ? fields.payload : {},
      description: typeof fields.description === "string" ? fields.description : null,
      creator: fields.creator,
      created_at: new Date().toISOString(),
    };
    this.deployments.push(stored);
    return stored;
  }

  /** GitHub's JSON for a deployment. */
  private deploymentJson(d: StoredDeployment) {
    const base = `http://${this.host}/api/v3/repos/${d.repository}`;
    return {
      url: `${base}/deployments/${d.id}`,
      id: d.id,
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      payload: d.payload,
      original_environment: d.environment,
      environment: d.environment,
      description: d.description,
      creator: { login: d.creator.login, type: d.creator.type },
      created_at: d.created_at,
      updated_at: d.created_at,
      statuses_url: `${base}/deployments/${d.id}/statuses`,
      repository_url: base,
    };
  }

  /** The real `deployment` webhook example, made to describe `d`. */
  private deploymentEvent(d: StoredDeployment) {
    const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
    event.deployment = {
      ...event.deployment,
      ...this.deploymentJson(d),
      creator: { ...event.deployment.creator, login: d.creator.login, type: d.creator.type },
    };
    event.sender = { ...event.sender, login: d.creator.login, type: d.creator.type };
    return this.forRepository(event, d.repository);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (FakeGitHttp.matches(new URL(req.url ?? "/", "http://fake.invalid").pathname)) {
      this.gitHttp.serve(req, res);
      return this.notify();
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v3/, "");
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? "GET";
    if (method === "GET" && (await this.tarballs.serve(url.pathname, query.token, res))) return this.notify();
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const authorization = req.headers.authorization;
    const token = authorization === undefined ? undefined : authorization.replace(/^(token|bearer)\s+/i, "");
    const ifNoneMatch = typeof req.headers["if-none-match"] === "string" ? req.headers["if-none-match"] : undefined;
    const recorded: RecordedRequest = { method, path, query, body, authorization, token, ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }) };
    this.requests.push(recorded);

    let answered = false;
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      const etag = method === "GET" && status === 200 && headers.etag === undefined && CONDITIONAL.test(path) ? etagOf(data) : undefined;
      // Like GitHub: a conditional request for what has not changed is a 304 without a body (and costs no rate limit).
      if (etag !== undefined) headers = { ...headers, etag };
      if (etag !== undefined && ifNoneMatch === etag) status = 304;
      answered = true;
      recorded.status = status;
      const limit = this.rateLimitRemaining === undefined ? {} : { "x-ratelimit-remaining": String(this.rateLimitRemaining) };
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...limit, ...headers });
      res.end(status === 204 || status === 304 ? undefined : typeof data === "string" ? data : JSON.stringify(data));
    };
    let after: (() => Promise<unknown>) | undefined;

    const refusal = this.refusal(method, path, token);
    if (refusal !== undefined) {
      reply(refusal.status, { message: refusal.message }, refusal.headers);
      return this.notify();
    }

    if (this.oauth.route(method, url.pathname, query, body, reply, token)) return this.notify();
    try {
      after = this.route(method, path, query, body, reply, ifNoneMatch, token);
    } catch (error) {
      if (!answered) reply(500, { message: `fake GitHub crashed: ${error instanceof Error ? error.message : String(error)}` });
    }
    this.notify();
    if (after !== undefined) await after();
  }

  /** An outage, an injected failure, or a revoked token: the answer instead of the route's. */
  private refusal(method: string, path: string, token: string | undefined): { status: number; message: string; headers?: Record<string, string> } | undefined {
    const now = Date.now();
    this.outages = this.outages.filter((o) => o.until > now);
    if (this.outages.some((o) => (o.method === undefined || o.method === method) && (o.path === undefined || o.path.test(path)))) {
      return { status: 503, message: "fake GitHub outage" };
    }
    const failure = this.failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (failure !== undefined) {
      failure.times -= 1;
      return { status: failure.status, message: failure.response.message ?? "fake GitHub failure", headers: failure.response.headers };
    }
    if (token !== undefined && this.revoked.has(token)) return { status: 401, message: "Bad credentials" };
    if (token !== undefined && /^gh[pou]_/.test(token) && !this.userTokens.has(token)) return { status: 401, message: "Bad credentials" };
    const repo = /^\/repos\/([^/]+\/[^/]+)/.exec(path)?.[1];
    const person = token === undefined ? undefined : this.userTokens.get(token);
    const readers = repo === undefined ? undefined : this.readers.get(repo);
    if (person !== undefined && readers !== undefined && !readers.has(person)) return { status: 404, message: "Not Found" };
    return undefined;
  }

  /** Answers one request; returns work to do after the answer (a webhook GitHub sends). */
  private route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: Record<string, unknown> | undefined,
    reply: (status: number, data: unknown, headers?: Record<string, string>) => void,
    ifNoneMatch?: string,
    token?: string,
  ): (() => Promise<unknown>) | undefined {
    const notFound = (message = "Not Found") => reply(404, { message });
    let match: RegExpExecArray | null;
    const repoRoute = (rest: string) => new RegExp(`^/repos/([^/]+/[^/]+)${rest}$`).exec(path);

    const deliveryRoute = this.deliveryLog.route(method, path, query, reply, `http://${this.host}/api/v3`, ifNoneMatch);
    if (deliveryRoute.handled) return deliveryRoute.after;

    const person = token === undefined ? undefined : this.userTokens.get(token);
    if (method === "GET" && path === "/user") {
      if (person === undefined) return void reply(401, { message: "Bad credentials" });
      reply(200, { login: person, type: "User" });
    } else if (method === "GET" && (match = repoRoute("")) && this.repo(match[1] as string).registered !== undefined) {
      const [owner = "", name = ""] = (match[1] as string).split("/");
      reply(200, { name, full_name: match[1], owner: { login: owner }, default_branch: this.registered(match[1] as string).defaultBranch });
    } else if (method === "GET" && (match = repoRoute("/installation")) && this.repo(match[1] as string).registered !== undefined) {
      reply(200, { id: this.registered(match[1] as string).installationId, app_id: 1, target_type: "Organization" });
    } else if (method === "GET" && path === "/app") {
      // The App itself: its slug names the account its deployments are created by (HEAVEN_BOT).
      reply(200, { id: 1, slug: "heaven", name: "heaven" });
    } else if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      // A new token each time, so tests can tell which one a request used.
      const token = this.mintToken();
      reply(201, { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {}, repository_selection: "all" });
    } else if (method === "GET" && (match = repoRoute("/contents/\\.github/heaven\\.yml"))) {
      const state = this.repo(match[1] as string);
      let config = state.config;
      if (config === undefined && state.registered !== undefined) {
        const shown = git(state.registered.dir, ["show", `refs/heads/${state.registered.defaultBranch}:.github/heaven.yml`]);
        if (shown.ok) config = shown.stdout;
      }
      if (config === undefined) notFound();
      else reply(200, config, { "content-type": "application/vnd.github.raw; charset=utf-8" });
    } else if (method === "GET" && (match = repoRoute("/commits/([0-9a-f]+)/status"))) {
      const statuses = this.repo(match[1] as string).statuses.get(match[2] as string) ?? [];
      reply(200, { state: "pending", total_count: statuses.length, statuses });
    } else if (method === "GET" && (match = repoRoute("/commits/([0-9a-f]+)/check-runs"))) {
      const runs = this.repo(match[1] as string).checkRuns.get(match[2] as string) ?? [];
      reply(200, { total_count: runs.length, check_runs: runs });
    } else if (method === "POST" && (match = repoRoute("/statuses/([0-9a-f]{40})"))) {
      const state = this.repo(match[1] as string);
      const sha = match[2] as string;
      const posted: CommitStatusPosted = {
        sha,
        state: String(body?.state),
        context: typeof body?.context === "string" ? body.context : "default",
        description: typeof body?.description === "string" ? body.description : undefined,
      };
      state.postedStatuses.push(posted);
      // Like GitHub: the status is now part of the commit's combined status.
      const onSha = (state.statuses.get(sha) ?? []).filter((s) => s.context !== posted.context);
      state.statuses.set(sha, [...onSha, { context: posted.context, state: posted.state, description: posted.description }]);
      reply(201, { id: state.postedStatuses.length, ...posted });
    } else if (method === "POST" && (match = repoRoute("/deployments/(\\d+)/statuses"))) {
      const id = Number(match[2]);
      const list = this.deploymentStatuses.get(id) ?? [];
      list.push(body as unknown as DeploymentStatusBody);
      this.deploymentStatuses.set(id, list);
      this.statusTimes.set(id, [...(this.statusTimes.get(id) ?? []), new Date().toISOString()]);
      reply(201, { id: list.length, ...body });
    } else if (method === "GET" && (match = repoRoute("/deployments/(\\d+)/statuses"))) {
      const id = Number(match[2]);
      const times = this.statusTimes.get(id) ?? [];
      const statuses = this.statusesOf(id).map((s, index) => ({ id: id * 1000 + index + 1, ...s, ...(times[index] === undefined ? {} : { created_at: times[index] }) }));
      reply(200, statuses.reverse());
    } else if (method === "GET" && (match = repoRoute("/deployments"))) {
      const perPage = Number(query.per_page ?? 30);
      const found = this.deploymentsOf(match[1] as string)
        .filter((d) => (query.environment === undefined || d.environment === query.environment) && (query.ref === undefined || d.ref === query.ref))
        .filter((d) => (query.task === undefined || d.task === query.task) && (query.sha === undefined || d.sha === query.sha))
        .sort((a, b) => b.id - a.id)
        .slice(0, perPage);
      reply(200, found.map((d) => this.deploymentJson(d)));
    } else if (method === "POST" && (match = repoRoute("/deployments"))) {
      const fullName = match[1] as string;
      const registered = this.repo(fullName).registered;
      if (registered === undefined) return void notFound();
      const ref = typeof body?.ref === "string" ? body.ref : "";
      const sha = ref === "" ? undefined : revParse(registered.dir, ref);
      // GitHub answers an unknown ref with 422 "No ref found for: …".
      if (sha === undefined) return void reply(422, { message: `No ref found for: ${ref}` });
      const stored = this.store(fullName, {
        sha,
        ref,
        task: typeof body?.task === "string" ? body.task : undefined,
        environment: typeof body?.environment === "string" ? body.environment : "production",
        payload: body?.payload,
        description: body?.description,
        creator: person === undefined ? HEAVEN_BOT : { login: person, type: "User" },
      });
      reply(201, this.deploymentJson(stored));
      return () => this.deliveryLog.send("deployment", this.deploymentEvent(stored));
    } else if (method === "POST" && (match = repoRoute("/merges"))) {
      const registered = this.repo(match[1] as string).registered;
      if (registered === undefined) return void notFound();
      this.merge(registered.dir, body, reply);
    } else if (method === "GET" && (match = repoRoute("/compare/(.+)"))) {
      const registered = this.repo(match[1] as string).registered;
      const [base, head, ...rest] = (match[2] as string).split("...");
      if (registered === undefined || base === undefined || head === undefined || rest.length > 0) return void notFound();
      const baseSha = revParse(registered.dir, base);
      const headSha = revParse(registered.dir, head);
      if (baseSha === undefined || headSha === undefined) return void notFound(`No common ancestor between ${base} and ${head}.`);
      const count = (range: string) => Number(git(registered.dir, ["rev-list", "--count", range]).stdout);
      const aheadBy = count(`${baseSha}..${headSha}`);
      const behindBy = count(`${headSha}..${baseSha}`);
      const status = aheadBy === 0 && behindBy === 0 ? "identical" : behindBy === 0 ? "ahead" : aheadBy === 0 ? "behind" : "diverged";
      reply(200, { status, ahead_by: aheadBy, behind_by: behindBy, total_commits: aheadBy, base_commit: { sha: baseSha } });
    } else if (method === "GET" && (match = repoRoute("/tarball/(.+)"))) {
      const fullName = match[1] as string;
      const registered = this.repo(fullName).registered;
      const sha = registered === undefined ? undefined : revParse(registered.dir, match[2] as string);
      if (registered === undefined || sha === undefined) return void notFound();
      const location = this.tarballs.link(`http://${this.host}`, fullName, registered.dir, sha);
      reply(302, "", { location, "content-type": "text/html; charset=utf-8" });
    } else if (method === "GET" && (match = repoRoute("/branches/(.+)"))) {
      const registered = this.repo(match[1] as string).registered;
      const branch = match[2] as string;
      const sha = registered === undefined ? undefined : revParse(registered.dir, `refs/heads/${branch}`);
      if (sha === undefined) return void notFound("Branch not found");
      reply(200, { name: branch, commit: { sha }, protected: false });
    } else if (!this.conversation.route(method, path, query, body, reply)) {
      notFound(`fake GitHub has no route for ${method} ${path}`);
    }
    return undefined;
  }

  /** `POST /repos/:o/:r/merges`: a real merge of `head` into branch `base`, as GitHub does it. */
  private merge(dir: string, body: Record<string, unknown> | undefined, reply: (status: number, data: unknown) => void): void {
    const base = typeof body?.base === "string" ? body.base : "";
    const head = typeof body?.head === "string" ? body.head : "";
    const message = typeof body?.commit_message === "string" ? body.commit_message : `Merge ${head} into ${base}`;
    const baseSha = base === "" ? undefined : revParse(dir, `refs/heads/${base}`);
    if (baseSha === undefined) return reply(404, { message: "Base does not exist" });
    const headSha = head === "" ? undefined : revParse(dir, head);
    if (headSha === undefined) return reply(404, { message: "Head does not exist" });
    if (git(dir, ["merge-base", "--is-ancestor", headSha, baseSha]).ok) return reply(204, undefined);

    const checkedOut = git(dir, ["symbolic-ref", "--quiet", "HEAD"]).stdout === `refs/heads/${base}`;
    if (checkedOut) {
      // The origin's working tree is on `base`: merge there, so it stays consistent.
      const merged = git(dir, ["merge", "--no-ff", "--no-edit", "-m", message, "--end-of-options", headSha]);
      if (!merged.ok) {
        git(dir, ["merge", "--abort"]);
        return reply(409, { message: "Merge conflict" });
      }
    } else {
      // git merge-tree (2.38+): exit 1 on conflicts, and nothing is written to any branch.
      const tree = git(dir, ["merge-tree", "--write-tree", "--no-messages", baseSha, headSha]);
      if (tree.status === 1) return reply(409, { message: "Merge conflict" });
      if (!tree.ok) return reply(500, { message: `merge-tree failed (${tree.status})` });
      const commit = git(dir, ["commit-tree", tree.stdout.split("\n")[0] as string, "-p", baseSha, "-p", headSha, "-m", message]);
      if (!commit.ok || !git(dir, ["update-ref", `refs/heads/${base}`, commit.stdout, baseSha]).ok) {
        return reply(500, { message: "could not write the merge commit" });
      }
    }
    const sha = revParse(dir, `refs/heads/${base}`) as string;
    reply(201, { sha, commit: { message }, parents: [{ sha: baseSha }, { sha: headSha }] });
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
