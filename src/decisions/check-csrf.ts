/**
 * Whether a state-changing request (sign out, deploy, lock) really comes from
 * heaven's own page: it must carry the session's CSRF token — an HMAC of the
 * session id, which another site cannot read or compute — and, when the
 * browser says where it comes from (`Origin`), come from heaven's origin.
 * SameSite=Lax already keeps the cookie off cross-site POSTs; this holds
 * even for a browser that does not honour it.
 */
import { hmac, sameText } from "./sign-session.js";

export function csrfToken(secret: string, sessionId: string): string {
  return hmac(secret, "csrf", sessionId);
}

export interface CsrfRequest {
  /** The session the cookie named (verified), or undefined without one. */
  sessionId: string | undefined;
  /** From the form field or the `X-CSRF-Token` header. */
  submittedToken: string | undefined;
  /** The request's `Origin` header as sent; undefined when the client sent none (not a browser, or an old one). */
  origin: string | undefined;
  /** heaven's own origin (HEAVEN_URL's scheme, host and port). */
  expectedOrigin: string;
}

export type CsrfCheck = { ok: true } | { ok: false; reason: "no-session" | "cross-origin" | "missing-token" | "wrong-token" };

export function checkCsrf(secret: string, request: CsrfRequest): CsrfCheck {
  if (request.sessionId === undefined) return { ok: false, reason: "no-session" };
  // "null" is what a sandboxed frame or a redirect chain through another site sends: not heaven's page.
  if (request.origin !== undefined && normalOrigin(request.origin) !== normalOrigin(request.expectedOrigin)) return { ok: false, reason: "cross-origin" };
  if (request.submittedToken === undefined || request.submittedToken === "") return { ok: false, reason: "missing-token" };
  return sameText(request.submittedToken, csrfToken(secret, request.sessionId)) ? { ok: true } : { ok: false, reason: "wrong-token" };
}

/** `https://Heaven.example.com:443/` and `https://heaven.example.com` are one origin; anything unparsable is none. */
function normalOrigin(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** What the refusal page says, per reason. */
export function describeCsrfRefusal(reason: Extract<CsrfCheck, { ok: false }>["reason"]): string {
  switch (reason) {
    case "no-session":
      return "You are not signed in (or your session ended): sign in again.";
    case "cross-origin":
      return "This request came from another site, so heaven refused it.";
    case "missing-token":
      return "This request carried no CSRF token: send it from heaven's own page.";
    case "wrong-token":
      return "This request's CSRF token is not your session's: reload heaven's page and try again.";
  }
}
