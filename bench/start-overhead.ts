/**
 * Start overhead: a signed `deployment` webhook sent from a separate process
 * → the deploy script's first instruction, through the real server
 * (`startHeaven`, Probot's throttling on) against the fake GitHub, which
 * serves git over smart HTTP behind its installation tokens as GitHub does.
 * Every deployment is of a new commit, pushed to the origin just before with
 * green CI that heaven reads (heaven.yml leaves `required_contexts` out);
 * the clone cache and the token are warm. At 0 ms and at 100 ms of GitHub
 * latency per request (API and git alike); at 100 ms also in round trips.
 * Per deployment: the API requests and writes heaven made and its git HTTP
 * requests, beside Heaven's 7 requests and 5 writes. Each latency twice:
 * the deployment webhook alone, and after the push's webhook (as GitHub
 * sends it when the commit is pushed, long before CI lets it deploy), which
 * heaven uses to fetch the commit early.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { logFilePath, logKey } from "../src/engine/log-links.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { webhookExample } from "../test/helpers/examples.js";
import { createRepo, script, type GitRepo } from "../test/helpers/git-repo.js";
import { startHeaven, WEBHOOK_SECRET } from "../test/helpers/heaven-server.js";
import { record, type Comparison } from "./helpers/scoreboard.js";
import { percentile, table } from "./helpers/stats.js";
import { startWebhookProcess, type WebhookProcess } from "./helpers/webhook-process.js";

const FULL_NAME = "bench/start";
const MEASURED = 10;
const SCENARIOS = [0, 100].flatMap((latency) => [{ latency, pushFirst: false }, { latency, pushFirst: true }]);
type Scenario = (typeof SCENARIOS)[number];
const scenarioName = (s: Scenario) => `${s.latency} ms latency${s.pushFirst ? ", push first" : ""}`;
/** Heaven (the Ruby app) per deployment, as issue 9 counts it: a constant, not measured here. */
const HEAVEN = { requests: 7, writes: 5, of: "Heaven's, a constant" };
const TOKEN_MINT = /^\/app\/installations\/\d+\/access_tokens$/;

interface Deployed {
  id: number;
  overheadMs: number;
  apiRequests: number;
  writes: number;
  gitRequests: number;
  gitWithoutCredentials: number;
}

export async function startOverheadBenchmark(dir: string): Promise<void> {
  // A heaven that died mid-run ends the benchmark with a message instead of a wait forever.
  const github = new FakeGitHub({ waitTimeoutMs: 60_000 });
  await github.start();
  const startedAt = join(dir, "started-at");
  const origin = createRepo(dir, "origin", {
    // No required_contexts: heaven reads CI on each sha, as it does for most repositories.
    ".github/heaven.yml": "provider: shell\n",
    // `date +%s%3N`: wall-clock milliseconds, comparable with the sender's clock.
    "script/deploy": script(`echo "$DEPLOYMENT_ID $(date +%s%3N)" >> '${startedAt}'`),
  });
  github.addRepo(FULL_NAME, { dir: origin.dir, gitOverHttp: true });
  const dataDir = join(dir, "data");
  const heaven = await startHeaven({ githubHost: github.host, dataDir }).catch(async (error: unknown) => {
    await github.stop();
    throw error;
  });
  const sender = await startWebhookProcess(heaven.url, WEBHOOK_SECRET);
  github.deliver = sender.deliver;
  const results = new Map<Scenario, Deployed[]>();
  const timings = new Map<Scenario, string>();
  try {
    let n = 0;
    for (const scenario of SCENARIOS) {
      github.latencyMs = scenario.latency;
      // One deployment first in each scenario (the first of all also fills the clone cache and mints the token).
      const runs: Deployed[] = [];
      for (let i = 0; i <= MEASURED; i++) {
        const deployed = await deployNewCommit(github, origin, sender, { startedAt, dataDir, pushFirst: scenario.pushFirst }, n++);
        if (i > 0) runs.push(deployed);
      }
      results.set(scenario, runs);
      timings.set(scenario, stepTimings(dataDir, runs.at(-1)?.id));
    }
  } catch (error) {
    console.error(`start-overhead failed; heaven's last output:\n${heaven.output().slice(-4000)}`);
    throw error;
  } finally {
    sender.stop();
    await heaven.stop();
    await github.stop();
  }
  report(results, timings);
}

/** Pushes a commit with green CI, creates its deployment (the webhook goes out from the sender process) and waits for its final status. */
async function deployNewCommit(github: FakeGitHub, origin: GitRepo, sender: WebhookProcess, where: { startedAt: string; dataDir: string; pushFirst: boolean }, n: number): Promise<Deployed> {
  const { startedAt } = where;
  const sha = origin.commit({ VERSION: `${n}\n` }, `release ${n}`);
  if (where.pushFirst) await pushAndWaitForPrefetch(github, where.dataDir, sha);
  const repo = github.repo(FULL_NAME);
  repo.statuses.set(sha, [{ context: "ci/build", state: "success" }]);
  repo.checkRuns.set(sha, [{ name: "test", status: "completed", conclusion: "success" }]);
  const api = github.requests.length;
  const git = github.gitRequests.length;
  const id = await github.createDeployment({ fullName: FULL_NAME, ref: "main", environment: "production", creator: { login: "bench" } });
  const delivery = github.deliveries().at(-1);
  const final = await github.waitForFinalStatus(id);
  if (final.state !== "success") throw new Error(`start-overhead: deployment ${id} ended ${final.state}: ${final.description}`);
  const sentAt = delivery === undefined ? undefined : sender.sentAt.get(delivery.guid);
  const scriptAt = scriptStarts(startedAt).get(id);
  if (sentAt === undefined || scriptAt === undefined) throw new Error(`start-overhead: no webhook or no script start for deployment ${id}`);
  const made = github.requests.slice(api).filter((r) => !TOKEN_MINT.test(r.path));
  const gitMade = github.gitRequests.slice(git);
  return {
    id,
    overheadMs: scriptAt - sentAt,
    apiRequests: made.length,
    writes: made.filter((r) => r.method !== "GET").length,
    gitRequests: gitMade.length,
    gitWithoutCredentials: gitMade.filter((r) => !r.withCredentials).length,
  };
}

