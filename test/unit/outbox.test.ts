import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RequestError } from "@octokit/request-error";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { appPrivateKey, quietOctokit } from "../helpers/app-credentials.js";
import { Outbox, type OutboxLog, type OutboxOctokit, type OutboxOptions, type OutboxWrite } from "../../src/github/outbox.js";

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const STATUS = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses" as const;
const COMMIT_STATUS = "POST /repos/{owner}/{repo}/statuses/{sha}" as const;
const CREATE = "POST /repos/{owner}/{repo}/deployments" as const;
const INTERMEDIATE = ["queued", "pending", "in_progress"];

interface Call {
  route: string;
  params: Record<string, unknown>;
  installationId: number;
  at: number;
}
type Answer = { status: number; data: unknown };

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** GitHub as the outbox sees it: each request recorded with the (fake) time it was made. */
function fakeGitHub(respond: (call: Call) => Answer | Promise<Answer> = () => ({ status: 201, data: {} })) {
  const calls: Call[] = [];
  const refreshes: Array<{ installationId: number; options: object; at: number }> = [];
  const github = {
    calls,
    refreshes,
    respond,
    posts: () => calls.filter((call) => call.route.startsWith("POST")),
    octokitFor: async (installationId: number): Promise<OutboxOctokit> => ({
      request: async (route, params) => {
        const call = { route, params, installationId, at: Date.now() };
        calls.push(call);
        return github.respond(call);
      },
      auth: async (options) => {
        refreshes.push({ installationId, options, at: Date.now() });
        return { token: "ghs_new" };
      },
    }),
  };
  return github;
}

function httpError(status: number, headers: Record<string, string> = {}, message = `GitHub answered ${status}`): RequestError {
  return new RequestError(message, status, {
    request: { method: "POST", url: "https://api.github.com/repos/octo/app/deployments/41/statuses", headers: { authorization: "token ghs_secret" } },
    response: { status, url: "https://api.github.com/repos/octo/app/deployments/41/statuses", headers, data: { message } },
  });
}

/** What Octokit throws when fetch got no answer: a 500 with the fetch error as cause. */
function networkError(): RequestError {
  const error = new RequestError("connect ECONNREFUSED 140.82.112.6:443", 500, {
    request: { method: "POST", url: "https://api.github.com/repos/octo/app/deployments", headers: {} },
  });
  error.cause = new TypeError("fetch failed");
  return error;
}

function fakeLog() {
  const entries: Array<{ level: "info" | "warn" | "error"; o: Record<string, unknown>; m: string }> = [];
  const log: OutboxLog = {
    info: (o, m) => entries.push({ level: "info", o: o as Record<string, unknown>, m }),
    warn: (o, m) => entries.push({ level: "warn", o: o as Record<string, unknown>, m }),
    error: (o, m) => entries.push({ level: "error", o: o as Record<string, unknown>, m }),
  };
  return { log, entries, errors: () => entries.filter((entry) => entry.level === "error") };
}

function status(deployment: number, state: string, overrides: Partial<OutboxWrite> = {}): OutboxWrite {
  return {
    key: `octo/app#${deployment}:${state}`,
    group: `octo/app#${deployment}`,
    installationId: 1,
    supersedable: INTERMEDIATE.includes(state),
    route: STATUS,
    params: { owner: "octo", repo: "app", deployment_id: deployment, state, description: `${state} for ${deployment}`, log_url: "https://heaven.example.com/logs/41?token=signed" },
    ...overrides,
  };
}

const stateOf = (call: Call) => `${String(call.params.deployment_id)}:${String(call.params.state)}`;

let dir: string;
let file: string;
const opened: Outbox[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "heaven-outbox-"));
  file = join(dir, "data", "outbox.jsonl");
  // Real microtasks and setImmediate: the file is real, only the clock is not.
  jest.useFakeTimers({ doNotFake: ["nextTick", "queueMicrotask", "setImmediate"], now: T0 });
});

