/**
 * What the dashboard's pages (and their scripts) ask about the person:
 *   GET /dashboard/session       → { login, csrfToken, expiresAt }, or 401
 *   GET /dashboard/repositories  → { login, repositories }: the repositories
 *     of this App's installations the person can access on GitHub
 * Never the token itself.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { UserRepository } from "../github/user-repositories.js";
import type { DashboardSession, SessionReader } from "./dashboard-session.js";

export type RepositoriesOf = (session: DashboardSession) => Promise<{ kind: "listed"; repositories: UserRepository[] } | { kind: "signed-out" }>;

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "private, no-store", "x-content-type-options": "nosniff" };

const send = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, JSON_HEADERS).end(`${JSON.stringify(body)}\n`);
const notSignedIn = (res: ServerResponse) => send(res, 401, { error: "not signed in", signIn: "/dashboard/sign-in" });

export function sessionRoutes(options: { sessions: SessionReader; repositoriesOf: RepositoriesOf }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const { pathname } = new URL(req.url ?? "/", "http://heaven.invalid");
    if (pathname !== "/dashboard/session" && pathname !== "/dashboard/repositories") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...JSON_HEADERS, allow: "GET, HEAD" }).end();
      return true;
    }
    const session = options.sessions.sessionOf(req);
    if (session === undefined) {
      notSignedIn(res);
      return true;
    }
    if (pathname === "/dashboard/session") {
      send(res, 200, { login: session.login, csrfToken: session.csrf, expiresAt: new Date(session.expiresAt).toISOString() });
      return true;
    }
    try {
      const listed = await options.repositoriesOf(session);
      if (listed.kind === "signed-out") notSignedIn(res);
      else send(res, 200, { login: session.login, repositories: listed.repositories });
    } catch (error) {
      send(res, 502, { error: `could not ask GitHub: ${error instanceof Error ? error.message : String(error)}` });
    }
    return true;
  };
}
