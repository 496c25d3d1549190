/**
 * The fake GitHub's side of "Sign in with GitHub" (reached as `github.oauth`):
 * the OAuth web flow on the web host, as GitHub Enterprise Server serves it
 * (`http://<host>/login/oauth/authorize`, `…/access_token`, not under
 * /api/v3), and the user endpoints a dashboard lists with the person's token
 * (`GET /user/installations`, `GET /user/installations/{id}/repositories`).
 *
 * The authorize page does not ask anyone: it sends the browser straight back
 * with a code for `login` (a test sets who is approving), or with
 * `error=access_denied` when `login` is undefined. The exchange checks the
 * App's client id and secret, the code (once only) and the redirect URI,
 * and mints a `ghu_` token registered in `userTokens`, so `GET /user` names
 * the person. Who sees which repository is the fake's `readers`: a
 * registered repository without an entry is visible to everyone.
 */
import { randomBytes } from "node:crypto";

type Reply = (status: number, data: unknown, headers?: Record<string, string>) => void;

export interface FakeOAuthOptions {
  userTokens: Map<string, string>;
  readers: Map<string, Set<string>>;
  /** The registered repositories: full name and the installation serving it. */
  repositories: () => Array<{ fullName: string; installationId: number }>;
  host: () => string;
}

interface IssuedCode {
  login: string;
  clientId: string;
  redirectUri: string;
}

const API = "/api/v3";

/** Replies and says the request was handled. */
function answered(reply: Reply, status: number, data: unknown): true {
  reply(status, data);
  return true;
}

export class FakeOAuth {
  /** The App's OAuth credentials the fake accepts; a test passes the same as GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET. */
  clientId = "Iv1.fakeclientid0001";
  clientSecret = "fake-client-secret-0123456789abcdef";
  /** The App's id, as its installations report it (`app_id`). */
  appId = 1;
  /** Who approves on the authorize page; undefined: the person declines (`error=access_denied`). */
  login: string | undefined;
  /** Tokens the exchange minted, oldest first. */
  readonly issued: string[] = [];
  /** Codes the authorize page handed out and nobody exchanged yet. */
  private readonly codes = new Map<string, IssuedCode>();

  constructor(private readonly options: FakeOAuthOptions) {}

  /** Answers an OAuth or user-installations request; false for any other. `pathname` is the raw one (with /api/v3 for the API). */
  route(method: string, pathname: string, query: Record<string, string>, body: Record<string, unknown> | undefined, reply: Reply, token: string | undefined): boolean {
    if (method === "GET" && pathname === "/login/oauth/authorize") return this.authorize(query, reply);
    if (method === "POST" && pathname === "/login/oauth/access_token") return this.exchange(body, reply);
    if (!pathname.startsWith(`${API}/user/installations`)) return false;
    const path = pathname.slice(API.length);
    const person = token === undefined ? undefined : this.options.userTokens.get(token);
    if (person === undefined) return answered(reply, 401, { message: "Requires authentication" });
    let match: RegExpExecArray | null;
    if (method === "GET" && path === "/user/installations") {
      const installations = [...new Set(this.visibleTo(person).map((r) => r.installationId))].sort((a, b) => a - b);
      this.page(path, query, installations.map((id) => this.installationJson(id)), "installations", reply);
    } else if (method === "GET" && (match = /^\/user\/installations\/(\d+)\/repositories$/.exec(path))) {
      const id = Number(match[1]);
      const repositories = this.visibleTo(person).filter((r) => r.installationId === id);
      // GitHub: an installation the person cannot access is not there for them.
      if (repositories.length === 0) return answered(reply, 404, { message: "Not Found" });
      this.page(path, query, repositories.map((r) => this.repositoryJson(r.fullName)), "repositories", reply);
    } else {
      reply(404, { message: `fake GitHub has no route for ${method} ${path}` });
    }
    return true;
  }

  private authorize(query: Record<string, string>, reply: Reply): boolean {
    if (query.client_id !== this.clientId) return answered(reply, 404, { message: "fake GitHub: no OAuth app with this client_id" });
    const redirectUri = query.redirect_uri;
    if (redirectUri === undefined || !/^https?:\/\//.test(redirectUri)) return answered(reply, 400, { message: "fake GitHub: redirect_uri is missing" });
    const back = new URL(redirectUri);
    if (this.login === undefined) {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "The user has denied your application access.");
    } else {
      const code = randomBytes(10).toString("hex");
      this.codes.set(code, { login: this.login, clientId: this.clientId, redirectUri });
      back.searchParams.set("code", code);
    }
    if (query.state !== undefined) back.searchParams.set("state", query.state);
    reply(302, "", { location: back.toString(), "content-type": "text/html; charset=utf-8" });
    return true;
  }

  private exchange(body: Record<string, unknown> | undefined, reply: Reply): boolean {
    // GitHub answers OAuth errors with 200 and an `error` field.
    if (body?.client_id !== this.clientId || body?.client_secret !== this.clientSecret) {
      return answered(reply, 200, { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
    }
    const code = typeof body.code === "string" ? this.codes.get(body.code) : undefined;
    if (code === undefined) return answered(reply, 200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
    this.codes.delete(body.code as string);
    if (body.redirect_uri !== undefined && body.redirect_uri !== code.redirectUri) {
      return answered(reply, 200, { error: "redirect_uri_mismatch", error_description: "The redirect_uri MUST match the registered callback URL for this application." });
    }
    const token = `ghu_${randomBytes(18).toString("hex")}`;
    this.options.userTokens.set(token, code.login);
    this.issued.push(token);
    reply(200, { access_token: token, token_type: "bearer", scope: "", expires_in: 28_800, refresh_token: `ghr_${randomBytes(18).toString("hex")}`, refresh_token_expires_in: 15_811_200 });
    return true;
  }

  private visibleTo(login: string): Array<{ fullName: string; installationId: number }> {
    return this.options.repositories().filter((r) => this.options.readers.get(r.fullName)?.has(login) ?? true);
  }

  private installationJson(id: number) {
    const owner = this.options.repositories().find((r) => r.installationId === id)?.fullName.split("/")[0] ?? "unknown";
    return { id, app_id: this.appId, account: { login: owner, type: "Organization" }, target_type: "Organization", repository_selection: "selected", permissions: { deployments: "write" } };
  }

  private repositoryJson(fullName: string) {
    const [owner = "", name = ""] = fullName.split("/");
    return { name, full_name: fullName, owner: { login: owner }, private: this.options.readers.has(fullName) };
  }

  /** GitHub's paging: `per_page` (default 30, at most 100) and `page`, with a `Link` to the next page. */
  private page(path: string, query: Record<string, string>, items: unknown[], key: string, reply: Reply): void {
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30) || 30));
    const page = Math.max(1, Number(query.page ?? 1) || 1);
    const shown = items.slice((page - 1) * perPage, page * perPage);
    const more = page * perPage < items.length;
    const link: Record<string, string> = more ? { link: `<http://${this.options.host()}${API}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {};
    reply(200, { total_count: items.length, [key]: shown }, link);
  }
}
