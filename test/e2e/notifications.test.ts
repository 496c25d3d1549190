/**
 * Notifications end to end: real deployments of a real git repository run
 * by the core, with the Slack and signed-webhook sinks posting to real HTTP
 * servers on 127.0.0.1 standing in for Slack's incoming webhook and for a
 * chat system. What is checked is what a person in the room would see, and
 * that a notification's trouble never touches the deployment.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DeploymentEvent, EventSink } from "../../src/core/events.js";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import type { Core } from "../../src/create-core.js";
import { createCore } from "../../src/create-core.js";
import { notificationSinks, type NotificationSink } from "../../src/notify/notification-sinks.js";
import { loadSettings } from "../../src/settings.js";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import { webhookReceiver, type Answer, type Received, type WebhookReceiver } from "../helpers/webhook-receiver.js";

const SLACK_OPS_PATH = "/services/T0001/B0001/ops0secret0token";
const SLACK_DEFAULT_PATH = "/services/T0001/B0002/default0secret0token";
const HOOK_SECRET = "chat-webhook-secret-0123456789";

let tmp: ReturnType<typeof tempDir>;
let origin: ReturnType<typeof createRepo>;
let running: { core: Core; sinks: NotificationSink[]; receivers: WebhookReceiver[] } | undefined;

beforeEach(() => {
  tmp = tempDir("heaven-notify-");
  origin = createRepo(tmp.path, "origin", {
    "script/deploy": script(
      [
        `echo "deploying $SHA"`,
        `if [ -p '${join(tmp.path, "gate")}' ] && [ "$DEPLOYMENT_ID" = 15 ]; then read line < '${join(tmp.path, "gate")}'; fi`,
        `if [ "$DEPLOYMENT_ID" = 13 ]; then echo "migration failed" >&2; exit 3; fi`,
      ].join("\n"),
    ),
  });
});

afterEach(async () => {
  if (running !== undefined) {
    for (const sink of running.sinks) sink.stop();
    await running.core.queue.drain(0);
    await running.core.queue.close();
    for (const receiver of running.receivers) await receiver.close();
    running = undefined;
  }
  tmp.remove();
});

/** Statuses as the deployment's other sinks see them, and heaven's own log. */
function recorder() {
  const events: Array<{ id: string; event: DeploymentEvent; logUrl: string }> = [];
  const waiters: Array<() => void> = [];
  const sink: EventSink = {
    publish: async (job, event, logUrl) => {
      events.push({ id: job.request.id, event, logUrl });
      waiters.splice(0).forEach((wake) => wake());
    },
  };
  const finished = async (id: string) => {
    const find = () => events.find((e) => e.id === id && e.event.type === "finished");
    while (find() === undefined) await new Promise<void>((resolve) => waiters.push(resolve));
    const found = find()!;
    return { outcome: (found.event as Extract<DeploymentEvent, { type: "finished" }>).outcome, logUrl: found.logUrl };
  };
  return { sink, finished };
}

async function start(file: unknown, answers: { slack?: (r: Received, i: number) => Answer; hook?: (r: Received, i: number) => Answer } = {}) {
  const slack = await webhookReceiver(answers.slack);
  const hook = await webhookReceiver(answers.hook);
  const settings = loadSettings({
    HEAVEN_DATA_DIR: join(tmp.path, "data"),
    HEAVEN_CONCURRENCY: "1",
    PATH: process.env.PATH,
    HEAVEN_SLACK_WEBHOOK_URL: slack.url(SLACK_DEFAULT_PATH),
    HEAVEN_SLACK_WEBHOOK_OPS: slack.url(SLACK_OPS_PATH),
    HEAVEN_NOTIFY_WEBHOOK_URL: hook.url("/heaven"),
    HEAVEN_NOTIFY_WEBHOOK_SECRET: HOOK_SECRET,
  });
  const core = await createCore(settings, { journal: false, abortReason: "the test" });
  const logged: Array<{ level: string; fields: object; message: string }> = [];
  const log = Object.fromEntries(
    ["info", "warn", "error"].map((level) => [level, (fields: object, message: string) => void logged.push({ level, fields, message })]),
  ) as Record<"info" | "warn" | "error", (fields: object, message: string) => void>;
  const sinks = notificationSinks(settings, { log, githubHost: "github.example.com", delivery: { firstDelayMs: 10, maxDelayMs: 1_000 } });
  const statuses = recorder();
  const deploymentLog: string[] = [];
  await core.deployer.start({
    sourcesFor: async () => ({ loadConfig: async () => ({ ok: true, file }) }),
    sinks: [statuses.sink, ...sinks],
    log,
    echo: (line) => void deploymentLog.push(line),
  });
  running = { core, sinks, receivers: [slack, hook] };
  const deploy = (id: number, sha = origin.sha) => core.deployer.accept(job(id, sha));
  const idle = () => Promise.all(sinks.map((sink) => sink.idle()));
  return { slack, hook, statuses, logged, deploymentLog, deploy, idle };
}

