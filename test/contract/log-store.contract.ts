/**
 * What every LogStore promises, wherever its logs are kept: files under the
 * data directory (FileLogStore) and PostgreSQL (PostgresLogStore) both run
 * these. Not a test file itself (jest's testMatch is *.test.ts): a suite
 * calls `describeLogStoreContract` with a harness for its implementation.
 * Logs are written as deployments write them: complete lines, appended.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { LogMeta, LogStore } from "../../src/core/log-store.js";

export interface LogStoreHarness {
  /** Before each test: a fresh, empty store. */
  reset(): Promise<void>;
  store(): LogStore;
  /** Appends complete lines to a log, the way a deployment's writer does, and waits until they are stored. */
  append(key: string, text: string): Promise<void>;
  /** Writes a log's metadata, the way the metadata sink does. */
  setMeta(key: string, meta: LogMeta): Promise<void>;
  /** After each test. */
  cleanup(): Promise<void>;
}

const KEY = "Codertocat/Hello-World/42";

export function logMeta(finished: boolean, updatedAt = 2): LogMeta {
  return {
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
    updatedAt,
  };
}

export function describeLogStoreContract(name: string, harness: LogStoreHarness): void {
  describe(`${name} keeps the LogStore contract`, () => {
    let store: LogStore;
    beforeEach(async () => {
      await harness.reset();
      store = harness.store();
    });
    afterEach(() => harness.cleanup());

    /** Every read from `from` until finished, `maxBytes` at a time. */
    async function readAll(from: number, maxBytes: number) {
      const chunks = [];
      for (let next = from, finished = false; !finished; ) {
        const chunk = await store.read(KEY, next, maxBytes);
        if (chunk === undefined) throw new Error("the log went away");
        chunks.push(chunk);
        next = chunk.next;
        finished = chunk.finished;
      }
      return chunks;
    }

    it("hands out complete lines and the byte offset after them", async () => {
      await harness.append(KEY, "one\ntwo\n");
      await harness.setMeta(KEY, logMeta(false));
      expect(await store.read(KEY, 0)).toEqual({ text: "one\ntwo\n", next: 8, finished: false });
    });

    it("resumes at the offset it returned, with only what was written since", async () => {
      await harness.append(KEY, "one\ntwo\n");
      await harness.setMeta(KEY, logMeta(false));
      const first = await store.read(KEY, 0);
      expect(await store.read(KEY, first?.next ?? -1)).toEqual({ text: "", next: 8, finished: false });
      await harness.append(KEY, "three\nfour\n");
      expect(await store.read(KEY, first?.next ?? -1)).toEqual({ text: "three\nfour\n", next: 19, finished: false });
    });

    it("reads about maxBytes at a time, never cutting a line, so reading on gives every line once", async () => {
      const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${"x".repeat(i)}`);
      for (let at = 0; at < lines.length; at += 7) await harness.append(KEY, lines.slice(at, at + 7).map((line) => `${line}\n`).join(""));
      await harness.setMeta(KEY, logMeta(true));
      const chunks = await readAll(0, 100);
      for (const chunk of chunks) {
        expect(chunk.text.endsWith("\n")).toBe(true);
        expect(Buffer.byteLength(chunk.text)).toBeLessThanOrEqual(100);
      }
      expect(chunks.length).toBeGreaterThan(10);
      expect(chunks.flatMap((chunk) => chunk.text.split("\n").slice(0, -1))).toEqual(lines);
      expect(chunks.map((chunk) => chunk.finished)).toEqual([...chunks.slice(1).map(() => false), true]);
    });

    it("reads a line longer than maxBytes whole", async () => {
      await harness.append(KEY, `${"y".repeat(1000)}\nshort\n`);
      await harness.setMeta(KEY, logMeta(false));
      expect(await store.read(KEY, 0, 64)).toEqual({ text: `${"y".repeat(1000)}\n`, next: 1001, finished: false });
      expect(await store.read(KEY, 1001, 64)).toEqual({ text: "short\n", next: 1007, finished: false });
    });

    it("counts offsets in UTF-8 bytes, so lines of several-byte characters resume where they stopped", async () => {
      await harness.append(KEY, "héllo wörld\n日本語\n");
      await harness.setMeta(KEY, logMeta(true));
      expect(await store.read(KEY, 0, 14)).toEqual({ text: "héllo wörld\n", next: 14, finished: false });
      expect(await store.read(KEY, 14)).toEqual({ text: "日本語\n", next: 24, finished: true });
    });

    it("says finished only on the read that reaches the end of a finished deployment's log", async () => {
      await harness.append(KEY, "one\ntwo\n");
      await harness.setMeta(KEY, logMeta(true));
      expect(await store.read(KEY, 0, 4)).toEqual({ text: "one\n", next: 4, finished: false });
      expect(await store.read(KEY, 4, 4)).toEqual({ text: "two\n", next: 8, finished: true });
      expect(await store.read(KEY, 8)).toEqual({ text: "", next: 8, finished: true });
    });

    it("is not finished while the deployment runs, and is once its metadata says so", async () => {
      await harness.append(KEY, "one\n");
      await harness.setMeta(KEY, logMeta(false));
      expect(await store.read(KEY, 4)).toEqual({ text: "", next: 4, finished: false });
      await harness.append(KEY, "last\n");
      await harness.setMeta(KEY, logMeta(true));
      expect(await store.read(KEY, 4)).toEqual({ text: "last\n", next: 9, finished: true });
    });

    it("knows no log that has neither lines nor metadata", async () => {
      await harness.append("Codertocat/Hello-World/41", "another deployment's line\n");
      expect(await store.read(KEY, 0)).toBeUndefined();
      expect(await store.info(KEY)).toBeUndefined();
    });

    it("has an empty, unfinished log for a deployment that is queued and has printed nothing yet", async () => {
      await harness.setMeta(KEY, logMeta(false));
      expect(await store.read(KEY, 0)).toEqual({ text: "", next: 0, finished: false });
      expect(await store.info(KEY)).toEqual({ meta: logMeta(false), size: 0, updatedAt: expect.any(Number) });
    });

    it("treats an offset past the end as the end", async () => {
      await harness.append(KEY, "one\n");
      await harness.setMeta(KEY, logMeta(false));
      expect(await store.read(KEY, 400)).toEqual({ text: "", next: 4, finished: false });
    });

    it("gives the log's size in bytes, its metadata, and when it was last written", async () => {
      await harness.setMeta(KEY, logMeta(true));
      const before = Date.now();
      await harness.append(KEY, "one\nzwö\n");
      const after = Date.now();
      const info = await store.info(KEY);
      expect(info).toMatchObject({ size: 9, meta: { who: "octocat", finished: true } });
      // A filesystem's clock is coarser than Date.now: a second either way.
      expect(info?.updatedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(info?.updatedAt).toBeLessThanOrEqual(after + 1000);
    });

    it("counts metadata written after the lines as the last write", async () => {
      await harness.append(KEY, "one\n");
      const later = Date.now() + 3_600_000;
      await harness.setMeta(KEY, logMeta(true, later));
      expect((await store.info(KEY))?.updatedAt).toBe(later);
    });
  });
}
