/**
 * The fake GitHub itself: webhook deliveries recorded as GitHub records them
 * and the App delivery API over them, outages, injected failures,
 * installation tokens that can be revoked, git over smart HTTP behind those
 * tokens, and added latency. A tiny HTTP receiver stands in for heaven.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeGitHub, type Deliver } from "../helpers/fake-github.js";
import { redeliverMissed, redeliveryMemory } from "../../src/github/redeliver-missed.js";
import { quietOctokit } from "../helpers/app-credentials.js";
import { createRepo, tempDir } from "../helpers/git-repo.js";

interface Received {
  event: string;
  guid: string;
  body: unknown;
}

/** Answers each webhook with the next of `statuses` (then 200), recording what came. */
async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ event: String(req.headers["x-github-event"]), guid: String(req.headers["x-github-delivery"]), body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(statuses.shift() ?? 200, { "content-type": "text/plain", "x-receiver": "yes" });
      res.end("ok\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deliver: Deliver = (event, payload, guid) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": guid }, body: JSON.stringify(payload) });
  return { received, deliver, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on: heaven is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const Octokit = quietOctokit();

let github: FakeGitHub;
let api: string;
const payload = (n: number) => ({ action: "created", n, installation: { id: 42 }, repository: { id: 7 } });

beforeEach(async () => {
  github = new FakeGitHub({ waitTimeoutMs: 5_000 });
  await github.start();
  api = `http://${github.host}/api/v3`;
});

afterEach(async () => {
  await github.stop();
});

describe("webhook deliveries", () => {
  it("records a webhook to a heaven that is down as failed to connect (status_code 0)", async () => {
    const port = await closedPort();
    github.deliver = (event, body, guid) => fetch(`http://127.0.0.1:${port}/`, { method: "POST", headers: { "x-github-delivery": guid }, body: JSON.stringify(body) });
    const recorded = await github.sendWebhook("deployment", payload(1));
    expect(recorded).toMatchObject({ status_code: 0, status: "failed to connect", event: "deployment", action: "created", installation_id: 42, repository_id: 7, redelivery: false });
    expect(recorded.guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(recorded.delivered_at).toISOString()).toBe(recorded.delivered_at);
    expect(github.failedDeliveries).toEqual([{ event: "deployment", status: expect.stringContaining("fetch failed") }]);
    expect(github.deliveries()).toEqual([recorded]);
  });

  it("records a webhook sent while no deliver is set as failed too, without counting it in failedDeliveries", async () => {
    expect(await github.sendWebhook("status", { state: "success" })).toMatchObject({ status_code: 0, action: null, installation_id: null, repository_id: null });
    expect(github.failedDeliveries).toEqual([]);
  });

  it("sends the GUID as X-GitHub-Delivery and keeps heaven's answer", async () => {
    const receiver = await startReceiver([503]);
    github.deliver = receiver.deliver;
    try {
      const failed = await github.sendWebhook("deployment", payload(2));
      const ok = await github.sendWebhook("deployment", payload(3));
      expect(receiver.received.map((r) => r.guid)).toEqual([failed.guid, ok.guid]);
      expect(failed).toMatchObject({ status_code: 503, status: "Invalid HTTP Response: 503" });
      expect(ok).toMatchObject({ status_code: 200, status: "OK" });
      expect(ok.id).toBeGreaterThan(failed.id);
      expect(ok.guid).not.toBe(failed.guid);

      const detail = (await (await fetch(`${api}/app/hook/deliveries/${failed.id}`)).json()) as Record<string, unknown>;
      expect(detail).toMatchObject({
        ...failed,
        request: { headers: { "X-GitHub-Delivery": failed.guid, "X-GitHub-Event": "deployment" }, payload: payload(2) },
        response: { headers: { "x-receiver": "yes" }, payload: "ok\n" },
      });
      expect((await fetch(`${api}/app/hook/deliveries/999999`)).status).toBe(404);
    } finally {
      await receiver.stop();
    }
  });

  it("redelivers on POST …/attempts: 202, then the same event and payload with the same GUID, recorded as a redelivery", async () => {
    const original = await github.sendWebhook("deployment", payload(4)); // heaven down: no deliver
    const receiver = await startReceiver();
    github.deliver = receiver.deliver;
    try {
      const answer = await fetch(`${api}/app/hook/deliveries/${original.id}/attempts`, { method: "POST" });
      expect(answer.status).toBe(202);
      const again = await github.waitForDelivery((d) => d.guid === original.guid && d.redelivery, "the redelivery");
      expect(again).toMatchObject({ guid: original.guid, event: "deployment", status_code: 200, redelivery: true });
      expect(again.id).toBeGreaterThan(original.id);
      expect(receiver.received).toEqual([{ event: "deployment", guid: original.guid, body: payload(4) }]);
      expect(github.requests.some((r) => r.method === "POST" && r.path === `/app/hook/deliveries/${original.id}/attempts`)).toBe(true);
      expect((await fetch(`${api}/app/hook/deliveries/999999/attempts`, { method: "POST" })).status).toBe(404);
    } finally {
      await receiver.stop();
    }
  });

  it("lists deliveries newest first in cursor pages that octokit.paginate follows through the Link header", async () => {
    for (let n = 0; n < 5; n++) await github.sendWebhook("push", { n });
    const octokit = new Octokit({ baseUrl: api });
    const first = await octokit.request("GET /app/hook/deliveries", { per_page: 2 });
    expect(first.data.map((d) => d.id)).toEqual(github.deliveries().slice(-2).reverse().map((d) => d.id));
    expect(first.headers.link).toMatch(new RegExp(`^<${api}/app/hook/deliveries\\?per_page=2&cursor=v1_\\d+>; rel="next"$`));

    const all = await octokit.paginate("GET /app/hook/deliveries", { per_page: 2 });
    expect(all.map((d) => d.id)).toEqual(github.deliveries().reverse().map((d) => d.id));
    expect(all).toHaveLength(5);
    const pages = github.requests.filter((r) => r.path === "/app/hook/deliveries").slice(1);
    expect(pages.map((r) => r.query.cursor === undefined)).toEqual([true, false, false]);
  });

  it("caps per_page at 100 and defaults it to 30", async () => {
    for (let n = 0; n < 101; n++) await github.sendWebhook("ping", {});
    const count = async (query: string) => ((await (await fetch(`${api}/app/hook/deliveries${query}`)).json()) as unknown[]).length;
    expect(await count("")).toBe(30);
    expect(await count("?per_page=500")).toBe(100);
  });

  it("lets heaven's redelivery round find a missed deployment and get it delivered again", async () => {
    const missed = await github.sendWebhook("deployment", payload(5)); // heaven down
    const receiver = await startReceiver();
    github.deliver = receiver.deliver;
    try {
      const lines: string[] = [];
      const at = () => (_fields: object, message: string) => void lines.push(message);
      const octokit = new Octokit({ baseUrl: api });
      const round = await redeliverMissed(octokit, { log: { debug: at(), info: at(), warn: at() }, memory: redeliveryMemory() });
      expect(round.redelivered).toContain(missed.id);
      await github.waitForDelivery((d) => d.guid === missed.guid && d.status_code === 200, "the missed deployment, delivered again");
      expect(receiver.received.filter((r) => r.guid === missed.guid)).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });
});

describe("outages and failures", () => {
  it("answers 503 to matching requests until the outage is over, and can end it early", async () => {
    github.outage(150, { method: "GET", path: /^\/app\/hook\/deliveries$/ });
    const down = await fetch(`${api}/app/hook/deliveries`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ message: "fake GitHub outage" });
    expect((await fetch(`${api}/app/hook/deliveries/1`)).status).not.toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${api}/app/hook/deliveries`)).status).toBe(200);

    const outage = github.outage(60_000);
    expect((await fetch(`${api}/repos/o/r/deployments`)).status).toBe(503);
    outage.end();
    expect((await fetch(`${api}/repos/o/r/deployments`)).status).toBe(200);
  });

  it("fails the next requests with the status and headers asked for, to play rate limits", async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 60);
    github.fail("GET", /^\/app\/hook\/deliveries$/, 403, 1, { headers: { "retry-after": "1", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, message: "You have exceeded a secondary rate limit" });
    const limited = await fetch(`${api}/app/hook/deliveries`);
    expect(limited.status).toBe(403);
    expect([limited.headers.get("retry-after"), limited.headers.get("x-ratelimit-remaining"), limited.headers.get("x-ratelimit-reset")]).toEqual(["1", "0", reset]);
    expect(await limited.json()).toEqual({ message: "You have exceeded a secondary rate limit" });
    expect((await fetch(`${api}/app/hook/deliveries`)).status).toBe(200);
  });
});

describe("installation tokens", () => {
  const mint = async () =>
    ((await (await fetch(`${api}/app/installations/42/access_tokens`, { method: "POST", headers: { authorization: "Bearer app.jwt.here" } })).json()) as { token: string }).token;
  const asking = (token: string) => fetch(`${api}/repos/o/r/deployments`, { headers: { authorization: `token ${token}` } });

  it("mints a distinct token each time, and remembers which token each request used", async () => {
    const [a, b] = [await mint(), await mint()];
    expect(a).toMatch(/^ghs_faketoken\d+$/);
    expect(a).toHaveLength(40);
    expect(b).not.toBe(a);
    expect(github.mintedTokens()).toEqual([a, b]);
    await asking(b);
    expect(github.requests[github.requests.length - 1]).toMatchObject({ token: b, authorization: `token ${b}` });
    expect(github.requests.find((r) => r.path === "/app/installations/42/access_tokens")).toMatchObject({ token: "app.jwt.here" });
  });

  it("answers 401 Bad credentials to a revoked token, and accepts one minted afterwards", async () => {
    const old = await mint();
    expect((await asking(old)).status).toBe(200);
    expect(github.revokeTokens()).toBe(1);
    const refused = await asking(old);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ message: "Bad credentials" });
    expect((await asking(await mint())).status).toBe(200);
  });
});

describe("git over smart HTTP", () => {
  let root: { path: string; remove: () => void };
  let sha: string;
  let url: string;

  beforeEach(() => {
    root = tempDir("heaven-fake-git-");
    const origin = createRepo(root.path, "origin", { "README.md": "hello\n" });
    sha = origin.sha;
    github.addRepo("octo/app", { dir: origin.dir, gitOverHttp: true });
    url = github.cloneUrl("octo/app");
  });

  afterEach(() => root.remove());

  /** `git clone` as heaven runs it: the token from a credential helper reading the environment, never argv. Async: the fake answers in this process. */
  const clone = (token: string) =>
    new Promise<{ ok: boolean; stderr: string }>((resolve) => {
      const env = {
        PATH: process.env.PATH ?? "",
        HOME: root.path,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_TERMINAL_PROMPT: "0",
        TEST_TOKEN: token,
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "credential.helper",
        GIT_CONFIG_VALUE_0: '!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" "$TEST_TOKEN"; }; f',
      };
      execFile("git", ["clone", "--quiet", "--end-of-options", url, "copy"], { cwd: root.path, env }, (error, _stdout, stderr) => resolve({ ok: error === null, stderr }));
    });
  const clonedHead = () =>
    new Promise<string>((resolve, reject) =>
      execFile("git", ["rev-parse", "HEAD"], { cwd: `${root.path}/copy`, env: { PATH: process.env.PATH ?? "", HOME: root.path } }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
    );

  it("gives the repository a clone_url of its own, on the fake's host", () => {
    expect(url).toBe(`http://${github.host}/octo/app.git`);
    expect(github.forRepository({ repository: {}, installation: {} }, "octo/app").repository.clone_url).toBe(url);
  });

  it("answers a request without credentials with 401 and a Basic challenge, as GitHub does", async () => {
    const answer = await fetch(`${url}/info/refs?service=git-upload-pack`);
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(github.gitRequests).toEqual([{ repository: "octo/app", method: "GET", path: "/info/refs", withCredentials: false, status: 401 }]);
  });

  it("lets git clone with an installation token it minted, once git answers the challenge", async () => {
    const cloned = await clone(github.mintToken());
    expect(cloned).toEqual({ ok: true, stderr: "" });
    expect(await clonedHead()).toBe(sha);
    expect(github.gitRequests.map((r) => [r.path, r.withCredentials, r.status])).toEqual([
      ["/info/refs", false, 401],
      ["/info/refs", true, 200],
      ["/git-upload-pack", true, 200],
      ["/git-upload-pack", true, 200],
    ]);
  });

  it("refuses a token it did not mint, and one it has revoked", async () => {
    expect(await clone("ghs_faketoken999999999999999999999999999")).toMatchObject({ ok: false, stderr: expect.stringContaining("Authentication failed") });
    const token = github.mintToken();
    github.revokeTokens();
    expect(await clone(token)).toMatchObject({ ok: false, stderr: expect.stringContaining("Authentication failed") });
    expect(github.gitRequests.filter((r) => r.status === 200)).toEqual([]);
  });

  it("does not serve a repository registered without gitOverHttp", async () => {
    github.addRepo("octo/local", { dir: `${root.path}/origin` });
    expect(github.cloneUrl("octo/local")).toBe(`file://${root.path}/origin`);
    expect((await fetch(`http://${github.host}/octo/local.git/info/refs?service=git-upload-pack`)).status).toBe(404);
  });
});

describe("latency", () => {
  const LATENCY_MS = 150;
  /** How long `request` took to answer. Node's timers count whole milliseconds, so a delay may end up to 1 ms early by this clock. */
  const took = async (request: () => Promise<Response>) => {
    const started = performance.now();
    const answer = await request();
    await answer.arrayBuffer();
    return performance.now() - started + 1;
  };

  it("delays every answer, API and git alike, by latencyMs, settable at any time", async () => {
    const root = tempDir("heaven-fake-latency-");
    try {
      github.addRepo("octo/app", { dir: createRepo(root.path).dir, gitOverHttp: true });
      github.latencyMs = LATENCY_MS;
      expect(await took(() => fetch(`${api}/repos/octo/app/branches/main`))).toBeGreaterThanOrEqual(LATENCY_MS);
      expect(await took(() => fetch(`${github.cloneUrl("octo/app")}/info/refs?service=git-upload-pack`))).toBeGreaterThanOrEqual(LATENCY_MS);
      expect(github.requests.at(-1)).toMatchObject({ path: "/repos/octo/app/branches/main", status: 200 });
      expect(github.gitRequests.at(-1)).toMatchObject({ path: "/info/refs", status: 401 });
    } finally {
      root.remove();
    }
  });

  it("is taken from the constructor too", async () => {
    const slow = new FakeGitHub({ latencyMs: LATENCY_MS });
    await slow.start();
    try {
      expect(await took(() => fetch(`http://${slow.host}/api/v3/app/hook/deliveries`))).toBeGreaterThanOrEqual(LATENCY_MS);
    } finally {
      await slow.stop();
    }
  });
});
