/**
 * DeploymentLog's tee (scale-out mode's way to PostgreSQL): it gets exactly
 * the bytes the file gets — stamped, masked, capped — and is closed with
 * the log (whose close resolves once the tee's has).
 */
import { afterEach, beforeEach, expect, it } from "@jest/globals";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LogAppender } from "../../src/core/log-store.js";
import { DeploymentLog } from "../../src/engine/deployment-log.js";
import { tempDir } from "../helpers/git-repo.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir("heaven-log-tee-")));
afterEach(() => tmp.remove());

/** A tee that keeps what it is given, and whose close finishes only when the test says. */
function recordingTee() {
  const chunks: Buffer[] = [];
  let finish = () => undefined as void;
  const tee: LogAppender & { closed: boolean } = {
    closed: false,
    append: (lines) => void chunks.push(lines),
    close: () => new Promise<void>((resolve) => (finish = () => ((tee.closed = true), resolve()))),
  };
  return { tee, text: () => Buffer.concat(chunks).toString("utf8"), finish: () => finish() };
}

it("hands the tee every byte the file gets, secrets masked, and closes it with the log", async () => {
  const path = join(tmp.path, "a.log");
  const { tee, text, finish } = recordingTee();
  const log = await DeploymentLog.open(path, { secrets: ["tok-987"], tee });
  await log.output(Buffer.from("using tok-987\nno line break at the end"), "stdout");
  log.note("failure: script/deploy exited 1");
  const closing = log.close();
  finish();
  await closing;
  expect(tee.closed).toBe(true);
  expect(text()).toBe(await readFile(path, "utf8"));
  expect(text()).not.toContain("tok-987");
  expect(text()).toContain("no line break at the end\n");
});

it("hands the tee a capped log's head, marker and tail, as the file has them", async () => {
  const path = join(tmp.path, "capped.log");
  const { tee, text, finish } = recordingTee();
  const log = await DeploymentLog.open(path, { secrets: [], tee, maxBytes: 1_000 });
  for (let i = 0; i < 100; i += 1) await log.output(Buffer.from(`line ${i}\n`), "stdout");
  const closing = log.close();
  finish();
  await closing;
  expect(text()).toContain("of output dropped here");
  expect(text()).toBe(await readFile(path, "utf8"));
});
