/**
 * End to end, issue 12 (the dashboard) in Debian's Chromium driven by
 * playwright-core, against heaven's real server and the fake GitHub: alice
 * signs in through the browser, sees her two repositories and their
 * environments, watches a deployment go from in progress to success without
 * a reload (its script waits for a file this test creates), locks an
 * environment from the page and sees bob's deployment refused; bob, who
 * cannot read alice's private repository, does not see it and gets 404 from
 * its dashboard and API URLs. Screenshots go to test-output/.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createProject, type Project } from "../helpers/e2e-project.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { script, tempDir } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

/** Where the screenshots are left for a reviewer, as the log page's is. */
const OUTPUT = join(process.cwd(), "test-output");
const BOB = "ghp_bob0dashboard000000000000000000000000";
const CONFIG = { ".github/heaven.yml": "required_contexts: []\nenvironments:\n  production:\n    auto_deploy: false\n  staging:\n    auto_deploy: false\n" };
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
let web: Project;
let secret: Project;
let gate: string;
let executablePath: string;
let alice: BrowserContext;
let page: Page;
const problems: string[] = [];

const browser = (profile: string) => chromium.launchPersistentContext(join(tmp.path, profile), { executablePath, headless: true, args: ARGS, viewport: { width: 1200, height: 800 } });
const cookieOf = async (context: BrowserContext) => (await context.cookies(heaven.url)).map((c) => `${c.name}=${c.value}`).join("; ");
/** A form post as a browser sends it, without the browser: to forge what a page would not send. */
const postAction = (fullName: string, cookie: string, origin: string, fields: Record<string, string>) =>
  fetch(`${heaven.url}/dashboard/${fullName}/actions`, { method: "POST", redirect: "manual", headers: { cookie, origin, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
const envCell = (fullName: string, environment: string) => `[data-env="${`${fullName}:${environment}`.toLowerCase()}"]`;

async function signIn(context: BrowserContext, login: string, to: string): Promise<Page> {
  github.oauth.login = login;
  const opened = await context.newPage();
  opened.on("console", (message) => {
    if (message.type() === "error" && !message.text().includes("404")) problems.push(`${login}: ${message.text()} at ${opened.url()} ${JSON.stringify(message.location())}`);
  });
  const answer = await opened.goto(`${heaven.url}${to}`);
  expect(answer?.status()).toBe(200);
  // Not signed in, the dashboard sent the browser through GitHub's authorize page and back here.
  expect(new URL(opened.url()).pathname).toBe(to);
  return opened;
}

async function screenshot(shot: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  await shot.screenshot({ path: join(OUTPUT, name), fullPage: true });
}

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-dashboard-");
  gate = join(tmp.path, "secret-gate");
  github = new FakeGitHub({ waitTimeoutMs: 30_000 });
  await github.start();
  github.userTokens.set(BOB, "bob");
  heaven = await startHeaven({
    githubHost: github.host,
    dataDir: join(tmp.path, "data"),
    env: { DEPLOYMENT_TIMEOUT: "60", GITHUB_CLIENT_ID: github.oauth.clientId, GITHUB_CLIENT_SECRET: github.oauth.clientSecret },
  });
  github.deliver = (event, payload) => heaven.webhook(event, payload);
  web = createProject(github, { dir: tmp.path, owner: "acme-e2e", installationId: 61 }, "web", CONFIG);
  secret = createProject(github, { dir: tmp.path, owner: "acme-e2e", installationId: 61 }, "secret", {
    ...CONFIG,
    "script/deploy": script(`until [ -e '${gate}' ]; do sleep 0.05; done\necho "deployed $SHA"`),
  });
  github.readers.set(secret.fullName, new Set(["alice"]));
  const first = await github.createDeployment({ fullName: web.fullName, ref: "main", environment: "production", creator: { login: "carol" } });
  expect((await github.waitForFinalStatus(first)).state).toBe("success");
  executablePath = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  alice = await browser("alice-profile");
});

afterAll(async () => {
  await alice?.close();
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

describe("the dashboard in Chromium", () => {
  it("signs alice in with GitHub and shows her two repositories with their environments", async () => {
    page = await signIn(alice, "alice", "/dashboard");
    await page.locator("header").getByText("@alice").waitFor();
    for (const fullName of [web.fullName, secret.fullName]) {
      await page.getByRole("link", { name: fullName, exact: true }).waitFor();
      for (const environment of ["production", "staging"]) await page.locator(envCell(fullName, environment)).waitFor();
    }
    const production = page.locator(envCell(web.fullName, "production"));
    expect(await production.locator(".state").getAttribute("data-state")).toBe("success");
    expect(await production.textContent()).toContain("@carol");
    expect(await production.locator("a code").textContent()).toBe(web.origin.sha.slice(0, 7));
    expect(await page.locator(envCell(secret.fullName, "production")).textContent()).toContain("nothing live");
    await screenshot(page, "dashboard-overview.png");
  });

  it("shows a deployment go from in progress to success without reloading, with its log, chart and DORA figures", async () => {
    await page.goto(`${heaven.url}/dashboard/${secret.fullName}`);
    await page.locator("body[data-live=connected]").waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const badge = page.locator(`${envCell(secret.fullName, "production")} h2 .state`);
    expect(await badge.getAttribute("data-state")).toBe("none");

    const id = await github.createDeployment({ fullName: secret.fullName, ref: "main", environment: "production", creator: { login: "alice" } });
    await page.locator(`${envCell(secret.fullName, "production")} h2 .state[data-state=in_progress]`).waitFor();
    await writeFile(gate, "go\n");
    await page.locator(`${envCell(secret.fullName, "production")} h2 .state[data-state=success]`).waitFor();
    expect((await github.waitForFinalStatus(id)).state).toBe("success");
    // GitHub's records caught up: the history row, the live commit, the chart's bar.
    const row = page.locator(`#history tr[data-deployment="${id}"]`);
    await row.locator(".state[data-state=success]").waitFor();
    await page.locator(`${envCell(secret.fullName, "production")} rect[data-outcome=success]`).waitFor();
    expect(await page.locator(envCell(secret.fullName, "production")).textContent()).toContain(secret.origin.sha.slice(0, 7));
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    await page.locator('[data-figure="deployment frequency"]').getByText("1 went live").waitFor();
    expect(await page.locator('[data-figure="lead time for changes"]').textContent()).toMatch(/1 deploys/);
    expect(await page.locator('[data-figure="change failure rate"] b').textContent()).toBe("0 %");
    expect(await page.locator("#dora-source").textContent()).toMatch(/^Computed from the \d+ deploy records of this repository/);
    await screenshot(page, "dashboard-repository.png");

    const log = await row.getByRole("link", { name: "log" }).getAttribute("href");
    const logPage = await alice.newPage();
    expect((await logPage.goto(log ?? ""))?.status()).toBe(200);
    await logPage.getByText(`deployed ${secret.origin.sha}`).waitFor();
    await logPage.close();
  });

  it("locks an environment from the page with a reason; bob's deployment is then refused; GitHub's own refusals show", async () => {
    await page.goto(`${heaven.url}/dashboard/${web.fullName}`);
    await page.locator("body[data-live=connected]").waitFor();
    const lock = page.locator("form[data-action=lock]");
    await lock.locator("select").selectOption("production");
    await lock.locator("input[name=reason]").fill("release freeze <b>friday</b>");
    await lock.getByRole("button", { name: "Lock" }).click();
    await page.locator("#notice.done").getByText(/^Created deployment \d+: deploy:lock main to production of acme-e2e\/web as @alice\.$/).waitFor();
    const lockId = await github.waitForDeployment((d) => d.task === "deploy:lock" && d.environment === "production");
    expect(lockId.creator).toMatchObject({ login: "alice" });
    await page.locator(envCell(web.fullName, "production")).getByText("locked by @alice: release freeze <b>friday</b>").waitFor();

    const created = await fetch(`http://${github.host}/api/v3/repos/${web.fullName}/deployments`, {
      method: "POST",
      headers: { authorization: `token ${BOB}`, "content-type": "application/json" },
      body: JSON.stringify({ ref: "main", environment: "production", required_contexts: [], auto_merge: false }),
    });
    expect(created.status).toBe(201);
    const bobs = ((await created.json()) as { id: number }).id;
    const refused = await github.waitForFinalStatus(bobs);
    expect(refused.state).not.toBe("success");
    expect(refused.description).toContain("alice");
    // Live: the refusal reaches the open page's history, as GitHub's records say it.
    const row = page.locator(`#history tr[data-deployment="${bobs}"]`);
    await row.getByText("@bob").waitFor();
    await row.getByText(String(refused.description)).waitFor();
    await screenshot(page, "dashboard-locked.png");

    const deploy = page.locator("form[data-action=deploy]");
    await deploy.locator("input[name=ref]").fill("no-such-branch");
    await deploy.getByRole("button", { name: "Deploy" }).click();
    await page.locator("#notice.refused").getByText("No ref found for: no-such-branch").waitFor();
    expect(problems).toEqual([]);

    // Without the session's CSRF token, or from another site, an action does nothing.
    const cookie = await cookieOf(alice);
    const csrf = (await page.locator("form[data-action=unlock] input[name=csrf]").getAttribute("value")) ?? "";
    const post = (token: string, origin: string) => postAction(web.fullName, cookie, origin, { csrf: token, action: "unlock", environment: "production" });
    const before = github.deploymentsOf(web.fullName).length;
    expect((await post("not-the-token", heaven.url)).status).toBe(403);
    expect((await post(csrf, "https://evil.example")).status).toBe(403);
    expect(github.deploymentsOf(web.fullName)).toHaveLength(before);
    expect((await post(csrf, heaven.url)).status).toBe(303);
    await github.waitForDeployment((d) => d.task === "deploy:unlock" && d.creator.login === "alice");
  });

  it("does not show bob alice's private repository, and answers 404 to its dashboard and API URLs", async () => {
    const bob = await browser("bob-profile");
    try {
      const overview = await signIn(bob, "bob", "/dashboard");
      await overview.getByRole("link", { name: web.fullName, exact: true }).waitFor();
      const csrf = (await overview.locator("header input[name=csrf]").getAttribute("value")) ?? "";
      expect(await overview.locator("#overview").textContent()).not.toContain(secret.fullName);
      expect(await overview.locator(envCell(secret.fullName, "production")).count()).toBe(0);
      const hidden = await overview.goto(`${heaven.url}/dashboard/${secret.fullName}`);
      expect(hidden?.status()).toBe(404);
      expect(await overview.content()).not.toContain("production");
      const api = await overview.goto(`${heaven.url}/api/repos/${secret.fullName}/environments`);
      expect(api?.status()).toBe(404);
      // Nor can bob act on it, even with his own valid CSRF token.
      const acted = await postAction(secret.fullName, await cookieOf(bob), heaven.url, { csrf, action: "lock", environment: "production", reason: "mine now" });
      expect(acted.status).toBe(404);
      expect(github.deploymentsOf(secret.fullName).filter((d) => d.task === "deploy:lock")).toEqual([]);
      // The same session reads what bob can read.
      expect((await overview.goto(`${heaven.url}/api/repos/${web.fullName}/environments`))?.status()).toBe(200);
    } finally {
      await bob.close();
    }
  });
});
