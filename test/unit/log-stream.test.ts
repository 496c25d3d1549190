/**
 * The live tail over real HTTP: Server-Sent Events whose ids are byte
 * offsets, resumed from Last-Event-ID without a line twice or a line lost,
 * ended by `finished` once the deployment has finished.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { eventLines, openEventStream, type StreamEvent } from "../helpers/event-stream.js";
import { tempDir } from "../helpers/git-repo.js";
import { startLogServer, type LogServer } from "../helpers/log-server.js";

const KEY = "Codertocat/Hello-World/42";
const stream = (link: string, from?: number) => link.replace("/42?", "/42/stream?") + (from === undefined ? "" : `&from=${from}`);
const isLines = (e: StreamEvent) => e.event === "lines";
const linesOf = (events: StreamEvent[]) => events.flatMap(eventLines);

let tmp: ReturnType<typeof tempDir>;
let server: LogServer;
let clock = Date.now();
beforeEach(async () => {
  tmp = tempDir("heaven-log-stream-");
  clock = Date.now();
  server = await startLogServer(tmp.path, { now: () => clock });
  server.writeLog(KEY, "one\ntwo\n");
  server.writeMeta(KEY, { finished: false });
});
afterEach(async () => {
  await server.close();
  tmp.remove();
});

describe("the live tail", () => {
  it("sends the log's lines, then each line as it is written, then finished once the deployment has", async () => {
    const events = await openEventStream(stream(server.link(KEY)));
    expect(events.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const first = await events.lines(2);
    expect(linesOf(first)).toEqual(["one", "two"]);
    expect(first.at(-1)?.id).toBe("8");
    server.appendLog(KEY, "three\n\nfive\n");
    const second = await events.lines(3);
    expect(linesOf(second)).toEqual(["three", "", "five"]);
    expect(second.at(-1)?.id).toBe("20");
    server.writeMeta(KEY, { finished: true, state: "success", description: "script/deploy succeeded in 3 s", finishedAt: clock });
    const end = await events.until((e) => e.event === "finished");
    expect(JSON.parse(end.at(-1)?.data ?? "{}")).toMatchObject({ state: "success", label: "succeeded", marker: "Finished: succeeded (script/deploy succeeded in 3 s). End of log." });
    expect(await events.next()).toBeUndefined();
  });

  it("resumes after Last-Event-ID with exactly the lines written since, none twice", async () => {
    const before = await openEventStream(stream(server.link(KEY)));
    const seen = await before.lines(2);
    before.close();
    server.appendLog(KEY, "three\nfour\n");
    server.writeMeta(KEY, { finished: true, state: "success" });
    const after = await openEventStream(stream(server.link(KEY), 0), { "last-event-id": seen.at(-1)?.id ?? "" });
    const rest = await after.until((e) => e.event === "finished");
    expect([...linesOf(seen), ...linesOf(rest)]).toEqual(["one", "two", "three", "four"]);
  });

  it("starts at ?from (the offset the page ended at) when there is no Last-Event-ID", async () => {
    server.appendLog(KEY, "three\n");
    const events = await openEventStream(stream(server.link(KEY), 8));
    expect(linesOf(await events.lines(1))).toEqual(["three"]);
    events.close();
  });

  it("says when the deployment's state changes", async () => {
    server.writeMeta(KEY, { state: "pending", description: "waiting for CI on 0123456: ci/test", startedAt: undefined });
    const events = await openEventStream(stream(server.link(KEY), 8));
    const waiting = await events.until((e) => e.event === "state");
    expect(JSON.parse(waiting.at(-1)?.data ?? "{}")).toMatchObject({ state: "pending", label: "waiting for CI" });
    server.writeMeta(KEY, { state: "in_progress", description: "deploying main (0123456) to production" });
    const running = await events.until((e) => e.event === "state");
    expect(JSON.parse(running.at(-1)?.data ?? "{}")).toMatchObject({ state: "in_progress", label: "running" });
    events.close();
  });

  it("ends with expired once the link expires, and refuses to open again", async () => {
    const link = server.link(KEY, Math.floor(clock / 1000) + 60);
    const events = await openEventStream(stream(link, 8));
    await events.until((e) => e.event === "state");
    clock += 61_000;
    expect((await events.until((e) => e.event === "expired")).at(-1)?.event).toBe("expired");
    expect((await fetch(stream(link, 8))).status).toBe(410);
  });

  it("renders lines as the page does: escaped, never markup of the log's own", async () => {
    server.appendLog(KEY, "<script>alert(1)</script>\n");
    const events = await openEventStream(stream(server.link(KEY), 8));
    const [html] = JSON.parse((await events.until(isLines)).at(-1)?.data ?? "[]") as string[];
    expect(html).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    events.close();
  });

  it("ends when the server stops listening, so an open page never holds heaven's shutdown", async () => {
    const events = await openEventStream(stream(server.link(KEY)));
    await events.lines(2);
    const closed = server.stopListening();
    let event = await events.next();
    while (event?.event === "state") event = await events.next();
    expect(event).toBeUndefined();
    await closed;
  });

  it("answers 404 to a tampered link and 400 to an offset it never gave", async () => {
    expect((await fetch(stream(server.link(KEY)).replace(/sig=[0-9a-f]{4}/, "sig=0000"))).status).toBe(404);
    expect((await fetch(stream(server.link(KEY)), { headers: { "last-event-id": "-1" } })).status).toBe(400);
  });
});