afterEach(async () => {
  for (const outbox of opened.splice(0)) await outbox.close();
  jest.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

async function open(github: ReturnType<typeof fakeGitHub>, options: Partial<OutboxOptions> = {}) {
  const logged = fakeLog();
  const result = await Outbox.open({ file, octokitFor: github.octokitFor, log: logged.log, random: () => 0, ...options });
  opened.push(result.outbox);
  return { ...result, ...logged };
}

/** Closes and forgets an outbox (a "restart" follows). */
async function stop(outbox: Outbox): Promise<void> {
  opened.splice(opened.indexOf(outbox), 1);
  await outbox.close();
}

const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe("Outbox: order", () => {
  it("sends one group's writes in the order they were added, one at a time", async () => {
    const slow = deferred();
    const github = fakeGitHub(async (call) => {
      if (call.params.state === "failure") await slow.promise;
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github);
    for (const state of ["failure", "error", "success"]) await outbox.add(status(41, state, { key: `k-${state}` }));
    await advance(10_000);
    expect(github.calls.map(stateOf)).toEqual(["41:failure"]);
    slow.resolve();
    await advance(10_000);
    expect(github.calls.map(stateOf)).toEqual(["41:failure", "41:error", "41:success"]);
    expect(outbox.counts()).toMatchObject({ added: 3, delivered: 3, pending: 0, attempts: 3 });
  });

  it("takes the oldest eligible write across an installation's groups, paced a second apart", async () => {
    const github = fakeGitHub();
    const { outbox } = await open(github);
    await outbox.add(status(1, "success"));
    await outbox.add(status(2, "success"));
    await outbox.add(status(1, "inactive"));
    await outbox.add(status(3, "failure"));
    await outbox.add(status(2, "inactive"));
    await advance(10_000);
    expect(github.calls.map((call) => [stateOf(call), call.at - T0])).toEqual([
      ["1:success", 0],
      ["2:success", 1_000],
      ["1:inactive", 2_000],
      ["3:failure", 3_000],
      ["2:inactive", 4_000],
    ]);
  });

  it("passes request.retries 0 and request.heavenOutbox with every request, and never sends them as params", async () => {
    const github = fakeGitHub();
    const { outbox } = await open(github);
    await outbox.add(status(41, "success"));
    await advance(0);
    expect(github.calls[0]?.params).toMatchObject({ owner: "octo", repo: "app", deployment_id: 41, state: "success", request: { retries: 0, heavenOutbox: true } });
  });

  it("keeps at most maxInFlight requests out across installations", async () => {
    const held = deferred();
    const github = fakeGitHub(async () => {
      await held.promise;
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github, { maxInFlight: 2 });
    for (const installationId of [1, 2, 3]) await outbox.add(status(installationId, "success", { installationId }));
    await advance(5_000);
    expect(github.calls.map((call) => call.installationId)).toEqual([1, 2]);
    held.resolve();
    await advance(0);
    expect(github.calls.map((call) => call.installationId)).toEqual([1, 2, 3]);
  });
});

describe("Outbox: coalescing", () => {
  it("drops intermediate statuses still waiting when a later write of the group arrives", async () => {
    const slow = deferred();
    const github = fakeGitHub(async (call) => {
      if (call.params.state === "queued") await slow.promise;
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github);
    await outbox.add(status(41, "queued"));
    await advance(0); // queued is in flight: it is not dropped
    await outbox.add(status(41, "pending"));
    await outbox.add(status(41, "in_progress"));
    await outbox.add(status(41, "success"));
    slow.resolve();
    await advance(10_000);
    expect(github.calls.map(stateOf)).toEqual(["41:queued", "41:success"]);
    expect(outbox.counts()).toMatchObject({ added: 4, delivered: 2, coalesced: 2, pending: 0 });
    // Recorded as done: not restored, and their keys stay duplicates.
    await stop(outbox);
    const again = await open(fakeGitHub());
    expect(again.restored).toBe(0);
    expect(await again.outbox.add(status(41, "pending"))).toBe("duplicate");
  });

  it("never drops a final status, whatever is added after it", async () => {
    const slow = deferred();
    const github = fakeGitHub(async (call) => {
      if (call.params.state === "queued") await slow.promise;
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github);
    await outbox.add(status(41, "queued"));
    await advance(0);
    await outbox.add(status(41, "failure"));
    await outbox.add(status(41, "error"));
    await outbox.add(status(41, "inactive"));
    slow.resolve();
    await advance(10_000);
    expect(github.calls.map(stateOf)).toEqual(["41:queued", "41:failure", "41:error", "41:inactive"]);
    expect(outbox.counts().coalesced).toBe(0);
  });

  it("leaves other groups' intermediate statuses alone", async () => {
    const github = fakeGitHub();
    const { outbox } = await open(github);
    await outbox.add(status(1, "success"));
    await outbox.add(status(2, "in_progress"));
    await outbox.add(status(3, "success"));
    await advance(10_000);
    expect(github.calls.map(stateOf)).toEqual(["1:success", "2:in_progress", "3:success"]);
  });

  it("sends every status when coalescing is off", async () => {
    const slow = deferred();
    const github = fakeGitHub(async (call) => {
      if (call.params.state === "queued") await slow.promise;
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github, { coalesce: false });
    await outbox.add(status(41, "queued"));
    await advance(0);
    await outbox.add(status(41, "in_progress"));
    await outbox.add(status(41, "success"));
    slow.resolve();
    await advance(10_000);
    expect(github.calls.map(stateOf)).toEqual(["41:queued", "41:in_progress", "41:success"]);
  });
});

describe("Outbox: idempotency", () => {
  it("does not add a key that is pending or was delivered, also after reopening the file", async () => {
    const github = fakeGitHub(() => {
      throw httpError(503);
    });
    const { outbox } = await open(github);
    expect(await outbox.add(status(41, "success"))).toBe("added");
    expect(await outbox.add(status(41, "success"))).toBe("duplicate");
    await stop(outbox);

    const working = fakeGitHub(() => ({ status: 200, data: [] }));
    const second = await open(working);
    expect(second.restored).toBe(1);
    expect(await second.outbox.add(status(41, "success"))).toBe("duplicate");
    await second.outbox.idle();
    expect(await second.outbox.add(status(41, "success"))).toBe("duplicate");
    await stop(second.outbox);

    const third = await open(fakeGitHub());
    expect(third.restored).toBe(0);
    expect(await third.outbox.add(status(41, "success"))).toBe("duplicate");
    expect(third.outbox.counts()).toMatchObject({ added: 0, pending: 0 });
  });

  it("has every write on disk before add resolves", async () => {
    const { outbox } = await open(fakeGitHub(), { pacing: { minSpacingMs: 1_000, perMinute: 80, perHour: 500 } });
    await outbox.add(status(41, "success"));
    const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { t: string; write?: { key: string } });
    expect(lines.some((line) => line.t === "add" && line.write?.key === "octo/app#41:success")).toBe(true);
  });

  it("keeps remembered keys through compaction of a long file", async () => {
    const github = fakeGitHub();
    const { outbox } = await open(github, { pacing: { minSpacingMs: 0, perMinute: 1e9, perHour: 1e9 } });
    const writes = Array.from({ length: 1_500 }, (_, i) => status(i + 1, "success"));
    await Promise.all(writes.map((write) => outbox.add(write)));
    await outbox.idle();
    expect(outbox.counts()).toMatchObject({ added: 1_500, delivered: 1_500, pending: 0 });
    // 3,000 lines written; compaction kept the file near what it holds (2 done-keys lines plus what came after).
    expect(readFileSync(file, "utf8").trim().split("\n").length).toBeLessThan(1_500);
    await stop(outbox);
    const again = await open(fakeGitHub());
    expect(await again.outbox.add(status(1, "success"))).toBe("duplicate");
    expect(await again.outbox.add(status(1_500, "success"))).toBe("duplicate");
  });
});

describe("Outbox: retries", () => {
  it("does not retry a 429 with retry-after 30 before 30 s, and pauses the installation meanwhile", async () => {
    let answered = 0;
    const github = fakeGitHub(() => {
      answered += 1;
      if (answered === 1) throw httpError(429, { "retry-after": "30" }, "You have exceeded a secondary rate limit");
      return { status: 201, data: {} };
    });
    const { outbox, entries } = await open(github);
    await outbox.add(status(41, "success"));
    await advance(0);
    await outbox.add(status(42, "success")); // another group of the same installation
    await advance(29_999);
    expect(github.calls.map((call) => call.at - T0)).toEqual([0]);
    await advance(1);
    await advance(1_000);
    expect(github.calls.map((call) => [stateOf(call), call.at - T0])).toEqual([
      ["41:success", 0],
      ["41:success", 30_000],
      ["42:success", 31_000],
    ]);
    expect(entries.find((entry) => entry.level === "warn")?.m).toMatch(/429 rate limit: waiting 30 s \(retry-after\)/);
  });

  it("waits for x-ratelimit-reset when the primary limit is spent", async () => {
    const reset = T0 / 1000 + 120;
    let answered = 0;
    const github = fakeGitHub(() => {
      answered += 1;
      if (answered === 1) throw httpError(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, "API rate limit exceeded");
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github);
    await outbox.add(status(41, "success"));
    await advance(120_999);
    expect(github.calls).toHaveLength(1);
    await advance(1);
    expect(github.calls.map((call) => call.at - T0)).toEqual([0, 121_000]);
    expect(outbox.counts()).toMatchObject({ delivered: 1, pending: 0 });
  });

  it.each([
    [422, "Validation Failed"],
    [404, "Not Found"],
  ])("does not retry a %i, logs it at error level and moves on to the group's next write", async (code, message) => {
    const github = fakeGitHub((call) => {
      if (call.params.state === "failure") throw httpError(code, {}, message);
      return { status: 201, data: {} };
    });
    const { outbox, errors } = await open(github);
    await outbox.add(status(41, "failure"));
    await outbox.add(status(41, "inactive"));
    await advance(60 * 60_000);
    expect(github.calls.map(stateOf)).toEqual(["41:failure", "41:inactive"]);
    expect(outbox.counts()).toMatchObject({ delivered: 1, dropped: 1, pending: 0 });
    expect(errors()).toEqual([
      {
        level: "error",
        o: { key: "octo/app#41:failure", route: STATUS, status: code, why: expect.stringMatching(new RegExp(`^${code} .*will not change by retrying — ${message}`)) },
        m: expect.stringContaining("gave up"),
      },
    ]);
    // The log never carries the request (its token) or the params (a signed log URL).
    expect(JSON.stringify(errors())).not.toMatch(/ghs_secret|token=signed/);
  });

  it("refreshes the token after a 401 and retries at once", async () => {
    let answered = 0;
    const github = fakeGitHub(() => {
      answered += 1;
      if (answered === 1) throw httpError(401, {}, "Bad credentials");
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github);
    await outbox.add(status(41, "success"));
    await advance(0);
    expect(github.refreshes).toEqual([{ installationId: 1, options: { type: "installation", refresh: true }, at: T0 }]);
    expect(github.calls.map((call) => call.at - T0)).toEqual([0, 0]);
    expect(outbox.counts()).toMatchObject({ delivered: 1, dropped: 0 });
  });

  it("backs off when minting the new token fails, and gives up when the installation is gone", async () => {
    let posts = 0;
    const github = fakeGitHub(() => {
      posts += 1;
      if (posts <= 2) throw httpError(401, {}, "Bad credentials");
      return { status: 201, data: {} };
    });
    let mints = 0;
    const octokitFor = async (installationId: number): Promise<OutboxOctokit> => {
      const octokit = await github.octokitFor(installationId);
      return {
        request: octokit.request,
        auth: async (options) => {
          mints += 1;
          if (installationId === 2) throw httpError(404, {}, "Not Found");
          if (mints === 1) throw networkError();
          return octokit.auth(options);
        },
      };
    };
    const { outbox, errors } = await open(github, { octokitFor });
    await outbox.add(status(41, "success"));
    await advance(0);
    expect(github.calls.map((call) => call.at - T0)).toEqual([0]);
    // The failed mint is a failure like any other (the second): backoff, then a 401 refreshes again.
    await advance(2_000);
    expect(github.calls.map((call) => call.at - T0)).toEqual([0, 2_000, 2_000]);
    expect(outbox.counts()).toMatchObject({ delivered: 1, dropped: 0 });

    posts = 0;
    await outbox.add(status(42, "success", { installationId: 2 }));
    await advance(0);
    expect(outbox.counts()).toMatchObject({ dropped: 1, pending: 0 });
    expect(errors()[0]?.o).toMatchObject({ status: 404, why: expect.stringMatching(/^minting a new installation token failed: 404 not found/) });
  });

  it("gives up on a second 401", async () => {
    const github = fakeGitHub(() => {
      throw httpError(401, {}, "Bad credentials");
    });
    const { outbox, errors } = await open(github);
    await outbox.add(status(41, "success"));
    await advance(60_000);
    expect(github.calls).toHaveLength(2);
    expect(github.refreshes).toHaveLength(1);
    expect(outbox.counts()).toMatchObject({ dropped: 1, pending: 0 });
    expect(errors()[0]?.o).toMatchObject({ key: "octo/app#41:success", status: 401, why: expect.stringMatching(/401 again/) });
  });

  it("backs off after server errors and checks a final status with GitHub before sending it again", async () => {
    let posts = 0;
    const github = fakeGitHub((call) => {
      if (call.route.startsWith("GET")) return { status: 200, data: [{ state: "in_progress", description: "in_progress for 41" }] };
      posts += 1;
      if (posts <= 2) throw posts === 1 ? httpError(502) : networkError();
      return { status: 201, data: {} };
    });
    const { outbox, entries } = await open(github);
    await outbox.add(status(41, "success"));
    await advance(10_000);
    expect(github.calls.map((call) => [call.route.split(" ")[0], call.at - T0])).toEqual([
      ["POST", 0],
      ["GET", 1_000],
      ["POST", 1_000],
      ["GET", 3_000],
      ["POST", 3_000],
    ]);
    expect(github.calls[1]?.params).toMatchObject({ owner: "octo", repo: "app", deployment_id: 41, per_page: 100, request: { retries: 0, heavenOutbox: true } });
    expect(entries.filter((entry) => entry.level === "warn").map((entry) => entry.o.status)).toEqual([502, undefined]);
    expect(outbox.counts()).toMatchObject({ delivered: 1, attempts: 5 });
  });

  it("gives up, loudly, once retrying would pass maxAgeMs", async () => {
    const github = fakeGitHub(() => {
      throw httpError(503);
    });
    const { outbox, errors } = await open(github, { maxAgeMs: 10_000 });
    await outbox.add(status(41, "in_progress"));
    await advance(60_000);
    expect(github.calls.map((call) => call.at - T0)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.o).toMatchObject({ status: 503, why: expect.stringMatching(/not delivered within 10 s of being accepted \(4 attempts/) });
    expect(await outbox.flush(1_000)).toBe(0);
  });
});

describe("Outbox: installations", () => {
  it("does not hold installation B while installation A is rate-limited", async () => {
    const github = fakeGitHub((call) => {
      if (call.installationId === 1 && call.at === T0) throw httpError(429, { "retry-after": "600" });
      return { status: 201, data: {} };
    });
    const { outbox } = await open(github);
    await outbox.add(status(1, "success", { installationId: 1 }));
    await advance(0);
    await outbox.add(status(2, "success", { installationId: 1 }));
    for (const deployment of [3, 4, 5]) await outbox.add(status(deployment, "success", { installationId: 2 }));
    await advance(5_000);
    expect(github.calls.map((call) => [call.installationId, stateOf(call), call.at - T0])).toEqual([
      [1, "1:success", 0],
      [2, "3:success", 0],
      [2, "4:success", 1_000],
      [2, "5:success", 2_000],
    ]);
    await advance(600_000);
    expect(github.calls.slice(4).map((call) => [stateOf(call), call.at - T0])).toEqual([
      ["1:success", 600_000],
      ["2:success", 601_000],
    ]);
  });
});

describe("Outbox: replies", () => {
  const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments" as const;
  const reply = (body: string, final = false): OutboxWrite => ({
    key: `reply:41:${body}`,
    group: "reply:octo/app#41",
    installationId: 1,
    supersedable: !final,
    route: COMMENT,
    params: { owner: "octo", repo: "app", issue_number: 7, body },
  });
  const answering = (id: number) => fakeGitHub((call) => ({ status: call.route === COMMENT ? 201 : 200, data: { id } }));

  it("creates the group's comment with its first write and edits that comment with the later ones", async () => {
    const github = answering(9001);
    const { outbox } = await open(github);
    await outbox.add(reply("queued"));
    await advance(10_000);
    await outbox.add(reply("running"));
    await advance(10_000);
    await outbox.add(reply("succeeded", true));
    await advance(10_000);
    await outbox.idle();
    expect(github.calls.map((call) => [call.route, call.params.comment_id, call.params.body])).toEqual([
      [COMMENT, undefined, "queued"],
      ["PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", 9001, "running"],
      ["PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", 9001, "succeeded"],
    ]);
  });

  it("skips the bodies still waiting when a newer one arrives: the comment goes straight to the latest", async () => {
    const github = answering(9002);
    const { outbox } = await open(github);
    // "queued" goes out at once; "running" waits behind it and is superseded.
    for (const body of ["queued", "running"]) await outbox.add(reply(body));
    await outbox.add(reply("succeeded", true));
    await advance(10_000);
    await outbox.idle();
    expect(github.calls.map((call) => [call.route.split(" ")[0], call.params.body])).toEqual([["POST", "queued"], ["PATCH", "succeeded"]]);
    expect(outbox.counts()).toMatchObject({ coalesced: 1, delivered: 2 });
  });

  it("edits the same comment after a restart instead of making a second one", async () => {
    const first = await open(answering(9003));
    await first.outbox.add(reply("running"));
    await advance(10_000);
    await first.outbox.idle();
    await stop(first.outbox);
    const github = answering(9999);
    const second = await open(github);
    await second.outbox.add(reply("succeeded", true));
    await advance(10_000);
    await second.outbox.idle();
    expect(github.calls.map((call) => [call.route, call.params.comment_id])).toEqual([["PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", 9003]]);
  });
});

describe("Outbox: a reply whose answer was lost", () => {
  const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments" as const;
  const LIST = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments";
  const reply = (body: string, final = false): OutboxWrite => ({
    key: `reply:41:${body}`,
    group: "reply:octo/app#41",
    installationId: 1,
    supersedable: !final,
    route: COMMENT,
    params: { owner: "octo", repo: "app", issue_number: 7, body },
  });
  /** The pull request's comments as GitHub has them; the first POST lands but its answer is a 502. */
  function lossyGitHub(landsFirst: boolean) {
    const comments: Array<{ id: number; body: string }> = [{ id: 1, body: "/deploy" }];
    let posts = 0;
    const github = fakeGitHub((call) => {
      if (call.route === LIST) return { status: 200, data: comments };
      if (call.route === COMMENT) {
        posts += 1;
        const id = 9000 + posts;
        if (posts > 1 || landsFirst) comments.push({ id, body: String(call.params.body) });
        if (posts === 1) throw httpError(502);
        return { status: 201, data: { id } };
      }
      return { status: 200, data: {} };
    });
    return { github, comments };
  }

  it("finds the comment that landed instead of posting a second one, and edits it with the next write", async () => {
    const { github, comments } = lossyGitHub(true);
    const { outbox } = await open(github);
    await outbox.add(reply("queued <!-- heaven:1 -->"));
    await advance(60_000);
    await outbox.add(reply("succeeded", true));
    await advance(60_000);
    await outbox.idle();
    expect(github.calls.map((call) => [call.route.split(" ")[0], call.params.comment_id, call.params.body])).toEqual([
      ["POST", undefined, "queued <!-- heaven:1 -->"],
      ["GET", undefined, undefined],
      ["PATCH", 9001, "succeeded"],
    ]);
    expect(comments.map((comment) => comment.id)).toEqual([1, 9001]);
  });

  it("posts it again when it did not land", async () => {
    const { github, comments } = lossyGitHub(false);
    const { outbox } = await open(github);
    await outbox.add(reply("queued <!-- heaven:2 -->"));
    await advance(60_000);
    await outbox.idle();
    expect(github.calls.map((call) => call.route.split(" ")[0])).toEqual(["POST", "GET", "POST"]);
    expect(comments.map((comment) => comment.body)).toEqual(["/deploy", "queued <!-- heaven:2 -->"]);
  });
});

describe("Outbox: restarts", () => {
  it("delivers pending writes once after a restart, and does not post a final status GitHub already has", async () => {
    // GitHub took the first attempts but the answers were lost (502s).
    const landed: Array<{ deployment: unknown; state: unknown; description: unknown }> = [];
    const flaky = fakeGitHub((call) => {
      if (call.params.deployment_id === 41) landed.push({ deployment: 41, state: call.params.state, description: call.params.description });
      throw httpError(502);
    });
    const first = await open(flaky);
    await first.outbox.add(status(41, "success"));
    await first.outbox.add(status(43, "failure"));
    await first.outbox.add({ key: "commit:abc", group: "octo/app@abc", installationId: 1, supersedable: false, route: COMMIT_STATUS, params: { owner: "octo", repo: "app", sha: "abc", state: "success", context: "heaven/production" } });
    await advance(0);
    await stop(first.outbox);

    const github = fakeGitHub((call) => {
      if (call.route === "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses") {
        return { status: 200, data: landed.filter((status) => status.deployment === call.params.deployment_id) };
      }
      return { status: 201, data: {} };
    });
    const second = await open(github);
    expect(second.restored).toBe(3);
    await advance(10_000);
    await second.outbox.idle();
    expect(github.calls.map((call) => `${call.route.split(" ")[0]} ${String(call.params.deployment_id ?? call.params.sha)}`).sort()).toEqual(["GET 41", "GET 43", "POST 43", "POST abc"]);
    expect(second.outbox.counts()).toMatchObject({ delivered: 3, pending: 0 });
    await stop(second.outbox);

    const third = await open(fakeGitHub());
    expect(third.restored).toBe(0);
  });

  it("does not create a deployment again that GitHub made before the restart (payload.heaven.key)", async () => {
    const made: unknown[] = [];
    const lost = fakeGitHub((call) => {
      made.push({ id: 9, payload: call.params.payload });
      throw networkError();
    });
    const first = await open(lost);
    const create: OutboxWrite = {
      key: "auto:octo/app:abc:staging",
      group: "octo/app#staging",
      installationId: 1,
      supersedable: false,
      route: CREATE,
      params: { owner: "octo", repo: "app", ref: "abc", environment: "staging", payload: { heaven: { auto: true } } },
    };
    await first.outbox.add(create);
    await advance(0);
    expect(lost.calls[0]?.params.payload).toEqual({ heaven: { auto: true, key: "auto:octo/app:abc:staging" } });
    await stop(first.outbox);

    const github = fakeGitHub((call) => (call.route.startsWith("GET") ? { status: 200, data: made } : { status: 201, data: {} }));
    const second = await open(github);
    await advance(0);
    await second.outbox.idle();
    expect(github.calls.map((call) => call.route)).toEqual(["GET /repos/{owner}/{repo}/deployments"]);
    expect(github.calls[0]?.params).toMatchObject({ owner: "octo", repo: "app", ref: "abc", environment: "staging", task: "deploy", per_page: 100 });
    expect(second.outbox.counts()).toMatchObject({ delivered: 1, pending: 0 });
  });

  it("reads a file whose last line was torn by a crash", async () => {
    const add = { t: "add", seq: 0, createdAt: T0, write: status(41, "success") };
    mkdirSync(join(dir, "data"));
    writeFileSync(file, `${JSON.stringify(add)}\n{"t":"add","seq":1,"createdAt":${T0},"write":{"key":"octo/ap`);
    const github = fakeGitHub((call) => (call.route.startsWith("GET") ? { status: 200, data: [] } : { status: 201, data: {} }));
    const { outbox, restored, skipped } = await open(github);
    expect(restored).toBe(1);
    expect(skipped).toEqual([expect.stringMatching(/^line 2: cut short/)]);
    await advance(0);
    await outbox.idle();
    expect(github.posts().map(stateOf)).toEqual(["41:success"]);
    await stop(outbox);
    const again = await open(fakeGitHub());
    expect(again).toMatchObject({ restored: 0, skipped: [] });
  });

  it("gives up on a restored write older than maxAgeMs without sending it", async () => {
    const down = fakeGitHub(() => {
      throw httpError(500);
    });
    const first = await open(down, { maxAgeMs: 60_000 });
    await first.outbox.add(status(41, "success"));
    await advance(0);
    await stop(first.outbox);
    jest.setSystemTime(T0 + 2 * 60_000);
    const github = fakeGitHub();
    const second = await open(github, { maxAgeMs: 60_000 });
    await advance(0);
    expect(github.calls).toEqual([]);
    expect(second.outbox.counts()).toMatchObject({ dropped: 1, pending: 0 });
    expect(second.errors()[0]?.o).toMatchObject({ key: "octo/app#41:success", why: expect.stringMatching(/not delivered within 1 min 0 s/) });
  });
});

describe("Outbox: flush and close", () => {
  it("flush waits until nothing is pending, or the time is up and says how many still are", async () => {
    let up = false;
    const github = fakeGitHub((call) => {
      if (!up) throw httpError(503);
      return { status: call.route.startsWith("GET") ? 200 : 201, data: [] };
    });
    const { outbox } = await open(github);
    await outbox.add(status(41, "success"));
    const flushed = outbox.flush(5_000);
    await advance(5_000);
    expect(await flushed).toBe(1);
    up = true;
    const again = outbox.flush(60_000);
    await advance(20_000);
    expect(await again).toBe(0);
  });

  it("keeps nothing alive: every timer it sets is unref'd, and close lets go of the file", async () => {
    jest.useRealTimers();
    const timers: NodeJS.Timeout[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = jest.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number) => {
      const timer = realSetTimeout(callback, ms);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const openFiles = () => readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(join("/proc/self/fd", fd)) === file;
      } catch {
        return false;
      }
    }).length;
    try {
      const github = fakeGitHub(() => {
        throw httpError(503);
      });
      const { outbox } = await open(github);
      await outbox.add(status(41, "success"));
      expect(await outbox.flush(50)).toBe(1); // its own timer, and the retry's
      expect(timers.length).toBeGreaterThanOrEqual(2);
      expect(timers.filter((timer) => timer.hasRef())).toEqual([]);
      expect(openFiles()).toBe(1);
      await stop(outbox);
      expect(openFiles()).toBe(0);
      await expect(outbox.add(status(42, "success"))).rejects.toThrow(/is closed/);
    } finally {
      spy.mockRestore();
    }
  });

});

describe("Outbox with a real Probot installation Octokit (nock answers GitHub)", () => {
  const privateKey = appPrivateKey();
  const REAL_EXCEPT_DATE = ["hrtime", "nextTick", "performance", "queueMicrotask", "requestAnimationFrame", "cancelAnimationFrame", "requestIdleCallback", "cancelIdleCallback", "setImmediate", "clearImmediate", "setInterval", "clearInterval", "setTimeout", "clearTimeout"] as const;

  afterEach(() => {
    nock.cleanAll();
  });

  it("mints a new installation token after a 401 and sends the write with it", async () => {
    jest.useRealTimers();
    const tokens = ["ghs_first", "ghs_second"];
    const minted = nock("https://api.github.com")
      .post("/app/installations/1/access_tokens")
      .times(2)
      .reply(201, () => ({ token: tokens.shift(), expires_at: "2099-01-01T00:00:00Z" }));
    const authorizations: string[] = [];
    const bodies: unknown[] = [];
    const statuses = nock("https://api.github.com")
      .post("/repos/octo/app/deployments/41/statuses")
      .times(2)
      .reply(function (_uri, body) {
        authorizations.push(String(this.req.headers.authorization));
        bodies.push(body);
        return authorizations.length === 1 ? [401, { message: "Bad credentials" }] : [201, { id: 1 }];
      });
    // As test/helpers/probot.ts: the function form really turns throttling off.
    const octokit = await new Probot({ appId: 1, privateKey, Octokit: quietOctokit(), logLevel: "fatal" }).auth(1);
    await octokit.auth({ type: "installation" }); // the first token, minted now
    // @octokit/auth-app itself retries a 401 for 5 s after minting (replication delay): make the token older than that.
    jest.useFakeTimers({ doNotFake: [...REAL_EXCEPT_DATE], now: Date.now() + 10_000 });
    const { outbox } = await open(fakeGitHub(), { octokitFor: async () => octokit, pacing: { minSpacingMs: 0, perMinute: 80, perHour: 500 } });
    await outbox.add(status(41, "success"));
    await outbox.idle();
    expect(authorizations).toEqual(["token ghs_first", "token ghs_second"]);
    expect(bodies[1]).toEqual({ state: "success", description: "success for 41", log_url: "https://heaven.example.com/logs/41?token=signed" });
    expect(minted.isDone() && statuses.isDone()).toBe(true);
    expect(outbox.counts()).toMatchObject({ delivered: 1, dropped: 0, attempts: 2 });
  });

  it("lets plugin-throttling's handlers see request.heavenOutbox, and nothing retries behind its back", async () => {
    jest.useRealTimers();
    nock("https://api.github.com").post("/app/installations/1/access_tokens").reply(201, { token: "ghs_token", expires_at: "2099-01-01T00:00:00Z" });
    let posts = 0;
    nock("https://api.github.com")
      .post("/repos/octo/app/deployments/41/statuses")
      .times(2)
      .reply(() => {
        posts += 1;
        return posts === 1 ? [403, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "1" }] : [201, { id: 1 }];
      });
    const seen: unknown[] = [];
    const handler = (_retryAfter: number, options: { request?: { heavenOutbox?: boolean } }) => {
      seen.push(options.request);
      return options.request?.heavenOutbox !== true;
    };
    // Throttling and Octokit's retries on, as in production.
    const Octokit = ProbotOctokit.defaults((o: { throttle?: object }) => ({ ...o, throttle: { ...o.throttle, onRateLimit: handler, onSecondaryRateLimit: handler } }));
    const octokit = await new Probot({ appId: 1, privateKey, Octokit, logLevel: "fatal" }).auth(1);
    const { outbox, entries } = await open(fakeGitHub(), { octokitFor: async () => octokit, pacing: { minSpacingMs: 0, perMinute: 80, perHour: 500 } });
    await outbox.add(status(41, "success"));
    await outbox.idle();
    expect(seen).toEqual([expect.objectContaining({ retries: 0, heavenOutbox: true })]);
    expect(posts).toBe(2);
    expect(entries.find((entry) => entry.level === "warn")?.o).toMatchObject({ status: 403 });
    expect(outbox.counts()).toMatchObject({ delivered: 1, attempts: 2 });
  });
});
