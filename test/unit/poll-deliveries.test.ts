/**
 * Polling the App's delivery log: against the fake GitHub over HTTP (its
 * delivery log pages with a Link header and answers 304 to a matching ETag),
 * with a real Probot App Octokit, and the cursor in a real file.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { Probot } from "probot";
import { PollCursorFile } from "../../src/github/poll-cursor.js";
import { pollRound, type DeliveryLogApi, type PolledEvent, type PollState } from "../../src/github/poll-deliveries.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { tempDir } from "../helpers/git-repo.js";
import { appPrivateKey, quietOctokit } from "../helpers/app-credentials.js";


let github: FakeGitHub;
let octokit: DeliveryLogApi;
let dir: ReturnType<typeof tempDir>;
const cursors: PollCursorFile[] = [];

beforeAll(async () => {
  github = new FakeGitHub();
  await github.start();
  const probot = new Probot({ appId: 1, privateKey: appPrivateKey(), Octokit: quietOctokit(), logLevel: "fatal", baseUrl: `http://${github.host}/api/v3` });
  octokit = (await probot.auth()) as unknown as DeliveryLogApi;
});
afterAll(() => github.stop());
beforeEach(() => (dir = tempDir("heaven-poll-")));
afterEach(async () => {
  for (const cursor of cursors.splice(0)) await cursor.close();
  dir.remove();
});

function recorder() {
  const lines: string[] = [];
  const log = { info: () => undefined, warn: (_: object, m: string) => void lines.push(`warn: ${m}`), error: (_: object, m: string) => void lines.push(`error: ${m}`) };
  return { lines, log };
}

async function openState(): Promise<PollState> {
  const { cursor } = await PollCursorFile.open(join(dir.path, "poll-cursor.jsonl"));
  cursors.push(cursor);
  return { cursor, failures: new Map() };
}

/** Events GitHub recorded in its delivery log without reaching heaven (nothing listens), numbered n. */
async function events(count: number, from = 0): Promise<number[]> {
  const ids: number[] = [];
  for (let n = from; n < from + count; n++) ids.push((await github.sendWebhook("status", { n, installation: { id: 1 } })).id);
  return ids;
}

const ns = (received: PolledEvent[]) => received.map((event) => event.payload.n);

