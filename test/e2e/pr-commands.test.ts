/**
 * End to end, issue 8: pull-request commands. heaven's real server against
 * the fake GitHub: a person comments on a pull request, GitHub sends the
 * `issue_comment` webhook, heaven creates a deployment (which GitHub sends
 * back as a `deployment` webhook) and keeps ONE reply on the pull request up
 * to date. Each scenario has its own origin; the tests check what a person
 * sees on the pull request and what the script ran, at which sha.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { apiCallsSince, mark, repliesOn, sendComment, waitForReply } from "../helpers/comment-events.js";
import { createProject, type Project } from "../helpers/e2e-project.js";
import { githubTime } from "../helpers/fake-pulls.js";
import { FakeGitHub, type FakePull } from "../helpers/fake-github.js";
import { script, tempDir, type GitRepo } from "../helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";

const OWNER = "heaven-e2e";
const INSTALLATION = 4343;
const CONFIG = "required_contexts: []\nenvironments:\n  production: null\n  staging: null\n";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let heaven: HeavenProcess;

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-pr-commands-");
  github = new FakeGitHub({ waitTimeoutMs: 30_000 });
  await github.start();
  heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "data"), env: { DEPLOYMENT_TIMEOUT: "20" } });
  github.deliver = (event, payload) => heaven.webhook(event, payload);
});

afterAll(async () => {
  await heaven?.stop();
  await github?.stop();
  tmp?.remove();
});

/** A repository whose script/deploy prints what it deploys (into the log) and records the run; `before` runs first. */
function project(name: string, before = "", config = CONFIG): Project {
  const record = join(tmp.path, `${name}-runs.txt`);
  const deploy = script(`${before}\necho "deploying $SHA to $DEPLOY_ENV from $BRANCH"\necho "$SHA $DEPLOY_ENV $BRANCH" >> '${record}'`);
  const p = createProject(github, { dir: tmp.path, owner: OWNER, installationId: INSTALLATION }, name, { ".github/heaven.yml": config, "script/deploy": deploy });
  for (const [login, role] of [["alice", "write"], ["bob", "write"], ["reader", "read"]] as const) github.repo(p.fullName).permissions.set(login, role);
  return p;
}

/** Commits on `branch` (new, from main) and goes back to main; returns the new sha. */
function commitOn(repo: GitRepo, branch: string, message = `change on ${branch}`): string {
  const exists = repo.git("branch", "--list", branch) !== "";
  repo.git("checkout", "--quiet", ...(exists ? [branch] : ["-b", branch]));
  const sha = repo.commit({ [`${branch}.txt`]: `${message}\n` }, message);
  repo.git("checkout", "--quiet", "main");
  return sha;
}

/** Pull request `number` from a branch of the origin (new commit on it); returns its head sha. */
function openPull(p: Project, number: number, branch: string, fields: Partial<FakePull> = {}): string {
  const sha = commitOn(p.origin, branch);
  github.repo(p.fullName).pulls.set(number, { headRef: branch, ...fields });
  return sha;
}

const comment = (p: Project, pull: number, login: string, body: string, more: { createdAt?: string } = {}) =>
  sendComment(github, { repo: p.fullName, pull, body, user: { login }, ...more });

const short = (sha: string) => sha.slice(0, 7);
/** heaven's reactions to a comment, once it has reacted (it reacts after the deployment is created, or after the reply). */
async function reactionsTo(p: Project, id: number): Promise<string[]> {
  const reactions = () => github.conversation.find(p.fullName, id)?.reactions ?? [];
  await github.waitFor(() => reactions().length > 0, `a reaction to comment ${id}`);
  return reactions().map((r) => r.content);
}
const isWrite = (call: string) => !call.startsWith("GET ");
/** What answering a comment takes: permission, pull, head commit, reaction, the deployment, the reply and its edits. */
const COMMAND_CALL =
  /^(GET \/repos\/[^/]+\/[^/]+\/(collaborators\/[^/]+\/permission|pulls\/\d+|commits\/[0-9a-f]{40})|POST \/repos\/[^/]+\/[^/]+\/(issues\/comments\/\d+\/reactions|deployments|issues\/\d+\/comments)|PATCH \/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+)$/;
/** The pipeline's own (config, locks, CI, the default branch, its statuses), heaven's delivery poll, and who heaven is (GET /app, once). */
const PIPELINE_CALL =
  /^(POST \/repos\/[^/]+\/[^/]+\/deployments\/\d+\/statuses|GET \/repos\/[^/]+\/[^/]+\/(contents\/\.github\/heaven\.yml|deployments|compare\/.+|commits\/[0-9a-f]{40}\/(status|check-runs))|GET \/app(\/hook\/deliveries)?)$/;

