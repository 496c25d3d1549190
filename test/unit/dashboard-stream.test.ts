import { afterEach, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import { dashboardEvent, DashboardStream } from "../../src/server/dashboard/dashboard-stream.js";

function job(fullName: string, id: number, task = "deploy"): DeploymentJob {
  const [owner = "", repo = ""] = fullName.split("/");
  return {
    key: `github:deployment:${id}`,
    lane: laneOf(fullName, "production"),
    origin: { kind: "github", installationId: 7, owner, repo, deploymentId: id },
    acceptedAt: 1_000,
    request: { id: String(id), repository: { fullName, cloneUrl: "/nowhere" }, environment: "production", ref: "main", sha: "a".repeat(40), task, force: false, payloadConfig: undefined, creator: "alice" },
  };
}

const started = { type: "started", sha: "b".repeat(40), forcedOver: undefined, environmentUrl: undefined } as const;
const succeeded = { type: "finished", outcome: { kind: "succeeded", what: "script/deploy", durationMs: 1200 }, environmentUrl: undefined } as const;

describe("what a dashboard page is told of an event", () => {
  it("says the state as GitHub's status will, and whether it moves the environment's badge", () => {
    expect(dashboardEvent(job("acme/web", 5), started)).toEqual({ repository: "acme/web", environment: "production", deploymentId: 5, task: "deploy", deploy: true, state: "in_progress", sha: "b".repeat(40), by: "alice" });
    expect(dashboardEvent(job("acme/web", 5), succeeded)?.state).toBe("success");
    expect(dashboardEvent(job("acme/web", 6, "deploy:lock"), succeeded)).toMatchObject({ deploy: false, task: "deploy:lock" });
    expect(dashboardEvent(job("acme/web", 5), { type: "waiting-for-ci", sha: "a".repeat(40), waiting: ["ci"], deadline: 0 })?.state).toBe("pending");
  });

  it("tells nothing of configuration events or local deployments", () => {
    expect(dashboardEvent(job("acme/web", 5), { type: "configured", notify: { slack: [], webhooks: [] } } as never)).toBeUndefined();
    expect(dashboardEvent({ ...job("acme/web", 5), origin: { kind: "local" } }, started)).toBeUndefined();
  });
});

describe("DashboardStream", () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server?.listening) await new Promise((resolve) => server?.close(resolve));
  });

  async function serve(stream: DashboardStream, repositories: string[]): Promise<string> {
    server = createServer((req, res) => stream.open(req, res, repositories));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return `http://127.0.0.1:${port}/dashboard/stream`;
  }

  /** Reads the stream until `done` holds for what arrived (or it ends). */
  async function readUntil(body: ReadableStream<Uint8Array>, done: (text: string) => boolean): Promise<string> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value);
    }
    reader.releaseLock();
    return text;
  }

  it("sends each person only the events of repositories they can read, case aside", async () => {
    const stream = new DashboardStream();
    const url = await serve(stream, ["Acme/Web"]);
    const answer = await fetch(url);
    expect(answer.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const body = answer.body as ReadableStream<Uint8Array>;
    await readUntil(body, (text) => text.includes("retry: 2000"));
    await stream.publish(job("umbrella/secret", 9), started);
    await stream.publish(job("acme/web", 5), succeeded);
    const text = await readUntil(body, (seen) => seen.includes('"deploymentId":5'));
    const events = text.split("\n\n").filter((block) => block.startsWith("event: deployment"));
    expect(events.map((block) => JSON.parse(block.split("data: ")[1] ?? "{}").repository)).toEqual(["acme/web"]);
    expect(text).not.toContain("umbrella");
    await body.cancel();
  });

  it("ends every open stream once the server stops listening, so shutdown is not held up", async () => {
    const stream = new DashboardStream();
    const url = await serve(stream, ["acme/web"]);
    const body = (await fetch(url)).body as ReadableStream<Uint8Array>;
    await readUntil(body, (text) => text.includes("retry"));
    expect(stream.size).toBe(1);
    const closed = new Promise((resolve) => server?.close(resolve));
    // The stream ends by itself (read to the end), and only then can the server finish closing.
    await readUntil(body, () => false);
    await closed;
    expect(stream.size).toBe(0);
  });

  it("sends a keep-alive comment on a quiet stream", async () => {
    let now = 0;
    const stream = new DashboardStream(() => now);
    const url = await serve(stream, ["acme/web"]);
    const body = (await fetch(url)).body as ReadableStream<Uint8Array>;
    await readUntil(body, (text) => text.includes("retry"));
    now = 15_000;
    expect(await readUntil(body, (text) => text.includes(": still here"))).toContain(": still here\n\n");
    stream.close();
    await readUntil(body, () => false);
    expect(stream.size).toBe(0);
  });
});
