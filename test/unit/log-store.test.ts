import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { LogMeta } from "../../src/core/log-store.js";
import { logFilePath, logMetaPath } from "../../src/engine/log-links.js";
import { FileLogStore } from "../../src/engine/log-store.js";
import { tempDir } from "../helpers/git-repo.js";

const KEY = "Codertocat/Hello-World/42";
let tmp: ReturnType<typeof tempDir>;
let store: FileLogStore;

beforeEach(() => {
  tmp = tempDir("heaven-log-store-");
  store = new FileLogStore(tmp.path);
});
afterEach(() => tmp.remove());

const logFile = () => logFilePath(tmp.path, KEY);
function writeLog(text: string): void {
  mkdirSync(dirname(logFile()), { recursive: true });
  writeFileSync(logFile(), text);
}
function writeMeta(finished: boolean): void {
  const meta: LogMeta = {
    repository: "Codertocat/Hello-World",
    deploymentId: "42",
    environment: "production",
    ref: "main",
    sha: "a".repeat(40),
    task: "deploy",
    who: "octocat",
    state: finished ? "success" : "in_progress",
    description: finished ? "script/deploy succeeded in 3 s" : "deploying",
    finished,
    acceptedAt: 1,
    updatedAt: 2,
  };
  mkdirSync(dirname(logFile()), { recursive: true });
  writeFileSync(logMetaPath(tmp.path, KEY), JSON.stringify(meta));
}

describe("FileLogStore.read", () => {
  it("hands out complete lines only, and the offset after them", async () => {
    writeLog("one\ntwo\nthr");
    writeMeta(false);
    expect(await store.read(KEY, 0)).toEqual({ text: "one\ntwo\n", next: 8, finished: false });
  });

  it("resumes at the offset it returned, with the line that was unfinished once it is whole", async () => {
    writeLog("one\ntwo\nthr");
    writeMeta(false);
    const first = await store.read(KEY, 0);
    expect(await store.read(KEY, first?.next ?? -1)).toEqual({ text: "", next: 8, finished: false });
    appendFileSync(logFile(), "ee\nfour\n");
    expect(await store.read(KEY, first?.next ?? -1)).toEqual({ text: "three\nfour\n", next: 19, finished: false });
  });

  it("reads about maxBytes at a time, never cutting a line, so reading on gives every line once", async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${"x".repeat(i)}`);
    writeLog(lines.map((line) => `${line}\n`).join(""));
    writeMeta(true);
    const read: string[] = [];
    let next = 0;
    for (let finished = false; !finished; ) {
      const chunk = await store.read(KEY, next, 100);
      expect(chunk?.text.endsWith("\n")).toBe(true);
      expect(Buffer.byteLength(chunk?.text ?? "")).toBeLessThanOrEqual(100);
      read.push(...(chunk?.text ?? "").split("\n").slice(0, -1));
      next = chunk?.next ?? -1;
      finished = chunk?.finished ?? true;
    }
    expect(read).toEqual(lines);
  });

  it("reads a line longer than maxBytes whole", async () => {
    writeLog(`${"y".repeat(1000)}\nshort\n`);
    writeMeta(false);
    expect(await store.read(KEY, 0, 64)).toEqual({ text: `${"y".repeat(1000)}\n`, next: 1001, finished: false });
  });

  it("counts offsets in bytes, so lines of several-byte characters resume where they stopped", async () => {
    writeLog("héllo wörld\n日本語\n");
    writeMeta(true);
    const first = await store.read(KEY, 0, 14);
    expect(first).toEqual({ text: "héllo wörld\n", next: 14, finished: false });
    expect(await store.read(KEY, 14)).toEqual({ text: "日本語\n", next: 24, finished: true });
  });

  it("says finished only on the read that reaches the end of a finished deployment's log", async () => {
    writeLog("one\ntwo\n");
    writeMeta(true);
    expect(await store.read(KEY, 0, 4)).toEqual({ text: "one\n", next: 4, finished: false });
    expect(await store.read(KEY, 4, 4)).toEqual({ text: "two\n", next: 8, finished: true });
    expect(await store.read(KEY, 8)).toEqual({ text: "", next: 8, finished: true });
  });

  it("is not finished while the deployment runs, even at the end of its log", async () => {
    writeLog("one\n");
    writeMeta(false);
    expect(await store.read(KEY, 4)).toEqual({ text: "", next: 4, finished: false });
  });

  it("hands out the last line of a finished log even without its line break", async () => {
    writeLog("one\ntail without a newline");
    writeMeta(true);
    expect(await store.read(KEY, 0)).toEqual({ text: "one\ntail without a newline", next: 26, finished: true });
  });

  it("knows no log that has neither lines nor metadata", async () => {
    expect(await store.read(KEY, 0)).toBeUndefined();
    expect(await store.info(KEY)).toBeUndefined();
  });

  it("has an empty, unfinished log for a deployment that is queued and has printed nothing yet", async () => {
    writeMeta(false);
    expect(await store.read(KEY, 0)).toEqual({ text: "", next: 0, finished: false });
    expect(await store.info(KEY)).toMatchObject({ size: 0, meta: { state: "in_progress" } });
  });

  it("counts a log without metadata written before it opened as an older heaven's, finished", async () => {
    writeLog("one\n");
    utimesSync(logFile(), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await new FileLogStore(tmp.path).read(KEY, 0)).toEqual({ text: "one\n", next: 4, finished: true });
  });

  it("waits for the metadata of a log without any written since it opened (a deployment just starting)", async () => {
    const opened = new FileLogStore(tmp.path, Date.now() - 60_000);
    writeLog("one\n");
    expect(await opened.read(KEY, 0)).toEqual({ text: "one\n", next: 4, finished: false });
  });

  it("treats an offset past the end as the end", async () => {
    writeLog("one\n");
    writeMeta(false);
    expect(await store.read(KEY, 400)).toEqual({ text: "", next: 4, finished: false });
  });

  it("gives the log's size and when it was last written", async () => {
    writeLog("one\ntwo\n");
    writeMeta(true);
    const written = new Date("2026-01-02T03:04:05Z");
    utimesSync(logFile(), written, written);
    expect(await store.info(KEY)).toMatchObject({ size: 8, updatedAt: written.getTime(), meta: { who: "octocat", finished: true } });
  });
});
