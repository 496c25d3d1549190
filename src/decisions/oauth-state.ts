/**
 * The OAuth `state` of a sign-in: signed by heaven, short-lived, and bound to
 * a random nonce heaven put in a pre-login cookie of the same browser. A
 * callback whose state heaven did not make, that is too old, or that arrives
 * in a browser that did not start the sign-in (login CSRF: someone else's
 * code pushed into your browser) is refused.
 */
import { z } from "zod";
import { hmac, sameText } from "./sign-session.js";

/** How long GitHub's page may take: time to read it and approve, not a long-lived link. */
export const STATE_TTL_MS = 10 * 60_000;

export interface StateContent {
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Where to go once signed in: a path of the dashboard. */
  returnTo: string;
}

export type StateCheck =
  | { ok: true; content: StateContent }
  | { ok: false; reason: "missing" | "forged" | "expired" | "no-pre-login-cookie" };

const contentSchema = z.object({ e: z.number().int().nonnegative(), r: z.string() });

export function createOAuthState(secret: string, nonce: string, content: StateContent): string {
  const body = Buffer.from(JSON.stringify({ e: content.expiresAt, r: content.returnTo })).toString("base64url");
  return `${body}.${hmac(secret, "oauth-state", `${nonce}\0${body}`)}`;
}

export function checkOAuthState(secret: string, state: string | undefined, nonce: string | undefined, now: number): StateCheck {
  if (state === undefined || state === "") return { ok: false, reason: "missing" };
  if (nonce === undefined || nonce === "") return { ok: false, reason: "no-pre-login-cookie" };
  const [body, signature, ...rest] = state.split(".");
  if (body === undefined || signature === undefined || rest.length > 0) return { ok: false, reason: "forged" };
  if (!sameText(signature, hmac(secret, "oauth-state", `${nonce}\0${body}`))) return { ok: false, reason: "forged" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "forged" };
  }
  const content = contentSchema.safeParse(parsed);
  if (!content.success) return { ok: false, reason: "forged" };
  if (content.data.e <= now) return { ok: false, reason: "expired" };
  return { ok: true, content: { expiresAt: content.data.e, returnTo: safeReturnPath(content.data.r) } };
}

/** A path under /dashboard on heaven itself, never another host (`//evil.example`, `/\evil`): else /dashboard. */
export function safeReturnPath(value: string | undefined | null): string {
  if (value === undefined || value === null) return "/dashboard";
  if (!/^\/dashboard(?:[/?#][^\\\s]*)?$/.test(value) || value.startsWith("//")) return "/dashboard";
  return value;
}

export function describeStateRefusal(reason: Extract<StateCheck, { ok: false }>["reason"]): string {
  switch (reason) {
    case "missing":
      return "GitHub sent no state back with this sign-in.";
    case "no-pre-login-cookie":
      return "This browser did not start this sign-in (or its cookie is gone): start again.";
    case "forged":
      return "This sign-in's state was not made by heaven for this browser, so it was refused.";
    case "expired":
      return "This sign-in took longer than 10 minutes: start again.";
  }
}
