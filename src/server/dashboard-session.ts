/**
 * Who a request comes from: the signed session cookie, verified, naming a
 * live server-side session. Routes call `sessionOf(req)` and get the login,
 * the person's token (to act as them on GitHub) and the CSRF token their
 * page must send back — or undefined: not signed in.
 */
import type { IncomingMessage } from "node:http";
import { checkCsrf, csrfToken, type CsrfCheck } from "../decisions/check-csrf.js";
import { readCookie, SESSION_COOKIE } from "../decisions/session-cookie.js";
import { verifySession } from "../decisions/sign-session.js";
import type { SessionStore } from "./session-store.js";

export interface DashboardSession {
  sessionId: string;
  login: string;
  /** The person's user-to-server token: keep it on the server. */
  token: string;
  /** What a state-changing request must carry (form field `csrf` or header `X-CSRF-Token`). */
  csrf: string;
  expiresAt: number;
}

export interface SessionReader {
  sessionOf(req: IncomingMessage): DashboardSession | undefined;
  /** `submitted`: the form field or header the request carried. */
  checkCsrf(req: IncomingMessage, session: DashboardSession | undefined, submitted: string | undefined): CsrfCheck;
}

export function sessionReader(options: { secret: string; store: SessionStore; heavenUrl: string; now?: () => number }): SessionReader {
  const now = options.now ?? Date.now;
  const expectedOrigin = new URL(options.heavenUrl).origin;
  return {
    sessionOf(req) {
      const check = verifySession(options.secret, readCookie(req.headers.cookie, SESSION_COOKIE), now());
      if (check.kind !== "valid") return undefined;
      const stored = options.store.get(check.claims.sessionId);
      // The cookie must name the session's own person: a store entry is never lent to another login.
      if (stored === undefined || stored.login !== check.claims.login) return undefined;
      return { sessionId: stored.sessionId, login: stored.login, token: stored.token, csrf: csrfToken(options.secret, stored.sessionId), expiresAt: stored.expiresAt };
    },
    checkCsrf(req, session, submitted) {
      const origin = typeof req.headers.origin === "string" ? req.headers.origin : undefined;
      const header = req.headers["x-csrf-token"];
      return checkCsrf(options.secret, {
        sessionId: session?.sessionId,
        submittedToken: submitted ?? (typeof header === "string" ? header : undefined),
        origin,
        expectedOrigin,
      });
    },
  };
}