/** A deployment hubot-deploy created for Alice from the #ops room: its creator is hubot's machine user. */
function job(id: number, sha: string): DeploymentJob {
  return {
    key: `test:${id}`,
    lane: laneOf("octo/app", "production"),
    origin: { kind: "github", installationId: 1, owner: "octo", repo: "app", deploymentId: id },
    acceptedAt: Date.now(),
    request: {
      id: String(id),
      repository: { fullName: "octo/app", cloneUrl: origin.dir },
      environment: "production",
      ref: "main",
      sha,
      task: "deploy",
      force: true,
      payloadConfig: undefined,
      creator: "hubot",
      record: {
        id,
        sha,
        ref: "main",
        task: "deploy",
        environment: "production",
        createdAt: new Date().toISOString(),
        creator: { login: "hubot", type: "User" },
        payload: { notify: { user_name: "Alice Person", room: "#ops", adapter: "slack" } },
        description: null,
      },
    },
  };
}

type SlackMessage = { text: string; attachments: Array<{ color: string; blocks: Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text: string }> }> }> };
const slackMessage = (received: Received): SlackMessage => JSON.parse(received.body) as SlackMessage;
/** Every piece of text a person reads in a message, in order. */
const words = (message: SlackMessage): string =>
  [message.text, ...message.attachments.flatMap((a) => a.blocks.flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)]))]
    .filter((text) => text !== undefined)
    .join("\n");

const NOTIFY_ALL = { notify: { slack: { rooms: { ops: "ops" } }, webhook: true } };

