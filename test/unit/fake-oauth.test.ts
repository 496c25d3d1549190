/** The fake GitHub's OAuth web flow answers as GitHub's does, so heaven's sign-in is tested against the real rules. */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { FakeGitHub } from "../helpers/fake-github.js";

let github: FakeGitHub;
const CALLBACK = "http://heaven.example/dashboard/callback";

beforeAll(async () => {
  github = new FakeGitHub();
  await github.start();
});

afterAll(async () => {
  await github?.stop();
});

async function approve(login: string | undefined): Promise<URL> {
  github.oauth.login = login;
  const query = new URLSearchParams({ client_id: github.oauth.clientId, redirect_uri: CALLBACK, state: "s-1" });
  const answer = await fetch(`http://${github.host}/login/oauth/authorize?${query.toString()}`, { redirect: "manual" });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get("location") ?? "");
}

const exchange = async (fields: Record<string, string>) =>
  (await (await fetch(`http://${github.host}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ client_id: github.oauth.clientId, client_secret: github.oauth.clientSecret, redirect_uri: CALLBACK, ...fields }),
  })).json()) as Record<string, unknown>;

describe("the fake GitHub's OAuth web flow", () => {
  it("sends the browser back to the redirect URI with a code and the state, as the approving person", async () => {
    const back = await approve("alice");
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get("state")).toBe("s-1");
    const answer = await exchange({ code: back.searchParams.get("code") ?? "" });
    expect(answer).toMatchObject({ access_token: expect.stringMatching(/^ghu_/), token_type: "bearer" });
    const user = await fetch(`http://${github.host}/api/v3/user`, { headers: { authorization: `token ${String(answer.access_token)}` } });
    expect(await user.json()).toMatchObject({ login: "alice" });
  });

  it("takes each code once, only with the App's secret and the same redirect URI", async () => {
    const code = (await approve("bob")).searchParams.get("code") ?? "";
    expect(await exchange({ code, client_secret: "wrong" })).toMatchObject({ error: "incorrect_client_credentials" });
    expect(await exchange({ code, redirect_uri: "http://evil.example/cb" })).toMatchObject({ error: "redirect_uri_mismatch" });
    const fresh = (await approve("bob")).searchParams.get("code") ?? "";
    expect(await exchange({ code: fresh })).toHaveProperty("access_token");
    expect(await exchange({ code: fresh })).toMatchObject({ error: "bad_verification_code" });
  });

  it("sends access_denied back when nobody approves", async () => {
    const back = await approve(undefined);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("code")).toBeNull();
  });
});
