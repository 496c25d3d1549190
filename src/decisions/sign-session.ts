/**
 * The dashboard's session cookie: who is signed in, under which server-side
 * session, until when — signed with heaven's key so a browser cannot change
 * any of it. The person's GitHub token is never in it (the session store
 * keeps that); a cookie alone, even a stolen one, outlives nothing: it stops
 * verifying at `expiresAt`, and the store forgets the session at sign-out.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export interface SessionClaims {
  /** A random id naming the server-side session (the token lives there). */
  sessionId: string;
  login: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type SessionCheck =
  | { kind: "valid"; claims: SessionClaims }
  /** Signed by heaven, but its time is over: sign in again. */
  | { kind: "expired"; claims: SessionClaims }
  /** Not made by heaven with this key, changed, cut short, or not a session at all. */
  | { kind: "invalid" };

const claimsSchema = z.object({
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  login: z.string().min(1).max(100),
  expiresAt: z.number().int().nonnegative(),
});

/** One HMAC-SHA256 per purpose, so a value signed for one use never verifies as another. */
export function hmac(secret: string, purpose: string, message: string): string {
  return createHmac("sha256", secret).update(`${purpose}\0${message}`).digest("base64url");
}

/** Compares two strings in time that does not depend on where they differ. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The key that signs dashboard cookies, derived from the log-link secret (HEAVEN_LOG_SECRET or the generated one): nothing new to set. */
export function sessionSecret(logSecret: string): string {
  return createHmac("sha256", logSecret).update("heaven dashboard sessions v1").digest("hex");
}

/** `base64url(JSON claims).base64url(HMAC)`: the cookie's value. */
export function signSession(secret: string, claims: SessionClaims): string {
  const body = Buffer.from(JSON.stringify({ sessionId: claims.sessionId, login: claims.login, expiresAt: claims.expiresAt })).toString("base64url");
  return `${body}.${hmac(secret, "session", body)}`;
}

export function verifySession(secret: string, value: string | undefined, now: number): SessionCheck {
  if (value === undefined || value.length > 4096) return { kind: "invalid" };
  const [body, signature, ...rest] = value.split(".");
  if (body === undefined || signature === undefined || rest.length > 0 || body === "") return { kind: "invalid" };
  if (!sameText(signature, hmac(secret, "session", body))) return { kind: "invalid" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { kind: "invalid" };
  }
  const claims = claimsSchema.safeParse(parsed);
  if (!claims.success) return { kind: "invalid" };
  return claims.data.expiresAt <= now ? { kind: "expired", claims: claims.data } : { kind: "valid", claims: claims.data };
}
