import { describe, expect, it } from "@jest/globals";
import { sessionSecret, signSession, verifySession, type SessionClaims } from "../../src/decisions/sign-session.js";

const SECRET = sessionSecret("a-log-secret-of-enough-length");
const NOW = Date.UTC(2026, 11, 3, 8, 0, 0);
const CLAIMS: SessionClaims = { sessionId: "s3ss10n-1d-0123456789abcdef", login: "octocat", expiresAt: NOW + 3_600_000 };

/** The cookie with its JSON part replaced by `claims`, the signature kept. */
function withBody(cookie: string, claims: unknown): string {
  const [, signature] = cookie.split(".");
  return `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

describe("signSession and verifySession", () => {
  it("verifies its own cookie and gives back who is signed in, under which session, until when", () => {
    expect(verifySession(SECRET, signSession(SECRET, CLAIMS), NOW)).toEqual({ kind: "valid", claims: CLAIMS });
  });

  it("holds nothing but the session id, the login and the expiry, readable as base64url JSON", () => {
    const [body] = signSession(SECRET, CLAIMS).split(".");
    expect(JSON.parse(Buffer.from(body as string, "base64url").toString("utf8"))).toEqual(CLAIMS);
  });

  it("refuses a cookie whose login was changed, even to one that is otherwise well formed", () => {
    const cookie = signSession(SECRET, CLAIMS);
    expect(verifySession(SECRET, withBody(cookie, { ...CLAIMS, login: "admin" }), NOW)).toEqual({ kind: "invalid" });
  });

  it("refuses a cookie whose expiry was moved later", () => {
    const cookie = signSession(SECRET, CLAIMS);
    expect(verifySession(SECRET, withBody(cookie, { ...CLAIMS, expiresAt: NOW + 365 * 86_400_000 }), NOW)).toEqual({ kind: "invalid" });
  });

  it("refuses a signature with one character changed, cut short, or missing", () => {
    const cookie = signSession(SECRET, CLAIMS);
    const last = cookie.at(-1) === "A" ? "B" : "A";
    expect(verifySession(SECRET, `${cookie.slice(0, -1)}${last}`, NOW).kind).toBe("invalid");
    expect(verifySession(SECRET, cookie.slice(0, -5), NOW).kind).toBe("invalid");
    expect(verifySession(SECRET, cookie.split(".")[0], NOW).kind).toBe("invalid");
  });

  it("refuses a cookie signed with another key", () => {
    expect(verifySession(sessionSecret("another-log-secret-entirely"), signSession(SECRET, CLAIMS), NOW).kind).toBe("invalid");
  });

  it("says a genuine cookie has expired once its time is over, and not before", () => {
    const cookie = signSession(SECRET, CLAIMS);
    expect(verifySession(SECRET, cookie, CLAIMS.expiresAt - 1).kind).toBe("valid");
    expect(verifySession(SECRET, cookie, CLAIMS.expiresAt)).toEqual({ kind: "expired", claims: CLAIMS });
  });

  it("refuses no cookie, an empty one, garbage and an overlong one without throwing", () => {
    for (const value of [undefined, "", ".", "a.b.c", "not base64!.sig", "x".repeat(5000)]) {
      expect(verifySession(SECRET, value, NOW)).toEqual({ kind: "invalid" });
    }
  });

  it("refuses signed JSON that is not a session (a value signed for another purpose cannot pass as one)", () => {
    const signedBody = signSession(SECRET, { ...CLAIMS, sessionId: "short" });
    expect(verifySession(SECRET, signedBody, NOW).kind).toBe("invalid");
  });
});

describe("sessionSecret", () => {
  it("derives a key of its own from the log secret: the same for the same secret, never the log secret itself", () => {
    const log = "a-log-secret-of-enough-length";
    expect(sessionSecret(log)).toBe(sessionSecret(log));
    expect(sessionSecret(log)).not.toBe(log);
    expect(sessionSecret(log)).not.toBe(sessionSecret(`${log}!`));
  });
});
