/**
 * Redelivering missed webhooks against a real Probot App Octokit (JWT auth,
 * throttling and retry off), GitHub answered by nock with the shape of its
 * documented "List deliveries for an app webhook" response.
 */
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { components } from "@octokit/openapi-types";
import nock from "nock";
import { Probot } from "probot";
import { appPrivateKey, quietOctokit } from "../helpers/app-credentials.js";
import {
  redeliverMissed,
  redeliveryMemory,
  startRedelivery,
  type AppDeliveriesApi,
  type RedeliveryLog,
} from "../../src/github/redeliver-missed.js";

type HookDeliveryItem = components["schemas"]["hook-delivery-item"];

const API = "https://api.github.com";
const NOW = Date.parse("2024-05-01T12:00:00Z");
const MINUTE = 60_000;
const now = () => NOW;

let octokit: AppDeliveriesApi;

beforeAll(async () => {
  const probot = new Probot({ appId: 1, privateKey: appPrivateKey(), Octokit: quietOctokit(), logLevel: "fatal" });
  octokit = await probot.auth(); // no installation id: the App itself (JWT)
});

afterEach(() => {
  nock.cleanAll();
});

/** A delivery as GitHub's documentation shows it, `minutesAgo` before NOW. */
function delivery(id: number, guid: string, statusCode: number, minutesAgo: number, fields: Partial<HookDeliveryItem> = {}): HookDeliveryItem {
  return {
    id,
    guid,
    delivered_at: new Date(NOW - minutesAgo * MINUTE).toISOString().replace(/\.\d{3}Z$/, "Z"),
    redelivery: false,
    duration: 0.27,
    status: statusCode === 0 ? "failed to connect" : statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`,
    status_code: statusCode,
    event: "deployment",
    action: "created",
    installation_id: 123,
    repository_id: 456,
    throttled_at: null,
    ...fields,
  };
}

const next = (cursor: string) => ({ Link: `<${API}/app/hook/deliveries?per_page=100&cursor=${cursor}>; rel="next"` });

function recordingLog() {
  const lines: Array<{ level: string; message: string; fields: object }> = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, message, fields });
  const log: RedeliveryLog = { debug: at("debug"), info: at("info"), warn: at("warn") };
  return { log, lines, at: (level: string) => lines.filter((l) => l.level === level).map((l) => l.message) };
}

/** The App's deliveries over three pages, newest first; the second reaches past the 6-hour look-back. */
function listThreePages() {
  const page1 = [
    delivery(110, "ok-after-retry", 200, 5, { redelivery: true }),
    delivery(109, "down-recent", 0, 10),
    delivery(108, "bad-signature", 400, 20),
  ];
  const page2 = [
    delivery(104, "ok-after-retry", 0, 90),
    delivery(103, "journal-full", 503, 300, { event: "check_suite", action: "completed" }),
    delivery(102, "too-old", 0, 7 * 60),
  ];
  const page3 = [delivery(101, "ancient", 0, 10 * 60)];
  const scope = nock(API, { reqheaders: { authorization: /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i } });
  scope.get("/app/hook/deliveries").query({ per_page: "100" }).reply(200, page1, next("v1_108"));
  scope.get("/app/hook/deliveries").query({ per_page: "100", cursor: "v1_108" }).reply(200, page2, next("v1_102"));
  const third = nock(API).get("/app/hook/deliveries").query({ per_page: "100", cursor: "v1_102" }).reply(200, page3);
  return { scope, third };
}

function acceptAttempts(...ids: number[]) {
  const asked: number[] = [];
  for (const id of ids) {
    nock(API)
      .post(`/app/hook/deliveries/${id}/attempts`)
      .reply(202, () => {
        asked.push(id);
        return {};
      });
  }
  return asked;
}

describe("redeliverMissed", () => {
  it("follows the Link header, stops at the page past the look-back, and redelivers each missed webhook once, oldest first", async () => {
    const { scope, third } = listThreePages();
    const asked = acceptAttempts(103, 109);
    const { log, at } = recordingLog();

    const result = await redeliverMissed(octokit, { log, memory: redeliveryMemory(), now });

    expect(result).toEqual({ redelivered: [103, 109], leftAlone: [108] });
    expect(asked).toEqual([103, 109]);
    expect(scope.isDone()).toBe(true);
    expect(third.isDone()).toBe(false);
    expect(at("info")).toEqual(["redelivered 2 missed webhooks"]);
    expect(at("warn")).toEqual(["left 1 failed webhooks alone: heaven answered them with 4xx, and a redelivery would fail again"]);
  });

  it("asks for nothing in a second round, and does not repeat its warnings", async () => {
    const memory = redeliveryMemory();
    listThreePages();
    acceptAttempts(103, 109);
    await redeliverMissed(octokit, { log: recordingLog().log, memory, now });

    // The same deliveries again (GitHub's redeliveries not made yet): no POST is set up, so any would fail the round.
    listThreePages();
    const { log, at } = recordingLog();
    const again = await redeliverMissed(octokit, { log, memory, now });
    expect(again).toEqual({ redelivered: [], leftAlone: [] });
    expect(at("warn")).toEqual([]);
    expect(at("info")).toEqual([]);
  });

  it("redelivers at most `max` per round and the rest in the next", async () => {
    const memory = redeliveryMemory();
    const page = [delivery(3, "c", 0, 1), delivery(2, "b", 0, 2), delivery(1, "a", 0, 3)];
    nock(API).get("/app/hook/deliveries").query(true).twice().reply(200, page);
    const asked = acceptAttempts(1, 2, 3);
    expect((await redeliverMissed(octokit, { log: recordingLog().log, memory, now, max: 2 })).redelivered).toEqual([1, 2]);
    expect((await redeliverMissed(octokit, { log: recordingLog().log, memory, now, max: 2 })).redelivered).toEqual([3]);
    expect(asked).toEqual([1, 2, 3]);
  });

  it("logs a 503 from GitHub once at warn and returns it instead of throwing; a recovery is said once", async () => {
    const memory = redeliveryMemory();
    nock(API).get("/app/hook/deliveries").query(true).twice().reply(503, { message: "Service Unavailable" });
    const first = recordingLog();
    const failed = await redeliverMissed(octokit, { log: first.log, memory, now });
    expect(failed).toEqual({ redelivered: [], leftAlone: [], failure: expect.stringMatching(/^could not list the App's webhook deliveries: GitHub answered 503/) });
    expect(first.at("warn")).toHaveLength(1);
    expect(first.at("warn")[0]).toMatch(/; trying again next round$/);

    const second = recordingLog();
    expect((await redeliverMissed(octokit, { log: second.log, memory, now })).failure).toBe(failed.failure);
    expect(second.at("warn")).toEqual([]);
    expect(second.at("debug")).toHaveLength(1);

    nock(API).get("/app/hook/deliveries").query(true).reply(200, []);
    const third = recordingLog();
    expect(await redeliverMissed(octokit, { log: third.log, memory, now })).toEqual({ redelivered: [], leftAlone: [] });
    expect(third.at("info")).toEqual(["checking for missed webhooks works again"]);
  });

  it("says what to check when GitHub answers 401 (an App without a webhook)", async () => {
    nock(API).get("/app/hook/deliveries").query(true).reply(401, { message: "Bad credentials" });
    const { log, at } = recordingLog();
    await redeliverMissed(octokit, { log, memory: redeliveryMemory(), now });
    expect(at("warn")).toEqual([expect.stringContaining("GitHub answered 401: Bad credentials (does the App have a webhook, and is its private key the right one?)")]);
  });

  it("does not ask again for a delivery GitHub refused (422), but asks again after a 5xx stopped the round", async () => {
    const memory = redeliveryMemory();
    const page = [delivery(2, "refused", 0, 1), delivery(1, "unlucky", 0, 2)];
    nock(API).get("/app/hook/deliveries").query(true).twice().reply(200, page);
    nock(API).post("/app/hook/deliveries/1/attempts").reply(502, { message: "Bad Gateway" });
    const { log, at } = recordingLog();
    const first = await redeliverMissed(octokit, { log, memory, now });
    expect(first).toMatchObject({ redelivered: [], failure: expect.stringMatching(/^could not ask GitHub to redeliver deployment \(delivery 1\): GitHub answered 502/) });
    expect(at("warn")).toHaveLength(1);

    nock(API).post("/app/hook/deliveries/1/attempts").reply(202, {});
    nock(API).post("/app/hook/deliveries/2/attempts").reply(422, { message: "Delivery too old" });
    const second = await redeliverMissed(octokit, { log, memory, now });
    expect(second).toEqual({ redelivered: [1], leftAlone: [] });
    expect(at("warn")[1]).toMatch(/^GitHub would not redeliver deployment \(delivery 2\): Delivery too old/);

    nock(API).get("/app/hook/deliveries").query(true).reply(200, page);
    expect(await redeliverMissed(octokit, { log, memory, now })).toEqual({ redelivered: [], leftAlone: [] });
  });

  it("skips items it cannot read rather than failing the round", async () => {
    nock(API).get("/app/hook/deliveries").query(true).reply(200, [{ id: "x" }, delivery(1, "a", 0, 1)]);
    acceptAttempts(1);
    expect(await redeliverMissed(octokit, { log: recordingLog().log, memory: redeliveryMemory(), now })).toEqual({ redelivered: [1], leftAlone: [] });
  });
});

describe("startRedelivery", () => {
  it("runs a round at start and then every interval, remembering across rounds what it asked for", async () => {
    let rounds = 0;
    let thirdRound: () => void = () => undefined;
    const third = new Promise<void>((resolve) => (thirdRound = resolve));
    nock(API)
      .persist()
      .get("/app/hook/deliveries")
      .query(true)
      .reply(200, () => {
        if (++rounds === 3) thirdRound();
        return [delivery(1, "a", 0, 1)];
      });
    const asked = acceptAttempts(1);
    const { log } = recordingLog();
    const schedule = startRedelivery(async () => octokit, { log, now, intervalMs: 20 });
    await third;
    await schedule.stop();
    expect(asked).toEqual([1]);
  });

  it("logs a failure to authenticate once and keeps going", async () => {
    const { log, at } = recordingLog();
    let calls = 0;
    let secondCall: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (secondCall = resolve));
    const schedule = startRedelivery(
      async () => {
        if (++calls === 2) secondCall();
        throw new Error("secretOrPrivateKey must be an asymmetric key");
      },
      { log, now, intervalMs: 10 },
    );
    await second;
    await schedule.stop();
    expect(at("warn")).toEqual(["could not authenticate as the App: secretOrPrivateKey must be an asymmetric key; trying again next round"]);
  });
});
