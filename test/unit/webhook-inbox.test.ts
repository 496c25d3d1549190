import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WebhookInbox, type ReceivedDelivery } from "../../src/github/webhook-inbox.js";
import { tempDir } from "../helpers/git-repo.js";

let dir: ReturnType<typeof tempDir>;
let file: string;
/** Inboxes a test opened, closed after it (a test that plays a crash leaves one open). */
let reopened: WebhookInbox[];

beforeEach(() => {
  dir = tempDir("heaven-webhook-inbox-");
  file = join(dir.path, "data", "inbox.jsonl");
  reopened = [];
});

afterEach(async () => {
  await Promise.all(reopened.map((inbox) => inbox.close().catch(() => undefined)));
  dir.remove();
});

const delivery = (n: number, on = "check_run.completed"): ReceivedDelivery => ({ id: `guid-${n}`, on, payload: { action: "completed", n } });
const lines = () =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { t: string; id?: string; ids?: string[] });

/** The inbox a restarted heaven finds (the one before it never closed its file: it was killed). */
async function openInbox(options: { remember?: number } = {}) {
  const opened = await WebhookInbox.open(file, options);
  reopened.push(opened.inbox);
  return opened;
}
const reopen = async (options: { remember?: number } = {}) => (await openInbox(options)).inbox;

describe("WebhookInbox", () => {
  it("has a delivery on disk, payload and all, when receive resolves", async () => {
    const { inbox } = await openInbox();
    await inbox.receive(delivery(1, "status"));
    expect(lines().filter((line) => line.t === "received")).toEqual([{ t: "received", id: "guid-1", on: "status", payload: { action: "completed", n: 1 } }]);
    await inbox.close();
  });

  it("gives a restarted heaven what was received and not done, oldest first, and what was done as seen", async () => {
    const { inbox } = await openInbox();
    await Promise.all([1, 2, 3, 4].map((n) => inbox.receive(delivery(n))));
    await inbox.markDone("guid-2");
    await inbox.markDone("guid-4");

    const after = await reopen();
    expect(after.pending()).toEqual([delivery(1), delivery(3)]);
    expect(["guid-1", "guid-2", "guid-3", "guid-4", "guid-5"].map((id) => after.has(id))).toEqual([true, true, true, true, false]);
    await after.markDone("guid-1");
    expect((await reopen()).pending()).toEqual([delivery(3)]);
  });

  it("skips a torn last line (a crash mid-write), says so, and keeps working after it", async () => {
    const { inbox } = await openInbox();
    await inbox.receive(delivery(1));
    appendFileSync(file, '{"t":"received","id":"guid-2","on":"status","payload":{"n"');

    const { inbox: after, skipped } = await openInbox();
    expect(skipped).toEqual([expect.stringMatching(/^line \d+: cut short \(written when the process died\); skipped$/)]);
    expect(after.pending()).toEqual([delivery(1)]);
    expect(after.has("guid-2")).toBe(false);
    await after.receive(delivery(3));
    await after.close();
    expect((await reopen()).pending()).toEqual([delivery(1), delivery(3)]);
  });

  it("skips lines that are not its records", async () => {
    const { inbox } = await openInbox();
    await inbox.receive(delivery(1));
    await inbox.close();
    appendFileSync(file, '{"t":"received","id":"guid-2","on":"status","payload":"not an object"}\n{"t":"done"}\n');
    const { inbox: after, skipped } = await openInbox();
    expect(skipped).toHaveLength(2);
    expect(after.pending()).toEqual([delivery(1)]);
    await after.close();
  });

  it("only remembers a delivery that was never written (kept in memory), writing nothing for it", async () => {
    const { inbox } = await openInbox();
    const before = lines().length;
    await inbox.markDone("guid-memory");
    expect(lines()).toHaveLength(before);
    expect(inbox.has("guid-memory")).toBe(true);
    await inbox.close();
  });

  it("compacts once it has grown, keeping what waits and the ids handled lately (up to its limit)", async () => {
    const { inbox } = await openInbox({ remember: 100 });
    const all = Array.from({ length: 600 }, (_, n) => delivery(n));
    await Promise.all(all.map((d) => inbox.receive(d)));
    await Promise.all(all.slice(1).map((d) => inbox.markDone(d.id)));
    await inbox.close();

    // 1,200 lines written; the compacted file holds the waiting delivery, and the ids remembered on one line.
    expect(lines().length).toBeLessThan(1_200);
    const after = await reopen({ remember: 100 });
    expect(after.pending()).toEqual([delivery(0)]);
    expect(after.has("guid-599")).toBe(true);
    expect(after.has("guid-500")).toBe(true);
    expect(after.has("guid-499")).toBe(false);
    expect(lines()).toEqual([{ t: "done-ids", ids: all.slice(500).map((d) => d.id) }, expect.objectContaining({ t: "received", id: "guid-0" })]);
    await after.close();
  });

  it("forgets a delivery it could not write, so that GitHub's next attempt is taken", async () => {
    const { inbox } = await openInbox();
    await inbox.close();
    await expect(inbox.receive(delivery(1))).rejects.toThrow(/is closed/);
    expect(inbox.has("guid-1")).toBe(false);
  });
});
