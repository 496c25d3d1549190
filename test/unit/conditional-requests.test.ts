/**
 * Conditional requests against the fake GitHub (which answers If-None-Match
 * with 304 as GitHub does): a real Octokit, the hook on top.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { useConditionalRequests, type ConditionalCounts } from "../../src/github/conditional-requests.js";
import { quietOctokit } from "../helpers/app-credentials.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createRepo, tempDir } from "../helpers/git-repo.js";

const REPO = "acme/app";
let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let clock: number;
let octokit: InstanceType<ReturnType<typeof quietOctokit>>;
let counts: ConditionalCounts;

beforeAll(async () => {
  tmp = tempDir("heaven-conditional-");
  github = new FakeGitHub();
  await github.start();
  github.addRepo(REPO, { dir: createRepo(tmp.path, "app").dir });
});

afterAll(async () => {
  await github.stop();
  tmp.remove();
});

beforeEach(() => {
  clock = 1_000_000;
  octokit = new (quietOctokit())({ auth: "ghs_test", baseUrl: `http://${github.host}/api/v3` });
  counts = useConditionalRequests(octokit, { ttlMs: 5000, now: () => clock });
  github.requests.length = 0;
});

const list = () => octokit.request("GET /repos/{owner}/{repo}/deployments", { owner: "acme", repo: "app", per_page: 100 });
const deploymentReads = () => github.requests.filter((r) => r.path === `/repos/${REPO}/deployments` && r.method === "GET");

describe("conditional requests", () => {
  it("reuses an answer within the TTL without asking GitHub", async () => {
    await github.createDeployment({ fullName: REPO, ref: "main", environment: "production", creator: { login: "alice" } }, { deliver: false });
    const first = await list();
    clock += 4999;
    const second = await list();
    expect(second.data).toEqual(first.data);
    expect(deploymentReads()).toHaveLength(1);
    expect(counts).toEqual({ fresh: 1, notModified: 0, fetched: 1 });
  });

  it("asks again after the TTL with the ETag, and a 304 gives the kept answer", async () => {
    const first = await list();
    clock += 5000;
    const second = await list();
    expect(second.status).toBe(200);
    expect(second.data).toEqual(first.data);
    const [plain, conditional] = deploymentReads();
    expect(plain?.ifNoneMatch).toBeUndefined();
    expect(conditional).toMatchObject({ status: 304, ifNoneMatch: first.headers.etag });
    expect(counts.notModified).toBe(1);
  });

  it("gets the new answer once it changed", async () => {
    const before = await list();
    await github.createDeployment({ fullName: REPO, ref: "main", environment: "staging", creator: { login: "bob" } }, { deliver: false });
    clock += 5000;
    const after = await list();
    expect(deploymentReads().map((r) => r.status)).toEqual([200, 200]);
    expect((after.data as unknown[]).length).toBe((before.data as unknown[]).length + 1);
  });

  it("keeps different URLs apart and never caches writes", async () => {
    await list();
    await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner: "acme", repo: "app", environment: "staging" });
    expect(deploymentReads()).toHaveLength(2);
    await octokit.request("POST /repos/{owner}/{repo}/deployments", { owner: "acme", repo: "app", ref: "main", environment: "qa" });
    await octokit.request("POST /repos/{owner}/{repo}/deployments", { owner: "acme", repo: "app", ref: "main", environment: "qa" });
    expect(github.requests.filter((r) => r.method === "POST")).toHaveLength(2);
  });
});