describe("polling the delivery log", () => {
  it("starts after the newest delivery the first time, then hands every new one to the handlers, in order, with its GUID and event name", async () => {
    await events(3, 100);
    const state = await openState();
    const received: PolledEvent[] = [];
    const receive = async (event: PolledEvent) => void received.push(event);
    expect(await pollRound(octokit, state, receive, recorder().log)).toEqual({ handled: 0, unchanged: false });
    expect(received).toEqual([]);

    const ids = await events(3);
    expect(await pollRound(octokit, state, receive, recorder().log)).toEqual({ handled: 3, unchanged: false });
    expect(ns(received)).toEqual([0, 1, 2]);
    const deliveries = github.deliveries();
    expect(received.map((event) => [event.name, event.id])).toEqual(ids.map((id) => ["status", deliveries.find((d) => d.id === id)?.guid]));
  });

  it("asks with the ETag of its last round: nothing new costs a 304", async () => {
    const state = await openState();
    const receive = async () => undefined;
    await pollRound(octokit, state, receive, recorder().log);
    await events(1);
    await pollRound(octokit, state, receive, recorder().log);
    const before = github.requests.length;
    expect(await pollRound(octokit, state, receive, recorder().log)).toEqual({ handled: 0, unchanged: true });
    expect(github.requests.slice(before).map((r) => [r.path, r.status, r.ifNoneMatch !== undefined])).toEqual([["/app/hook/deliveries", 304, true]]);
  });

  it("follows the log's pages back to where it stopped, and no further", async () => {
    const state = await openState();
    const received: PolledEvent[] = [];
    await events(5);
    await pollRound(octokit, state, async () => undefined, recorder().log);
    await events(230, 1000);
    const before = github.requests.length;
    await pollRound(octokit, state, async (event) => void received.push(event), recorder().log);
    expect(ns(received)).toEqual(Array.from({ length: 230 }, (_, i) => 1000 + i));
    const lists = github.requests.slice(before).filter((r) => r.path === "/app/hook/deliveries");
    expect(lists.map((r) => r.query.cursor === undefined)).toEqual([true, false, false]);
  });

  it("handles a redelivery of an event it handled once only, and handles nothing twice after a restart", async () => {
    const first = await openState();
    const received: PolledEvent[] = [];
    const receive = async (event: PolledEvent) => void received.push(event);
    await pollRound(octokit, first, receive, recorder().log);
    const [one] = await events(2);
    await pollRound(octokit, first, receive, recorder().log);
    await github.redeliver(one as number);
    await events(1, 2);
    await first.cursor.close();
    cursors.splice(cursors.indexOf(first.cursor), 1);

    const again = await openState();
    await pollRound(octokit, again, receive, recorder().log);
    expect(ns(received)).toEqual([0, 1, 2]);
  });

  it("tries a delivery it could not fetch again next round, handling nothing after it first", async () => {
    const state = await openState();
    const received: PolledEvent[] = [];
    const receive = async (event: PolledEvent) => void received.push(event);
    await pollRound(octokit, state, receive, recorder().log);
    const ids = await events(3);
    github.fail("GET", new RegExp(`^/app/hook/deliveries/${ids[1]}$`), 502);
    const { lines, log } = recorder();
    expect(await pollRound(octokit, state, receive, log)).toEqual({ handled: 1, unchanged: false });
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^warn: could not fetch delivery ${ids[1]}: GitHub answered HTTP 502 .*; trying again next round$`))]);
    expect(await pollRound(octokit, state, receive, recorder().log)).toEqual({ handled: 2, unchanged: false });
    expect(ns(received)).toEqual([0, 1, 2]);
  });

  it("tries a delivery whose handlers fail again, and gives it up after five rounds so the rest still flows", async () => {
    const state = await openState();
    const received: number[] = [];
    const receive = async (event: PolledEvent) => {
      if (event.payload.n === 0) throw new Error("the journal cannot be written");
      received.push(event.payload.n as number);
    };
    await pollRound(octokit, state, receive, recorder().log);
    await events(2);
    const { lines, log } = recorder();
    for (let round = 0; round < 4; round++) expect(await pollRound(octokit, state, receive, log)).toEqual({ handled: 0, unchanged: false });
    expect(await pollRound(octokit, state, receive, log)).toEqual({ handled: 2, unchanged: false });
    expect(received).toEqual([1]);
    expect(lines.at(-1)).toMatch(/^error: handling status \(delivery \d+\) failed 5 times; giving it up$/);
  });

  it("says once, loudly, when the log no longer reaches back to where it stopped, and carries on", async () => {
    const state = await openState();
    const received: PolledEvent[] = [];
    const receive = async (event: PolledEvent) => void received.push(event);
    await pollRound(octokit, state, receive, recorder().log);
    const [handled] = await events(1);
    await pollRound(octokit, state, receive, recorder().log);
    // heaven is away for longer than GitHub keeps deliveries: the one it handled last has aged out.
    const after = await events(2, 1);
    github.expireDeliveries((after[0] as number) + 1);
    const { lines, log } = recorder();
    await pollRound(octokit, state, receive, log);
    expect(lines).toEqual([
      "error: GitHub's delivery log no longer reaches back to the last delivery heaven handled: events in between are lost (deploy again what should have run)",
    ]);
    expect(ns(received)).toEqual([0, 2]);
    await events(1, 3);
    await pollRound(octokit, state, receive, log);
    expect(lines).toHaveLength(1);
    expect(ns(received)).toEqual([0, 2, 3]);
    expect(handled).toBeLessThan(after[0] as number);
  });
});
