/**
 * "Sign in with GitHub" for the dashboard, GitHub's OAuth web flow with the
 * App's own credentials:
 *   GET  /dashboard/sign-in   → GitHub's authorize page, with a signed state bound to a pre-login cookie
 *   GET  /dashboard/callback  → the code exchanged for the person's token (kept server-side), a signed session cookie
 *   POST /dashboard/sign-out  → the session forgotten (CSRF-checked)
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describeCsrfRefusal } from "../decisions/check-csrf.js";
import { checkOAuthState, createOAuthState, describeStateRefusal, safeReturnPath, STATE_TTL_MS } from "../decisions/oauth-state.js";
import { CALLBACK_PATH, clearCookieHeader, readCookie, SESSION_COOKIE, setCookieHeader, SIGN_IN_COOKIE } from "../decisions/session-cookie.js";
import { signSession } from "../decisions/sign-session.js";
import { authorizeUrl, exchangeCode, type OAuthClient } from "../github/oauth-web-flow.js";
import { createUserOctokit, getUserLogin } from "../github/user-repositories.js";
import type { SessionReader } from "./dashboard-session.js";
import { NO_STORE, sendNotConfigured, sendPage, sendSignInProblem } from "./sign-in-pages.js";
import type { SessionStore } from "./session-store.js";

/** A working day; a user-to-server token that expires sooner (GitHub's default is 8 hours) ends the session with it. */
export const SESSION_TTL_MS = 8 * 3_600_000;

export interface SignInOptions {
  /** GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET; undefined: sign-in answers 503 saying what to set. */
  client: { clientId: string; clientSecret: string } | undefined;
  heavenUrl: string;
  githubWebUrl: string;
  apiBaseUrl: () => Promise<string>;
  secret: string;
  store: SessionStore;
  sessions: SessionReader;
  log: { info: (message: string) => void; warn: (message: string) => void };
  now?: () => number;
  fetch?: typeof fetch;
}

const MAX_FORM_BYTES = 16 * 1024;