describe("notifications", () => {
  it("tells the room a deployment started and succeeded, by the person who asked, then links the changes the next one ships", async () => {
    const h = await start(NOTIFY_ALL);
    await h.deploy(11);
    const first = await h.statuses.finished("11");
    expect(first.outcome.kind).toBe("succeeded");
    const [started, succeeded] = (await h.slack.delivered(2)).map(slackMessage);
    const short = origin.sha.slice(0, 7);
    // The room's webhook, not the default one: hubot's room chose it.
    expect(h.slack.received.map((r) => r.path)).toEqual([SLACK_OPS_PATH, SLACK_OPS_PATH]);
    expect(started!.text).toBe(
      `:rocket: *Alice Person* is deploying <https://github.example.com/octo/app|octo/app> \`main\` (<https://github.example.com/octo/app/commit/${origin.sha}|${short}>) to *production*`,
    );
    expect(started!.attachments[0]!.color).toBe("#1d9bd1");
    expect(succeeded!.text).toMatch(new RegExp(`^:white_check_mark: \\*Alice Person\\* deployed .* to \\*production\\* in \\d+ s$`));
    expect(succeeded!.attachments[0]!.color).toBe("#2eb67d");
    expect(words(succeeded!)).toContain(`<${first.logUrl}|Log>`);
    expect(words(succeeded!)).toMatch(/\*Duration\*\n\d+ s/);
    expect(words(succeeded!)).not.toContain("hubot");
    expect(words(succeeded!)).not.toContain("Changes since");

    const next = origin.commit({ "CHANGELOG.md": "v2\n" });
    await h.deploy(12, next);
    expect((await h.statuses.finished("12")).outcome.kind).toBe("succeeded");
    const shipped = slackMessage((await h.slack.delivered(4))[3]!);
    expect(words(shipped)).toContain(`<https://github.example.com/octo/app/compare/${origin.sha}...${next}|Changes since ${short}>`);

    // The chat system's webhook heard the same four moments, each signed with its secret.
    const bodies = (await h.hook.delivered(4)).map((r) => {
      expect(r.headers["x-heaven-signature-256"]).toBe(`sha256=${createHmac("sha256", HOOK_SECRET).update(r.body).digest("hex")}`);
      return JSON.parse(r.body) as Record<string, unknown> & { deployment: Record<string, unknown> };
    });
    expect(bodies.map((b) => [b.notification, b.deployment.id, b.deployment.by])).toEqual([
      ["start", "11", "Alice Person"],
      ["success", "11", "Alice Person"],
      ["start", "12", "Alice Person"],
      ["success", "12", "Alice Person"],
    ]);
    expect(bodies[3]).toMatchObject({ state: "success", previous_sha: origin.sha, compare_url: `https://github.example.com/octo/app/compare/${origin.sha}...${next}`, log_url: expect.stringContaining("/logs/octo/app/12?sig=") });
    expect(h.logged.filter((l) => l.level !== "info")).toEqual([]);
  });

  it("says a failed deployment failed, with the script's exit status and last line", async () => {
    const h = await start(NOTIFY_ALL);
    await h.deploy(13);
    expect((await h.statuses.finished("13")).outcome).toMatchObject({ kind: "failed", exitCode: 3 });
    const failed = slackMessage((await h.slack.delivered(2))[1]!);
    expect(failed.text).toMatch(/^:x: \*Alice Person\*'s deployment of .* to \*production\* failed$/);
    expect(failed.attachments[0]!.color).toBe("#e01e5a");
    expect(words(failed)).toContain('script/deploy exited 3: "migration failed"');
    expect(words(failed)).toContain("*State*\nfailure");
    const body = JSON.parse((await h.hook.delivered(2))[1]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ notification: "failure", state: "failure", event: { type: "finished", outcome: { kind: "failed", exitCode: 3 } } });
  });

  it("sends one message through a Slack that fails twice, retrying, and the deployment ends as it would have", async () => {
    const h = await start({ notify: { slack: { events: ["success"] } } }, { slack: (_r, index) => (index < 2 ? { status: 500, body: "oops" } : { status: 200, body: "ok" }) });
    await h.deploy(14);
    expect((await h.statuses.finished("14")).outcome.kind).toBe("succeeded");
    await h.idle();
    expect(h.slack.received.map((r) => [r.path, r.answered])).toEqual([
      [SLACK_DEFAULT_PATH, 500],
      [SLACK_DEFAULT_PATH, 500],
      [SLACK_DEFAULT_PATH, 200],
    ]);
    expect(new Set(h.slack.received.map((r) => r.body)).size).toBe(1);
    const warnings = h.logged.filter((l) => l.level === "warn");
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^notification not delivered yet: answered 500: attempt 2 of 4/),
      expect.stringMatching(/^notification not delivered yet: answered 500: attempt 3 of 4/),
    ]);
    // A webhook URL is a credential: never in heaven's log.
    expect(JSON.stringify(h.logged)).not.toContain("default0secret0token");
    expect(warnings[0]!.fields).toMatchObject({ channel: "slack", webhook: "HEAVEN_SLACK_WEBHOOK_URL", repository: "octo/app", status: 500 });
  });

  it("posts final statuses and runs the next deployment while Slack has not answered anything", async () => {
    execFileSync("mkfifo", [join(tmp.path, "gate")]);
    const h = await start({ notify: { slack: true } }, { slack: () => "hang" });
    await h.deploy(15);
    await h.deploy(16);
    // The first deployment's script waits until Slack holds its start message, then finishes.
    await h.slack.arrived(1);
    await writeFile(join(tmp.path, "gate"), "go\n");
    expect((await h.statuses.finished("15")).outcome.kind).toBe("succeeded");
    // The lane's next deployment is not held up behind Slack either.
    expect((await h.statuses.finished("16")).outcome.kind).toBe("succeeded");
    expect(h.slack.received.length).toBeGreaterThan(0);
    expect(h.slack.received.map((r) => r.answered)).toEqual(h.slack.received.map(() => undefined));
  });

  it("warns in heaven's log and the deployment's log when the repository names a webhook heaven does not have, and deploys", async () => {
    const h = await start({ notify: { slack: "nowhere" } });
    await h.deploy(16);
    expect((await h.statuses.finished("16")).outcome.kind).toBe("succeeded");
    const warning = "HEAVEN_SLACK_WEBHOOK_NOWHERE is not set in heaven's environment: no Slack message is sent for this deployment";
    expect(h.deploymentLog).toContainEqual(expect.stringContaining(`notify: ${warning}`));
    expect(h.logged).toContainEqual({ level: "warn", fields: { repository: "octo/app", environment: "production", deployment: "16" }, message: `slack: ${warning}` });
    await h.idle();
    expect(h.slack.received).toEqual([]);
  });
});

describe("through heaven's real server", () => {
  it("tells Slack when a deployment GitHub asked for starts and succeeds, with the webhook URL only in heaven's environment", async () => {
    const { FakeGitHub } = await import("../helpers/fake-github.js");
    const { startHeaven } = await import("../helpers/heaven-server.js");
    const { webhookExample } = await import("../helpers/examples.js");
    const slack = await webhookReceiver();
    const github = new FakeGitHub();
    await github.start();
    const heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "server-data"), env: { HEAVEN_SLACK_WEBHOOK_URL: slack.url(SLACK_DEFAULT_PATH) } });
    try {
      origin.git("branch", "-m", "master");
      github.addRepo("Codertocat/Hello-World", { dir: origin.dir, defaultBranch: "master" });
      github.repo("Codertocat/Hello-World").config = "required_contexts: []\nnotify:\n  slack: true\n";
      const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
      event.repository.clone_url = `file://${origin.dir}`;
      Object.assign(event.deployment, { id: 4242, sha: origin.sha });
      await heaven.webhook("deployment", event);
      expect(await github.waitForFinalStatus(4242)).toMatchObject({ state: "success" });
      const [started, succeeded] = await slack.delivered(2);
      expect(started?.body).toContain("Codertocat/Hello-World");
      expect(succeeded?.body).toContain("production");
      expect(succeeded?.body).toMatch(/succeeded|success/i);
      expect(succeeded?.body).toContain("/logs/");
    } finally {
      await heaven.stop();
      await github.stop();
      await slack.close();
    }
  });
});
