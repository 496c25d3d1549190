import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppendLog } from "../../src/engine/append-log.js";
import { tempDir } from "../helpers/git-repo.js";

interface Entry {
  n: number;
}

const parseEntry = (value: unknown) =>
  typeof value === "object" && value !== null && typeof (value as { n?: unknown }).n === "number"
    ? { ok: true as const, value: value as Entry }
    : { ok: false as const, error: "not an entry" };

let dir: ReturnType<typeof tempDir>;
let file: string;

beforeEach(() => {
  dir = tempDir("heaven-append-log-");
  file = join(dir.path, "state", "log.jsonl");
});

afterEach(() => dir.remove());

describe("AppendLog", () => {
  it("starts empty when there is no file, creating its directory, and keeps the file private", async () => {
    const { log, records, skipped } = await AppendLog.open(file, parseEntry);
    expect({ records, skipped }).toEqual({ records: [], skipped: [] });
    await log.append({ n: 1 });
    await log.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("reads back what was appended, in order, after a reopen", async () => {
    const first = await AppendLog.open(file, parseEntry);
    await Promise.all([1, 2, 3].map((n) => first.log.append({ n })));
    await first.log.append({ n: 4 });
    await first.log.close();
    const again = await AppendLog.open(file, parseEntry);
    expect(again.records).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(again.log.lines).toBe(4);
    await again.log.close();
  });

  it("has every line on disk when an append resolves", async () => {
    const { log } = await AppendLog.open(file, parseEntry);
    const appends = Array.from({ length: 50 }, (_, n) => log.append({ n }));
    await appends[49];
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(50);
    await log.close();
  });

  it("skips a torn last line and lines it cannot read, says which, and appends cleanly after them", async () => {
    const { log } = await AppendLog.open(file, parseEntry);
    await log.append({ n: 1 });
    await log.close();
    appendFileSync(file, '{"n": "two"}\nnot json at all\n{"n": 3}\n{"n": 4, "cut sh');

    const read = await AppendLog.open(file, parseEntry);
    expect(read.records).toEqual([{ n: 1 }, { n: 3 }]);
    expect(read.skipped).toEqual([
      "line 2: not an entry; skipped",
      "line 3: not JSON; skipped",
      "line 5: cut short (written when the process died); skipped",
    ]);
    await read.log.append({ n: 5 });
    await read.log.close();
    const again = await AppendLog.open(file, parseEntry);
    expect(again.records).toEqual([{ n: 1 }, { n: 3 }, { n: 5 }]);
    await again.log.close();
  });

  it("reads a damaged file as nothing rather than failing", async () => {
    const { log } = await AppendLog.open(file, parseEntry);
    await log.close();
    writeFileSync(file, Buffer.from([0, 159, 146, 150, 10, 255, 254, 10]));
    const read = await AppendLog.open(file, parseEntry);
    expect(read.records).toEqual([]);
    expect(read.skipped).toHaveLength(2);
    await read.log.close();
  });

  it("rewrites the file atomically, and appends made during a rewrite land after it", async () => {
    const { log } = await AppendLog.open(file, parseEntry);
    for (let n = 0; n < 10; n++) await log.append({ n });
    const rewriting = log.rewrite([{ n: 100 }]);
    const during = log.append({ n: 101 });
    await Promise.all([rewriting, during]);
    await log.append({ n: 102 });
    await log.close();
    const read = await AppendLog.open(file, parseEntry);
    expect(read.records).toEqual([{ n: 100 }, { n: 101 }, { n: 102 }]);
    await read.log.close();
  });

  it("compacts in the background once it holds more lines than asked, one compaction at a time, and close waits for it", async () => {
    const { log } = await AppendLog.open(file, parseEntry);
    for (let n = 0; n < 5; n++) await log.append({ n });
    expect(log.compactWhenLonger(5, () => [{ n: 99 }], () => undefined)).toBeUndefined();
    await log.append({ n: 5 });
    const compaction = log.compactWhenLonger(5, () => [{ n: 99 }], () => undefined);
    expect(compaction).toBeDefined();
    expect(log.compactWhenLonger(0, () => [{ n: 98 }], () => undefined)).toBeUndefined();
    await log.append({ n: 100 });
    await log.close();
    const read = await AppendLog.open(file, parseEntry);
    expect(read.records).toEqual([{ n: 99 }, { n: 100 }]);
    await read.log.close();
  });

  it("refuses appends once closed", async () => {
    const { log } = await AppendLog.open(file, parseEntry);
    await log.close();
    await expect(log.append({ n: 1 })).rejects.toThrow(/is closed/);
  });
});