/** GitHub's push webhook for `sha`; resolves once heaven's cache holds the commit (heaven fetches it on the push). */
async function pushAndWaitForPrefetch(github: FakeGitHub, dataDir: string, sha: string): Promise<void> {
  const push = webhookExample("push", (e) => e.deleted === false && e.installation !== undefined);
  Object.assign(push, { ref: "refs/heads/main", after: sha, deleted: false });
  await github.sendWebhook("push", github.forRepository(push, FULL_NAME));
  const repos = join(dataDir, "repos");
  const has = () => readdirSync(repos).some((cache) => {
    try {
      execFileSync("git", ["cat-file", "-e", `${sha}^{commit}`], { cwd: join(repos, cache), stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  for (let waited = 0; !has(); waited += 10) {
    if (waited > 30_000) throw new Error(`start-overhead: heaven did not fetch ${sha.slice(0, 7)} on its push`);
    await sleep(10);
  }
}

/** Deployment id → epoch ms its script started. */
function scriptStarts(file: string): Map<number, number> {
  const lines = readFileSync(file, "utf8").trim().split("\n").filter((l) => l !== "");
  return new Map(lines.map((line) => line.split(" ").map(Number) as [number, number]));
}

/** heaven's own account of where a deployment's start went (its log's step-timings line, without the timestamp), if it writes one. */
function stepTimings(dataDir: string, id: number | undefined): string {
  const log = id === undefined ? undefined : logFilePath(dataDir, logKey(FULL_NAME, String(id)));
  const line = log !== undefined && existsSync(log) ? readFileSync(log, "utf8").split("\n").find((l) => / ms in all$/.test(l)) : undefined;
  return line?.replace(/^\S+\s+(heaven:\s+)?/, "") ?? "(no step timings in its log)";
}

function report(results: Map<Scenario, Deployed[]>, timings: Map<Scenario, string>): void {
  const figures: Record<string, number> = {};
  const compare: Record<string, Comparison> = {};
  const rows: string[][] = [["scenario", "p50", "p95", "max", "API requests", "writes", "git requests (no credentials)"]];
  const perDeployment = (runs: Deployed[], pick: (d: Deployed) => number) => runs.reduce((sum, d) => sum + pick(d), 0) / runs.length;
  for (const [scenario, runs] of results) {
    const { latency } = scenario;
    const name = scenarioName(scenario);
    const ms = runs.map((d) => d.overheadMs);
    const [p50, p95] = [percentile(ms, 50), percentile(ms, 95)];
    figures[`webhook → script p50, ${name} (ms)`] = p50;
    figures[`webhook → script p95, ${name} (ms)`] = p95;
    if (latency === 0) compare[`webhook → script p50, ${name} (ms)`] = { goal: "< 100" };
    if (latency > 0) {
      figures[`webhook → script p50, ${name} (round trips)`] = p50 / latency;
      compare[`webhook → script p50, ${name} (round trips)`] = { goal: "≤ 2.5" };
    }
    const [requests, writes, git, bare] = [perDeployment(runs, (d) => d.apiRequests), perDeployment(runs, (d) => d.writes), perDeployment(runs, (d) => d.gitRequests), perDeployment(runs, (d) => d.gitWithoutCredentials)];
    const shown = (value: number) => `${value.toFixed(0)} ms`;
    rows.push([name, shown(p50), shown(p95), shown(Math.max(...ms)), requests.toFixed(1), writes.toFixed(1), `${git.toFixed(1)} (${bare.toFixed(1)})`]);
    if (latency === 0 && !scenario.pushFirst) {
      Object.assign(figures, { "API requests per deployment": requests, "API writes per deployment": writes, "git HTTP requests per deployment": git, "git HTTP requests without credentials (401) per deployment": bare });
      compare["API requests per deployment"] = { baseline: HEAVEN.requests, of: HEAVEN.of };
      compare["API writes per deployment"] = { baseline: HEAVEN.writes, of: HEAVEN.of };
    }
  }
  console.log(`start overhead: webhook from a separate process → the script's first instruction, a new sha with green CI each time, git over smart HTTP (${MEASURED} deployments each; requests per deployment; Heaven's budget: ${HEAVEN.requests} requests, ${HEAVEN.writes} writes)`);
  console.log(table(rows));
  for (const [scenario, line] of timings) console.log(`  heaven's step timings, last deployment at ${scenarioName(scenario)}: ${line}`);
  record("start-overhead", figures, compare);
}