export function signInRoutes(options: SignInOptions) {
  const now = options.now ?? Date.now;
  const redirectUri = `${options.heavenUrl}${CALLBACK_PATH}`;
  const sessionCookie = { heavenUrl: options.heavenUrl, path: "/" };
  const signInCookie = { heavenUrl: options.heavenUrl, path: CALLBACK_PATH };
  const client = (): OAuthClient | undefined => (options.client === undefined ? undefined : { webUrl: options.githubWebUrl, ...options.client });

  const signIn = (url: URL, res: ServerResponse, oauth: OAuthClient) => {
    const nonce = randomBytes(24).toString("base64url");
    const state = createOAuthState(options.secret, nonce, { expiresAt: now() + STATE_TTL_MS, returnTo: safeReturnPath(url.searchParams.get("to")) });
    res
      .writeHead(302, { ...NO_STORE, location: authorizeUrl(oauth, redirectUri, state), "set-cookie": setCookieHeader(SIGN_IN_COOKIE, nonce, { ...signInCookie, maxAgeSeconds: STATE_TTL_MS / 1000 }) })
      .end();
  };

  const callback = async (req: IncomingMessage, url: URL, res: ServerResponse, oauth: OAuthClient) => {
    const clearSignIn = { "set-cookie": clearCookieHeader(SIGN_IN_COOKIE, signInCookie) };
    if (url.searchParams.get("error") !== null) {
      return sendSignInProblem(res, 403, `GitHub did not sign you in: ${url.searchParams.get("error_description") ?? url.searchParams.get("error")}.`, clearSignIn);
    }
    const state = checkOAuthState(options.secret, url.searchParams.get("state") ?? undefined, readCookie(req.headers.cookie, SIGN_IN_COOKIE), now());
    if (!state.ok) {
      options.log.warn(`dashboard: a sign-in callback was refused (${state.reason})`);
      return sendSignInProblem(res, 400, describeStateRefusal(state.reason), clearSignIn);
    }
    const code = url.searchParams.get("code");
    if (code === null || code === "") return sendSignInProblem(res, 400, "GitHub sent no code back with this sign-in.", clearSignIn);
    let person: { token: string; login: string; expiresAt: number };
    try {
      const exchanged = await exchangeCode(oauth, code, redirectUri, options.fetch);
      if (exchanged.kind === "refused") {
        options.log.warn(`dashboard: GitHub refused a sign-in's code (${exchanged.error})`);
        return sendSignInProblem(res, 400, `GitHub refused this sign-in (${exchanged.error}${exchanged.description === undefined ? "" : `: ${exchanged.description}`}).`, clearSignIn);
      }
      const login = await getUserLogin(createUserOctokit(await options.apiBaseUrl(), exchanged.token));
      const tokenEnds = exchanged.expiresInSeconds === undefined ? Infinity : now() + exchanged.expiresInSeconds * 1000;
      person = { token: exchanged.token, login, expiresAt: Math.min(now() + SESSION_TTL_MS, tokenEnds) };
    } catch (error) {
      options.log.warn(`dashboard: a sign-in could not reach GitHub: ${error instanceof Error ? error.message : String(error)}`);
      return sendSignInProblem(res, 502, "heaven could not reach GitHub to finish signing you in: try again in a moment.", clearSignIn);
    }
    const session = options.store.create(person.login, person.token, person.expiresAt);
    const cookie = signSession(options.secret, { sessionId: session.sessionId, login: session.login, expiresAt: session.expiresAt });
    options.log.info(`dashboard: ${person.login} signed in`);
    res
      .writeHead(302, {
        ...NO_STORE,
        location: state.content.returnTo,
        "set-cookie": [setCookieHeader(SESSION_COOKIE, cookie, { ...sessionCookie, maxAgeSeconds: (session.expiresAt - now()) / 1000 }), clearSignIn["set-cookie"]],
      })
      .end();
  };

  const signOut = async (req: IncomingMessage, res: ServerResponse) => {
    const session = options.sessions.sessionOf(req);
    const form = await readForm(req);
    const check = options.sessions.checkCsrf(req, session, form?.get("csrf") ?? undefined);
    if (session !== undefined && !check.ok) {
      options.log.warn(`dashboard: a sign-out for ${session.login} was refused (${check.reason})`);
      return sendPage(res, 403, "Sign-out refused", [describeCsrfRefusal(check.reason)]);
    }
    // Without a live session there is nothing to protect: the stale cookie is cleared.
    if (session !== undefined) options.store.delete(session.sessionId);
    res.writeHead(303, { ...NO_STORE, location: "/", "set-cookie": clearCookieHeader(SESSION_COOKIE, sessionCookie) }).end();
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://heaven.invalid");
    const route = ROUTES[url.pathname];
    if (route === undefined) return false;
    // HEAD only for sign-in: a callback's code is exchanged once, by the browser's GET.
    const headToo = route.name === "sign-in";
    if (req.method !== route.method && !(headToo && req.method === "HEAD")) {
      res.writeHead(405, { ...NO_STORE, allow: headToo ? "GET, HEAD" : route.method }).end();
      return true;
    }
    if (route.name === "sign-out") {
      await signOut(req, res);
      return true;
    }
    const oauth = client();
    if (oauth === undefined) {
      sendNotConfigured(res, options.heavenUrl, ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"]);
      return true;
    }
    if (route.name === "sign-in") signIn(url, res, oauth);
    else await callback(req, url, res, oauth);
    return true;
  };
}

const ROUTES: Record<string, { name: "sign-in" | "callback" | "sign-out"; method: "GET" | "POST" } | undefined> = {
  "/dashboard/sign-in": { name: "sign-in", method: "GET" },
  [CALLBACK_PATH]: { name: "callback", method: "GET" },
  "/dashboard/sign-out": { name: "sign-out", method: "POST" },
};

/** An urlencoded form body (sign-out's `csrf` field); undefined for any other body. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
