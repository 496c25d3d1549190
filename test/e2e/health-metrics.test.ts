/**
 * Health, readiness, metrics and the status page of heaven's real server
 * against the fake GitHub: what an operator's load balancer, Prometheus and
 * browser see.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const FULL_NAME = "Codertocat/Hello-World";
const TOKEN = "metrics-token-0123456789abcdef";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
let dataDir: string;
let nextId = 700;

beforeAll(async () => {
  tmp = tempDir("heaven-health-");
  dataDir = join(tmp.path, "data");
  github = new FakeGitHub();
  github.rateLimitRemaining = 4321;
  await github.start();
  heaven = await startHeaven({ githubHost: github.host, dataDir, env: { HEAVEN_METRICS_TOKEN: TOKEN } });
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

/** A forced deployment of a fresh repository whose deploy script exits `exit`. */
async function deploy(name: string, exit: number) {
  const origin = createRepo(tmp.path, name, { "script/deploy": script(`echo "deploying ${name}"\nexit ${exit}`) });
  origin.git("branch", "-m", "master");
  github.addRepo(FULL_NAME, { dir: origin.dir, defaultBranch: "master" });
  const id = nextId++;
  const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
  event.repository.clone_url = `file://${origin.dir}`;
  Object.assign(event.deployment, { id, sha: origin.sha, environment: "production", payload: { force: true } });
  expect((await heaven.webhook("deployment", event)).status).toBeLessThan(300);
  return { final: await github.waitForFinalStatus(id), installationId: event.installation!.id };
}

const scrape = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`${heaven.url}/metrics`, { headers });

/** One sample's value in Prometheus' text format; 0 when the series does not exist yet. */
async function sample(series: string): Promise<number> {
  const text = await (await scrape()).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const finished = (state: string) => `heaven_deployments_finished_total{repository="${FULL_NAME}",environment="production",state="${state}"}`;

describe("health and metrics", () => {
  it("answers /health while the process serves", async () => {
    const answer = await fetch(`${heaven.url}/health`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "ok" });
  });

  it("counts deployments by final state, GitHub requests and the rate limit left, as Prometheus scrapes them", async () => {
    const before = { success: await sample(finished("success")), failure: await sample(finished("failure")), writes: await sample('heaven_github_requests_total{kind="write",status="2xx"}'), delivered: await sample('heaven_outbox_writes_total{outcome="delivered"}') };
    const ok = await deploy("metrics-ok", 0);
    const bad = await deploy("metrics-bad", 3);
    expect(ok.final.state).toBe("success");
    expect(bad.final.state).toBe("failure");

    expect(await sample(finished("success"))).toBe(before.success + 1);
    expect(await sample(finished("failure"))).toBe(before.failure + 1);
    // At least each deployment's in_progress status was answered before its final one went out.
    expect(await sample('heaven_github_requests_total{kind="write",status="2xx"}')).toBeGreaterThanOrEqual(before.writes + 2);
    // Both in_progress statuses went out before their final ones (the last final may still be on its way back).
    expect(await sample('heaven_outbox_writes_total{outcome="delivered"}')).toBeGreaterThanOrEqual(before.delivered + 2);
    expect(await sample(`heaven_github_rate_limit_remaining{installation="${ok.installationId}"}`)).toBe(4321);
    expect(await sample('heaven_deployment_duration_seconds_count{state="success"}')).toBeGreaterThanOrEqual(1);
    expect(await sample("heaven_queue_wait_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(await sample("heaven_queue_depth")).toBe(0);
    expect(await sample("heaven_deployments_running")).toBe(0);
    expect(await sample("heaven_installations_seen")).toBeGreaterThanOrEqual(1);
    expect(await sample('heaven_webhook_handling_seconds_count{event="deployment.created",outcome="ok"}')).toBeGreaterThanOrEqual(2);
    const text = await (await scrape()).text();
    expect(text).toContain("# TYPE heaven_outbox_depth gauge");
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("asks for HEAVEN_METRICS_TOKEN as a bearer token", async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: "Bearer not-the-token" })).status).toBe(401);
    const answer = await scrape();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("is ready, then answers 503 naming the data directory while it takes no writes, then ready again", async () => {
    const ready = await fetch(`${heaven.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", failed: [], checks: { journal: { ok: true }, dataDir: { ok: true }, github: { ok: true } } });

    // A directory where the probe file goes stops the write for root as well, where chmod would not.
    const probe = join(dataDir, ".ready-probe");
    mkdirSync(probe);
    try {
      const refused = await fetch(`${heaven.url}/ready`);
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { status: string; failed: string[]; checks: { dataDir: { ok: boolean; detail: string } } };
      expect(body.status).toBe("not ready");
      expect(body.failed).toEqual(["dataDir"]);
      expect(body.checks.dataDir.detail).toBe("the data directory is not writable: EISDIR");
    } finally {
      rmdirSync(probe);
    }
    expect((await fetch(`${heaven.url}/ready`)).status).toBe(200);
  });

  it("answers / with a status page, and with JSON when asked", async () => {
    const page = await fetch(`${heaven.url}/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain("<h1>heaven 0.1.0</h1>");
    expect(html).toContain("Installations seen");
    expect(html).toContain('<a href="/metrics">');

    const json = await fetch(`${heaven.url}/`, { headers: { accept: "application/json" } });
    expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await json.json()).toMatchObject({ name: "heaven", version: "0.1.0", queue: { queued: 0, running: 0, parked: 0 }, uptimeSeconds: expect.any(Number) });
  });
});
