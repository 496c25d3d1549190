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

// What every store does is the LogStore contract (test/contract/log-store.contract.ts, run in file-log-store-contract.test.ts);
// here is what only the files do: half-written lines, and logs of a heaven that kept no metadata.
describe("FileLogStore.read", () => {
  it("resumes at the offset it returned, with the line that was unfinished once it is whole", async () => {
    writeLog("one\ntwo\nthr");
    writeMeta(false);
    const first = await store.read(KEY, 0);
    expect(await store.read(KEY, first?.next ?? -1)).toEqual({ text: "", next: 8, finished: false });
    appendFileSync(logFile(), "ee\nfour\n");
    expect(await store.read(KEY, first?.next ?? -1)).toEqual({ text: "three\nfour\n", next: 19, finished: false });
  });

  it("hands out the last line of a finished log even without its line break", async () => {
    writeLog("one\ntail without a newline");
    writeMeta(true);
    expect(await store.read(KEY, 0)).toEqual({ text: "one\ntail without a newline", next: 26, finished: true });
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

});
