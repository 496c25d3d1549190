/**
 * "Sign in with GitHub" on heaven's real server against the fake GitHub's
 * OAuth web flow: the redirects a browser follows, the session cookie it
 * ends with, what that session may see, and what is refused — a changed
 * cookie, a forged or replayed state, a sign-out from another page.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { tempDir } from "../helpers/git-repo.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
/** Every Set-Cookie heaven sent in these tests. */
const cookiesSeen: string[] = [];

beforeAll(async () => {
  tmp = tempDir("heaven-sign-in-");
  github = new FakeGitHub();
  await github.start();
  // Sign-in never touches the repositories' git: any directory does.
  github.addRepo("acme/web", { dir: tmp.path, installationId: 11 });
  github.addRepo("acme/api", { dir: tmp.path, installationId: 11 });
  github.addRepo("umbrella/secret", { dir: tmp.path, installationId: 22 });
  github.readers.set("umbrella/secret", new Set(["alice"]));
  heaven = await startHeaven({
    githubHost: github.host,
    dataDir: join(tmp.path, "data"),
    env: { GITHUB_CLIENT_ID: github.oauth.clientId, GITHUB_CLIENT_SECRET: github.oauth.clientSecret },
  });
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

async function get(url: string, cookie?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (cookie !== undefined) headers.set("cookie", cookie);
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  cookiesSeen.push(...response.headers.getSetCookie());
  return response;
}

const cookieNamed = (response: Response, name: string) => response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
const valueOf = (setCookie: string | undefined) => setCookie?.split(";")[0] ?? "";

/** Follows sign-in as a browser does, approving on GitHub as `login`. */
async function signIn(login: string | undefined, to = "/dashboard") {
  github.oauth.login = login;
  const start = await get(`${heaven.url}/dashboard/sign-in?to=${encodeURIComponent(to)}`);
  const preLogin = valueOf(cookieNamed(start, "heaven_sign_in"));
  const approved = await get(start.headers.get("location") ?? "");
  const callbackUrl = approved.headers.get("location") ?? "";
  const back = await get(callbackUrl, preLogin);
  return { start, preLogin, callbackUrl, back, session: valueOf(cookieNamed(back, "heaven_session")) };
}

const session = async (cookie: string) => get(`${heaven.url}/dashboard/session`, cookie);

describe("signing in to the dashboard with GitHub", () => {
  it("sends the browser to GitHub's authorize page with the App's client id, heaven's callback and a state", async () => {
    const { start } = await signIn("alice");
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location") ?? "");
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`http://${github.host}/login/oauth/authorize`);
    expect(authorize.searchParams.get("client_id")).toBe(github.oauth.clientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${heaven.url}/dashboard/callback`);
    expect(authorize.searchParams.get("state")).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(cookieNamed(start, "heaven_sign_in")).toMatch(/; Path=\/dashboard\/callback; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it("ends with a signed HttpOnly SameSite session cookie, back where the person was going, and the session names them", async () => {
    const { back } = await signIn("alice", "/dashboard/repos/acme/web");
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe("/dashboard/repos/acme/web");
    expect(cookieNamed(back, "heaven_session")).toMatch(/^heaven_session=[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    // The pre-login cookie has done its work.
    expect(cookieNamed(back, "heaven_sign_in")).toMatch(/^heaven_sign_in=; .*Max-Age=0/);
    const answer = await session(valueOf(cookieNamed(back, "heaven_session")));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ login: "alice", csrfToken: expect.stringMatching(/^[\w-]{40,}$/) });
  });

  it("shows each person only the repositories of the App's installations they can access on GitHub", async () => {
    const alice = await signIn("alice");
    const bob = await signIn("bob");
    const names = async (cookie: string) => ((await (await get(`${heaven.url}/dashboard/repositories`, cookie)).json()) as { repositories: Array<{ fullName: string }> }).repositories.map((r) => r.fullName);
    expect(await names(alice.session)).toEqual(["acme/api", "acme/web", "umbrella/secret"]);
    expect(await names(bob.session)).toEqual(["acme/api", "acme/web"]);
    expect(github.requests.some((r) => r.path === "/user/installations/22/repositories" && r.status === 404)).toBe(false);
  });

  it("lets the session read the release-state API as the person: their repositories answer, others 404", async () => {
    const alice = await signIn("alice");
    const bob = await signIn("bob");
    const environments = (repo: string, cookie: string) => get(`${heaven.url}/api/repos/${repo}/environments`, cookie);
    expect((await environments("umbrella/secret", alice.session)).status).toBe(200);
    expect((await environments("acme/web", bob.session)).status).toBe(200);
    expect((await environments("umbrella/secret", bob.session)).status).toBe(404);
    expect((await environments("acme/web", "")).status).toBe(401);
  });

  it("answers 401 to a request without a session, and to a cookie whose login was changed", async () => {
    const { session: cookie } = await signIn("bob");
    expect((await session("")).status).toBe(401);
    const [name, value = ""] = cookie.split("=");
    const [body = "", signature] = value.split(".");
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>;
    const forged = `${name}=${Buffer.from(JSON.stringify({ ...claims, login: "alice" })).toString("base64url")}.${signature}`;
    expect((await session(forged)).status).toBe(401);
    expect((await get(`${heaven.url}/dashboard/repositories`, forged)).status).toBe(401);
    expect((await session(cookie)).status).toBe(200);
  });

  it("refuses a callback whose state heaven did not make, without exchanging its code", async () => {
    github.oauth.login = "mallory";
    const start = await get(`${heaven.url}/dashboard/sign-in`);
    const preLogin = valueOf(cookieNamed(start, "heaven_sign_in"));
    const authorize = new URL(start.headers.get("location") ?? "");
    authorize.searchParams.set("state", "eyJlIjo5OTk5OTk5OTk5OTk5LCJyIjoiL2Rhc2hib2FyZCJ9.forged-signature");
    const callbackUrl = (await get(authorize.toString())).headers.get("location") ?? "";
    const exchangesBefore = github.requests.filter((r) => r.path === "/login/oauth/access_token").length;
    const back = await get(callbackUrl, preLogin);
    expect(back.status).toBe(400);
    expect(await back.text()).toContain("not made by heaven for this browser");
    expect(cookieNamed(back, "heaven_session")).toBeUndefined();
    expect(github.requests.filter((r) => r.path === "/login/oauth/access_token")).toHaveLength(exchangesBefore);
  });

  it("refuses a genuine callback in a browser that did not start the sign-in (someone else's code pushed into it)", async () => {
    github.oauth.login = "mallory";
    const start = await get(`${heaven.url}/dashboard/sign-in`);
    const callbackUrl = (await get(start.headers.get("location") ?? "")).headers.get("location") ?? "";
    const back = await get(callbackUrl);
    expect(back.status).toBe(400);
    expect(cookieNamed(back, "heaven_session")).toBeUndefined();
  });

  it("refuses a callback replayed with the same cookie: GitHub takes each code once", async () => {
    const { callbackUrl, preLogin, back } = await signIn("dave");
    expect(back.status).toBe(302);
    const replayed = await get(callbackUrl, preLogin);
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain("bad_verification_code");
    expect(cookieNamed(replayed, "heaven_session")).toBeUndefined();
  });

  it("says so when the person declines on GitHub", async () => {
    const { back } = await signIn(undefined);
    expect(back.status).toBe(403);
    expect(await back.text()).toContain("GitHub did not sign you in");
    expect(cookieNamed(back, "heaven_session")).toBeUndefined();
  });
});

describe("signing out", () => {
  const signOut = (cookie: string, csrf: string, origin = heaven.url) =>
    get(`${heaven.url}/dashboard/sign-out`, cookie, { method: "POST", headers: { origin, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrf }).toString() });

  it("refuses a sign-out with a wrong CSRF token or from another site, and the session goes on", async () => {
    const { session: cookie } = await signIn("carol");
    const { csrfToken } = (await (await session(cookie)).json()) as { csrfToken: string };
    expect((await signOut(cookie, "not-the-token")).status).toBe(403);
    expect((await signOut(cookie, csrfToken, "https://evil.example")).status).toBe(403);
    expect((await session(cookie)).status).toBe(200);
  });

  it("with the session's CSRF token ends the session on the server, not only in the browser", async () => {
    const { session: cookie } = await signIn("carol");
    const { csrfToken } = (await (await session(cookie)).json()) as { csrfToken: string };
    const out = await signOut(cookie, csrfToken);
    expect(out.status).toBe(303);
    expect(cookieNamed(out, "heaven_session")).toMatch(/^heaven_session=; Path=\/; Max-Age=0/);
    // The old cookie, replayed, opens nothing.
    expect((await session(cookie)).status).toBe(401);
  });
});

describe("what is kept where", () => {
  it("puts no GitHub token or client secret in any cookie or in heaven's log", async () => {
    await heaven.waitForOutput("carol signed in");
    expect(github.oauth.issued.length).toBeGreaterThanOrEqual(5);
    for (const secret of [...github.oauth.issued, github.oauth.clientSecret]) {
      expect(cookiesSeen.filter((cookie) => cookie.includes(secret))).toEqual([]);
      expect(heaven.output()).not.toContain(secret);
    }
  });
});

describe("without the App's OAuth credentials", () => {
  it("answers sign-in with 503 and says which variables to set", async () => {
    const bare = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "bare") });
    try {
      const answer = await get(`${bare.url}/dashboard/sign-in`);
      expect(answer.status).toBe(503);
      const page = await answer.text();
      expect(page).toContain("GITHUB_CLIENT_ID");
      expect(page).toContain("GITHUB_CLIENT_SECRET");
      expect(page).toContain(`${bare.url}/dashboard/callback`);
    } finally {
      await bare.stop();
    }
  });
});
