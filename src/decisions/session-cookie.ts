/**
 * The dashboard's two cookies and the attributes that keep them safe:
 * HttpOnly (page scripts cannot read them), SameSite=Lax (not sent on
 * another site's POSTs or frames, but sent when GitHub sends the browser
 * back), Secure whenever heaven is reached over https.
 */

/** The signed session (sign-session.ts). */
export const SESSION_COOKIE = "heaven_session";
/** The nonce a sign-in's OAuth state is bound to (oauth-state.ts), only on the callback's path. */
export const SIGN_IN_COOKIE = "heaven_sign_in";
export const CALLBACK_PATH = "/dashboard/callback";

export interface CookieOptions {
  /** HEAVEN_URL: https there makes the cookie Secure. */
  heavenUrl: string;
  path: string;
  /** 0 clears the cookie. */
  maxAgeSeconds: number;
}

const VALUE = /^[A-Za-z0-9._-]*$/;

export function setCookieHeader(name: string, value: string, options: CookieOptions): string {
  // heaven's values are base64url and dots; anything else would need quoting and is a bug.
  if (!VALUE.test(value)) throw new Error(`cookie ${name}: value has characters a cookie cannot carry unquoted`);
  const secure = new URL(options.heavenUrl).protocol === "https:" ? "; Secure" : "";
  return `${name}=${value}; Path=${options.path}; Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}; HttpOnly; SameSite=Lax${secure}`;
}

export function clearCookieHeader(name: string, options: Omit<CookieOptions, "maxAgeSeconds">): string {
  return setCookieHeader(name, "", { ...options, maxAgeSeconds: 0 });
}

/** The first cookie of that name in a `Cookie` header; undefined when there is none. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
