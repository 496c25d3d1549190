/**
 * End to end: the log_url heaven posts to the fake GitHub, opened while the
 * deployment runs. Its deploy script prints, then waits on FIFOs this test
 * writes to, so every "more lines now" is the test's doing, never a timer.
 * Read as Server-Sent Events (with a reconnect mid-way), and in Debian's
 * Chromium driven by playwright-core, as a person would read it.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { eventLines, openEventStream } from "../helpers/event-stream.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const FULL_NAME = "Codertocat/Hello-World";
/** Where the screenshot is left for a reviewer to look at. */
const OUTPUT = join(process.cwd(), "test-output");

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;
let nextId = 900;

beforeAll(async () => {
  tmp = tempDir("heaven-log-page-");
  github = new FakeGitHub();
  await github.start();
  heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "data"), env: { DEPLOYMENT_TIMEOUT: "120" } });
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

/** A deployment whose script runs `body`; `gate(n)` is a FIFO the script waits on with `read _ < …`. */
async function running(name: string, body: (gate: (n: number) => string) => string) {
  const gate = (n: number) => join(tmp.path, `${name}-gate-${n}`);
  for (const n of [1, 2]) execFileSync("mkfifo", [gate(n)]);
  const origin = createRepo(tmp.path, name, { "script/deploy": script(body(gate)) });
  origin.git("branch", "-m", "master");
  github.addRepo(FULL_NAME, { dir: origin.dir, defaultBranch: "master" });
  const id = nextId++;
  const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
  event.repository.clone_url = `file://${origin.dir}`;
  Object.assign(event.deployment, { id, sha: origin.sha, environment: "production", payload: { force: true } });
  expect((await heaven.webhook("deployment", event)).status).toBeLessThan(300);
  const status = await github.waitForStatus(id, "in_progress");
  const open = (n: number) => writeFile(gate(n), "go\n");
  return { id, logUrl: status.log_url as string, open };
}

const streamOf = (logUrl: string) => logUrl.replace("?", "/stream?");
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

describe("the live tail of a running deployment", () => {
  it("streams its lines as the script prints them, resumes after a reconnect with exactly the lines it missed, then says finished", async () => {
    const run = await running("sse", (gate) =>
      [`echo "first line"`, `printf '\\033[32mgreen line\\033[0m\\n'`, `read _ < '${gate(1)}'`, `echo "after the first gate"`, `echo "<b>bold?</b>"`, `read _ < '${gate(2)}'`, `echo "last line"`].join("\n"),
    );
    const first = await openEventStream(streamOf(run.logUrl));
    expect(first.status).toBe(200);
    const before = await first.until((e) => eventLines(e).some((line) => line.endsWith(" green line")));
    first.close();

    await run.open(1);
    const after = await openEventStream(streamOf(run.logUrl), { "last-event-id": before.at(-1)?.id ?? "" });
    const middle = await after.until((e) => eventLines(e).some((line) => line.endsWith(" <b>bold?</b>")));
    await run.open(2);
    const rest = await after.until((e) => e.event === "finished");
    expect(JSON.parse(rest.at(-1)?.data ?? "{}")).toMatchObject({ state: "success", label: "succeeded" });
    expect(await after.next()).toBeUndefined();

    const raw = await (await fetch(run.logUrl)).text();
    const streamed = [...before, ...middle, ...rest].flatMap(eventLines);
    expect(streamed).toEqual(stripAnsi(raw).split("\n").slice(0, -1));
    expect(streamed.filter((line) => /Z (first line|green line|after the first gate|<b>bold\?<\/b>|last line)$/.test(line))).toHaveLength(5);
  });
});

describe("the log page in Chromium", () => {
  let context: BrowserContext;
  beforeAll(async () => {
    const executablePath = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
    context = await chromium.launchPersistentContext(join(tmp.path, "chromium-profile"), {
      executablePath,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      viewport: { width: 1100, height: 700 },
    });
  });
  afterAll(async () => {
    await context?.close();
  });

  it("shows new lines without a reload, follows them until the reader scrolls up, shows the finished state, and follows a #L anchor", async () => {
    const run = await running("browser", (gate) =>
      [
        `seq 1 120 | sed 's/^/filler /'`,
        `echo "waiting at the first gate"`,
        `read _ < '${gate(1)}'`,
        `echo "after the first gate"`,
        `read _ < '${gate(2)}'`,
        `echo "after the second gate"`,
        `echo "<script>alert('not run')</script>"`,
        `printf '\\033[32mgreen line\\033[0m\\n'`,
      ].join("\n"),
    );
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("dialog", (dialog) => {
      problems.push(`a dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    const answer = await page.goto(run.logUrl);
    expect(answer?.status()).toBe(200);
    await page.getByText("waiting at the first gate").waitFor();
    await expect(page.locator("#state").textContent()).resolves.toBe("running");
    // Running, and opened without an anchor: it follows the newest line.
    await page.waitForFunction(() => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 40);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    await run.open(1);
    const arrived = page.getByText("after the first gate");
    await arrived.waitFor();
    expect(await arrived.evaluate((line) => line.getBoundingClientRect().bottom <= window.innerHeight)).toBe(true);

    // The reader scrolls up: the page stops following and offers to follow again.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator("#follow").waitFor({ state: "visible" });
    await run.open(2);
    await page.locator("#end.finished").waitFor();
    expect(await page.locator("#end").textContent()).toMatch(/^Finished: succeeded \(script\/deploy succeeded in \d+ s\)\. End of log\.$/);
    expect(await page.locator("#state").textContent()).toBe("succeeded");
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // What the script printed is text: the tag shows, nothing ran; colours are spans.
    await page.getByText("<script>alert('not run')</script>").waitFor();
    expect(await page.getByText("green line").evaluate((span) => getComputedStyle(span).color)).toBe("rgb(0, 187, 0)");
    expect(problems).toEqual([]);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, "log-page.png"), fullPage: true });

    // A #L anchor scrolls to its line and marks it.
    await page.goto(`${run.logUrl}#L60`);
    const line = page.locator("#L60");
    await line.waitFor();
    expect(await line.evaluate((row) => row.classList.contains("hl") && row.matches(":target"))).toBe(true);
    expect(await line.evaluate((row) => { const box = row.getBoundingClientRect(); return box.top >= 0 && box.bottom <= window.innerHeight; })).toBe(true);
    expect(await line.textContent()).toMatch(/^60.*filler \d+$/);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);

    const tampered = await page.goto(run.logUrl.replace(/sig=[0-9a-f]{4}/, "sig=0000"));
    expect(tampered?.status()).toBe(404);
    await page.close();
  });
});
