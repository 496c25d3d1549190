/**
 * Whether the person behind a GitHub token can read a repository, asked of
 * GitHub itself (`GET /repos/{owner}/{repo}` with their token): heaven shows a
 * repository only to who could see it on GitHub. The answer is kept briefly
 * per token and repository, so a dashboard's refreshes do not ask each time;
 * the request counts against the person's own rate limit, not the App's.
 */
import { createHash } from "node:crypto";
import { isObject } from "../core/json.js";

export type RepoAccess =
  | { kind: "readable"; defaultBranch: string }
  /** GitHub does not know the token (expired, revoked, mistyped). */
  | { kind: "bad-token" }
  /** The person cannot see the repository, or it does not exist: the same answer, as GitHub gives it. */
  | { kind: "hidden" };

export interface RepoAccessOptions {
  /** The REST API's base URL: https://api.github.com, or http(s)://GHE_HOST/api/v3. */
  apiBaseUrl: () => Promise<string>;
  /** How long an answer is kept. */
  ttlMs: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const MAX_KEPT = 1000;

export class RepoAccessCheck {
  private readonly kept = new Map<string, { access: RepoAccess; until: number }>();
  /** Requests made to GitHub (for tests and the README's cost figures). */
  requests = 0;

  constructor(private readonly options: RepoAccessOptions) {}

  async check(token: string, target: { owner: string; repo: string }): Promise<RepoAccess> {
    const now = (this.options.now ?? Date.now)();
    // The token itself is never kept, only a digest of it.
    const key = `${createHash("sha256").update(token).digest("hex")} ${target.owner}/${target.repo}`.toLowerCase();
    const before = this.kept.get(key);
    if (before !== undefined && before.until > now) return before.access;
    const access = await this.ask(token, target);
    this.kept.delete(key);
    this.kept.set(key, { access, until: now + this.options.ttlMs });
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= MAX_KEPT) break;
      this.kept.delete(oldest);
    }
    return access;
  }

  private async ask(token: string, target: { owner: string; repo: string }): Promise<RepoAccess> {
    const base = (await this.options.apiBaseUrl()).replace(/\/+$/, "");
    const url = `${base}/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}`;
    this.requests += 1;
    const response = await (this.options.fetch ?? fetch)(url, {
      headers: { authorization: `token ${token}`, accept: "application/vnd.github+json", "user-agent": "heaven" },
    });
    if (response.status === 401) return { kind: "bad-token" };
    if (response.status === 403 || response.status === 404) return { kind: "hidden" };
    if (!response.ok) throw new Error(`GitHub answered ${response.status} when asked whether the token can read ${target.owner}/${target.repo}`);
    const body: unknown = await response.json();
    const permissions = isObject(body) && isObject(body.permissions) ? body.permissions : undefined;
    if (permissions !== undefined && permissions.pull === false) return { kind: "hidden" };
    const defaultBranch = isObject(body) && typeof body.default_branch === "string" ? body.default_branch : "main";
    return { kind: "readable", defaultBranch };
  }
}