describe("pull-request commands", () => {
  it("/deploy: 👀, one reply whose last body is the success with the log, the deployment names the commenter, the script runs at the head", async () => {
    const p = project("ship");
    const head = openPull(p, 1, "feature");
    const from = mark(github);
    const { commentId } = await comment(p, 1, "alice", "/deploy");
    const done = await waitForReply(github, p.fullName, 1, (r) => r.body.startsWith("✅"), "the success reply");
    const spent = apiCallsSince(github, from);

    expect(await reactionsTo(p, commentId)).toEqual(["eyes"]);
    expect(repliesOn(github, p.fullName, 1)).toHaveLength(1);
    expect(done.bodies.at(-1)).toMatch(new RegExp(`^✅ feature \\(\`${short(head)}\`\\) to \\*\\*production\\*\\*: .*\\[log\\]\\(http`));
    const logUrl = /\[log\]\(([^)]+)\)/.exec(done.body)?.[1] ?? "";
    const log = await fetch(logUrl);
    expect(log.status).toBe(200);
    expect(await log.text()).toContain(`deploying ${head} to production from feature`);

    const [deployment, ...others] = github.deploymentsOf(p.fullName);
    expect(others).toEqual([]);
    expect(deployment?.payload).toMatchObject({ notify: { user: "alice" }, heaven: { comment: { number: 1, id: commentId }, command: "/deploy", sha: head } });
    expect(p.runs()).toEqual([`${head} production feature`]);

    // The command's own calls (its config read is the first; the pipeline reads it again), beside the pipeline's and heaven's background ones.
    const configRead = spent.calls.findIndex((call) => call.endsWith("/contents/.github/heaven.yml"));
    const isOwn = (call: string, i: number) => i === configRead || COMMAND_CALL.test(call);
    const own = spent.calls.filter(isOwn);
    const rest = spent.calls.filter((call, i) => !isOwn(call, i));
    expect(rest.filter((call) => !PIPELINE_CALL.test(call))).toEqual([]);
    expect(own.filter(isWrite).length).toBeLessThanOrEqual(4);
    expect(own.length).toBeLessThanOrEqual(8);
  });

  it("/deploy of a fork's pull request where allow_forks is set ships its head commit, not this repository's branch of the same name", async () => {
    const p = project("forked-ok", "", `${CONFIG}allow_forks: true\n`);
    // The contributor's commit, reachable here as GitHub keeps it (refs/pull/N/head); their branch is called main.
    const head = commitOn(p.origin, "refs-pull-1-head");
    github.repo(p.fullName).pulls.set(1, { headRef: "main", headSha: head, fork: true });
    await comment(p, 1, "alice", "/deploy");
    await waitForReply(github, p.fullName, 1, (r) => r.body.startsWith("✅"), "the success reply");
    expect(p.runs()).toEqual([`${head} production ${head}`]);
    expect(github.deploymentsOf(p.fullName).map((d) => d.ref)).toEqual([head]);
  });

  it("/lock by alice refuses bob's /deploy naming her lock, and her /unlock frees it", async () => {
    const p = project("locked");
    openPull(p, 2, "work");
    await comment(p, 2, "alice", "/lock production db work");
    await waitForReply(github, p.fullName, 2, (r) => /^✅ .*locked by @alice: db work/.test(r.body), "alice's lock");

    const { commentId } = await comment(p, 2, "bob", "/deploy to production");
    const refused = await waitForReply(github, p.fullName, 2, (r) => /production is locked by @alice: db work; ask them to unlock it/.test(r.body), "bob's refusal");
    expect(refused.body).toMatch(/^⚠️ /);
    expect(await reactionsTo(p, commentId)).toEqual(["eyes"]);
    expect(p.runs()).toEqual([]);

    await comment(p, 2, "alice", "/unlock production");
    await waitForReply(github, p.fullName, 2, (r) => /^✅ .*unlocked by @alice/.test(r.body), "alice's unlock");
    expect(repliesOn(github, p.fullName, 2)).toHaveLength(3);
  });

  it("a second /deploy to staging while the first runs says it is #2, behind whom, and later succeeds", async () => {
    const release = join(tmp.path, "queue-release");
    const p = project("queue", `while [ ! -e '${release}' ]; do sleep 0.05; done`);
    const head = openPull(p, 3, "queued");
    await comment(p, 3, "alice", "/deploy to staging");
    await waitForReply(github, p.fullName, 3, (r) => r.body.startsWith("🚀 Deploying"), "the first deploy running");
    await comment(p, 3, "alice", "/deploy to staging");
    const second = await waitForReply(github, p.fullName, 3, (r) => r.body.startsWith("⏳ Queued"), "the second deploy queued");
    expect(second.body).toContain(`#2 for staging, behind @alice's deploy of ${short(head)}`);

    writeFileSync(release, "");
    await github.waitFor(() => repliesOn(github, p.fullName, 3).filter((r) => r.body.startsWith("✅")).length === 2, "both deploys succeeded");
    expect(repliesOn(github, p.fullName, 3)).toHaveLength(2);
    // The second deploy's one reply, edited from its place in the queue to success.
    expect(second.bodies[0]).toMatch(/^⏳ Queued/);
    expect(second.body).toMatch(/^✅ queued \(`[0-9a-f]{7}`\) to \*\*staging\*\*/);
    expect(p.runs()).toEqual([`${head} staging queued`, `${head} staging queued`]);
  });

  it("/wcid lists production and staging with what is deployed there and the lock", async () => {
    const p = project("where");
    openPull(p, 4, "look");
    const lock = await github.createDeployment({ fullName: p.fullName, ref: "main", environment: "production", task: "deploy:lock", description: "freeze", creator: { login: "alice" } });
    await github.waitForFinalStatus(lock);
    const staged = await github.createDeployment({ fullName: p.fullName, ref: "main", environment: "staging", creator: { login: "bob" } });
    expect(await github.waitForFinalStatus(staged)).toMatchObject({ state: "success" });

    await comment(p, 4, "reader", "/wcid");
    const answer = await waitForReply(github, p.fullName, 4, (r) => r.body.includes("| environment |"), "the /wcid answer");
    expect(answer.body).toMatch(/^\| production \| — \| 🔒 locked by @alice: freeze/m);
    expect(answer.body).toMatch(new RegExp(`^\\| staging \\| main \`${short(p.origin.sha)}\` by @bob, .* \\| free \\|`, "m"));
    expect(repliesOn(github, p.fullName, 4)).toHaveLength(1);
  });

  describe("refusals", () => {
    /** `login`'s /deploy on a fresh pull request, refused: 👀, ONE reply (its body returned), and no deployment made. */
    async function refusedDeploy(name: string, login: string, options: { pull?: Partial<FakePull>; before?: (p: Project) => { createdAt?: string } | void } = {}): Promise<string> {
      const p = project(name);
      openPull(p, 1, name, options.pull);
      const { commentId } = await comment(p, 1, login, "/deploy", options.before?.(p) ?? {});
      const reply = await waitForReply(github, p.fullName, 1, (r) => r.body.startsWith("🚫"), "the refusal");
      expect(await reactionsTo(p, commentId)).toEqual(["eyes"]);
      expect(repliesOn(github, p.fullName, 1)).toHaveLength(1);
      expect(github.deploymentsOf(p.fullName)).toEqual([]);
      return reply.body;
    }

    it("read access: says it takes write access", async () => {
      expect(await refusedDeploy("reader", "reader")).toContain("it takes write access to this repository (you have read)");
    });

    it("a permission API error: refuses (fails closed)", async () => {
      const body = await refusedDeploy("flaky", "alice", { before: (p) => void github.repo(p.fullName).permissionErrors.set("alice", 500) });
      expect(body).toContain("heaven could not ask GitHub who may deploy");
    });

    it("the head moved after the comment: says so", async () => {
      let moved = "";
      const body = await refusedDeploy("moving", "alice", {
        before: (p) => {
          // GitHub's whole seconds: the comment written 5 s ago, the commit pushed now.
          const createdAt = githubTime(new Date(Date.now() - 5_000));
          moved = commitOn(p.origin, "moving", "pushed after the comment");
          return { createdAt };
        },
      });
      expect(body).toContain(`the head moved to ${short(moved)} after your comment`);
    });

    it("a pull request from a fork: refused", async () => {
      expect(await refusedDeploy("forked", "alice", { pull: { fork: true } })).toContain("this pull request comes from a fork");
    });

    it("a bot's comment and an edited comment get nothing at all", async () => {
      const p = project("quiet");
      openPull(p, 7, "quiet");
      const from = mark(github);
      const bot = await sendComment(github, { repo: p.fullName, pull: 7, body: "/deploy", user: { login: "dependabot[bot]", type: "Bot" } });
      const plain = github.conversation.addComment(p.fullName, 7, { body: "looks good", user: { login: "alice" } });
      const edited = await sendComment(github, { repo: p.fullName, pull: 7, body: "/deploy", user: { login: "alice" }, commentId: plain.id, action: "edited" });
      // heaven's background delivery poll may fall in this window; nothing may touch the repository.
      expect(apiCallsSince(github, from).calls.filter((call) => call.includes(`/repos/${p.fullName}/`))).toEqual([]);
      // A later command is answered: by then heaven would have answered the two before it.
      await comment(p, 7, "alice", "/help");
      await waitForReply(github, p.fullName, 7, (r) => r.body.startsWith("heaven's commands"), "the /help answer");
      expect(repliesOn(github, p.fullName, 7)).toHaveLength(1);
      for (const id of [bot.commentId, edited.commentId]) expect(github.conversation.find(p.fullName, id)?.reactions).toEqual([]);
      expect(github.deploymentsOf(p.fullName)).toEqual([]);
    });
  });
});
