/**
 * End to end, behind a firewall: heaven's real server with
 * HEAVEN_INGRESS=poll, and a fake GitHub that can never reach it (every
 * webhook delivery fails to connect and is only recorded in the App's
 * delivery log, as GitHub records it). heaven reads that log and must still
 * deploy what is asked, auto-deploy green CI, release a branch lock when its
 * pull request merges, and lose nothing and run nothing twice across a
 * restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { createProject, type Project } from "../helpers/e2e-project.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { tempDir, type Files } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const OWNER = "heaven-behind-firewall";
const INSTALLATION = 6262;

let tmp: ReturnType<typeof tempDir>;
let dataDir: string;
let github: FakeGitHub;
let heaven: HeavenProcess;

const start = () => startHeaven({ githubHost: github.host, dataDir, env: { HEAVEN_INGRESS: "poll", HEAVEN_POLL_SECONDS: "1", DEPLOYMENT_TIMEOUT: "20" } });

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-poll-");
  dataDir = join(tmp.path, "data");
  github = new FakeGitHub({ waitTimeoutMs: 40_000 });
  await github.start();
  // No `deliver`: GitHub cannot reach heaven, ever.
  heaven = await start();
  // The first round starts after the newest delivery GitHub has: events from then on are heaven's.
  await heaven.waitForOutput("polling GitHub's delivery log for events");
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

const project = (name: string, files: Files = {}): Project => createProject(github, { dir: tmp.path, owner: OWNER, installationId: INSTALLATION }, name, files);

const deploy = (p: Project, who: string, fields: { ref?: string; task?: string } = {}) =>
  github.createDeployment({ fullName: p.fullName, ref: fields.ref ?? "main", environment: "production", task: fields.task, creator: { login: who } });

describe("with no inbound traffic", () => {
  it("deploys a deployment created through the API, though GitHub could not deliver its webhook", async () => {
    const p = project("api");
    const id = await deploy(p, "alice");
    expect(github.deliveries().find((d) => d.event === "deployment" && d.status_code === 0)).toBeDefined();
    expect(await github.waitForFinalStatus(id)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${p.origin.sha} production main`]);
    // Read from GitHub's API with the App's credentials: no webhook was ever answered.
    expect(github.requests.some((r) => r.path === "/app/hook/deliveries" && r.token !== undefined)).toBe(true);
  });

  it("auto-deploys the default branch when its CI turns green", async () => {
    const p = project("auto", { ".github/heaven.yml": "environments:\n  production:\n    auto_deploy: true\n" });
    const sha = p.origin.sha;
    github.repo(p.fullName).checkRuns.set(sha, [{ name: "test", status: "completed", conclusion: "success" }]);
    const event = webhookExample("check_suite", (e) => e.action === "completed");
    Object.assign(event.check_suite, { head_sha: sha, head_branch: "main", status: "completed", conclusion: "success", after: sha });
    await github.sendWebhook("check_suite", github.forRepository(event, p.fullName));

    const auto = await github.waitForDeployment((d) => d.repository === p.fullName && d.sha === sha, "the auto-deployment");
    expect(auto).toMatchObject({ creator: { login: "heaven[bot]" }, payload: { heaven: { auto: true } } });
    expect(await github.waitForFinalStatus(auto.id)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${sha} production main`]);
  });

  it("releases the lock a branch deploy took when its pull request is merged", async () => {
    const p = project("merge");
    p.origin.git("checkout", "--quiet", "-b", "topic");
    const topic = p.origin.commit({ "feature.txt": "a feature\n" }, "a feature");
    p.origin.git("checkout", "--quiet", "main");
    const bobs = await deploy(p, "bob", { ref: "topic" });
    expect(await github.waitForFinalStatus(bobs)).toMatchObject({ state: "success" });

    const event = webhookExample("pull_request", (e) => e.action === "closed");
    const [owner, name] = p.fullName.split("/");
    Object.assign(event.pull_request, { number: 7, state: "closed", merged: true, merged_by: { ...event.pull_request.user, login: "dana" } });
    event.number = 7;
    event.pull_request.head = { ...event.pull_request.head, ref: "topic", sha: topic, label: `${owner}:topic` };
    event.pull_request.head.repo = { ...event.pull_request.head.repo, full_name: p.fullName, name, owner: { ...event.pull_request.head.repo.owner, login: owner } };
    await github.sendWebhook("pull_request", github.forRepository(event, p.fullName));

    const release = await github.waitForDeployment((d) => d.repository === p.fullName && d.task === "deploy:unlock", "heaven's unlock");
    expect(await github.waitForFinalStatus(release.id)).toMatchObject({ state: "success", description: "unlocked by @dana (pull request #7 merged; was locked by @bob)" });
  });

  it("loses nothing and runs nothing twice across a restart", async () => {
    const p = project("restart");
    const before = await deploy(p, "alice");
    const beforeDelivery = github.deliveries().at(-1);
    expect(beforeDelivery).toMatchObject({ event: "deployment", status_code: 0 });
    expect(await github.waitForFinalStatus(before)).toMatchObject({ state: "success" });
    expect(await heaven.stop()).toBe(0);

    // While heaven is down: a new commit is deployed, and the earlier deployment's webhook is redelivered.
    const sha2 = p.origin.commit({ "v2.txt": "2\n" }, "version 2");
    const during = await deploy(p, "alice");
    await github.redeliver(beforeDelivery?.id ?? -1);

    heaven = await start();
    expect(await github.waitForFinalStatus(during)).toMatchObject({ state: "success" });
    // Something after both, to know heaven has looked at everything before it.
    const after = await deploy(p, "alice");
    expect(await github.waitForFinalStatus(after)).toMatchObject({ state: "success" });
    expect(p.runs()).toEqual([`${p.origin.sha} production main`, `${sha2} production main`, `${sha2} production main`]);
    expect(github.finalStatusesOf(before)).toHaveLength(1);
    expect(github.finalStatusesOf(during)).toHaveLength(1);
  });
});
