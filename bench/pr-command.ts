/**
 * A `/deploy` comment on a pull request, through the real server against the
 * fake GitHub: comment sent → script runs → reply edited to success, and the
 * GitHub requests and writes heaven spent on it, split into the command's
 * own (the budget: at most 8 requests and 4 writes) and the pipeline's,
 * beside github/branch-deploy's figures for handling `.deploy` as issue 8
 * reports them (35 requests, 13 writes).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiCallsSince, mark, repliesOn, sendComment } from "../test/helpers/comment-events.js";
import { createProject } from "../test/helpers/e2e-project.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { script } from "../test/helpers/git-repo.js";
import { startHeaven } from "../test/helpers/heaven-server.js";
import { percentile, table } from "./helpers/stats.js";
import { record } from "./helpers/scoreboard.js";

const BRANCH_DEPLOY = { requests: 35, writes: 13 };
/** What the pipeline spends on any deployment, whoever asked for it. */
const PIPELINE = [/^POST .*\/deployments\/\d+\/statuses$/, /^GET .*\/deployments$/, /^GET .*\/commits\/[0-9a-f]{40}\/(status|check-runs)$/, /^GET .*\/contents\/\.github/];

export async function prCommandBenchmark(dir: string): Promise<void> {
  const github = new FakeGitHub();
  await github.start();
  const started = join(dir, "started");
  const project = createProject(github, { dir, owner: "acme", installationId: 1 }, "web", { "script/deploy": script(`date +%s%3N >> '${started}'`) });
  project.origin.git("checkout", "-q", "-b", "feature");
  project.origin.commit({ "feature.txt": "1\n" }, "feature");
  project.origin.git("checkout", "-q", "main");
  github.repo(project.fullName).config = "required_contexts: []\nmerge_default_branch: false\n";
  github.repo(project.fullName).pulls.set(7, { headRef: "feature" });
  github.repo(project.fullName).permissions.set("alice", "write");
  const heaven = await startHeaven({ githubHost: github.host, dataDir: join(dir, "data") });
  github.deliver = (event, payload, guid) => heaven.webhook(event, payload, { delivery: guid });
  const rows: Array<{ command: { requests: number; writes: number }; pipeline: { requests: number; writes: number }; toScript: number; toReply: number }> = [];
  try {
    for (let i = 0; i < 6; i++) {
      const from = mark(github);
      const before = repliesOn(github, project.fullName, 7).length;
      const sent = Date.now();
      await sendComment(github, { repo: project.fullName, pull: 7, body: "/deploy to production", user: { login: "alice" } });
      await github.waitFor(() => repliesOn(github, project.fullName, 7)[before]?.body.includes("✅") === true, "the success reply");
      await github.waitFor(() => github.deploymentsOf(project.fullName).every((d) => (github.statusesOf(d.id).at(-1)?.state ?? "") === "success"), "final statuses");
      const calls = apiCallsSince(github, from).calls;
      // The first configuration read is the command's (its prefix, default environment, deployers); the pipeline reads it again.
      const firstConfig = calls.findIndex((call) => /\/contents\/\.github/.test(call));
      const pipeline = (call: string, at: number) => at !== firstConfig && PIPELINE.some((pattern) => pattern.test(call));
      const ours = calls.filter((call, at) => !pipeline(call, at));
      const theirs = calls.filter((call, at) => pipeline(call, at));
      const writes = (list: string[]) => list.filter((call) => !call.startsWith("GET")).length;
      const starts = readFileSync(started, "utf8").trim().split("\n").map(Number);
      rows.push({
        command: { requests: ours.length, writes: writes(ours) },
        pipeline: { requests: theirs.length, writes: writes(theirs) },
        toScript: (starts.at(-1) ?? NaN) - sent,
        toReply: Date.now() - sent,
      });
    }
  } finally {
    await heaven.stop();
    await github.stop();
  }
  const warm = rows.slice(1);
  const worst = (pick: (r: (typeof rows)[number]) => number) => Math.max(...warm.map(pick));
  console.log("pull-request /deploy (5 warm runs; worst case of each count):");
  console.log(
    table([
      ["", "requests", "writes"],
      ["heaven, the command's own", String(worst((r) => r.command.requests)), String(worst((r) => r.command.writes))],
      ["heaven, the pipeline's (config, locks, CI, statuses)", String(worst((r) => r.pipeline.requests)), String(worst((r) => r.pipeline.writes))],
      ["github/branch-deploy handling .deploy (issue 8's figures)", String(BRANCH_DEPLOY.requests), String(BRANCH_DEPLOY.writes)],
    ]),
  );
  record(
    "pr-command",
    { "command's own requests": worst((r) => r.command.requests), "command's own writes": worst((r) => r.command.writes), "comment → script, median (ms)": percentile(warm.map((r) => r.toScript), 50) },
    { "command's own requests": { baseline: BRANCH_DEPLOY.requests, of: "github/branch-deploy" }, "command's own writes": { baseline: BRANCH_DEPLOY.writes, of: "github/branch-deploy" } },
  );
  console.log(`  comment → script runs: median ${percentile(warm.map((r) => r.toScript), 50)} ms; comment → success reply seen: median ${percentile(warm.map((r) => r.toReply), 50)} ms`);
}
