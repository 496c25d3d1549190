/**
 * heaven's real server sweeps at start: an old log (and its metadata) and
 * an old checkout a crash left behind are gone, young ones stay, and it
 * says so in one line.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Workspaces } from "../../src/engine/workspace.js";
import { createRepo, tempDir } from "../helpers/git-repo.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startHeaven } from "../helpers/heaven-server.js";

const DAY = 86_400_000;

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;

beforeAll(async () => {
  tmp = tempDir("heaven-retention-e2e-");
  github = new FakeGitHub();
  await github.start();
});

afterAll(async () => {
  await github?.stop();
  tmp?.remove();
});

function aged(path: string, days: number): string {
  const when = new Date(Date.now() - days * DAY);
  utimesSync(path, when, when);
  return path;
}

describe("the retention sweep at start", () => {
  it("removes logs and left-over checkouts older than HEAVEN_LOG_RETENTION_DAYS and logs what it removed", async () => {
    const dataDir = join(tmp.path, "data");
    const logs = join(dataDir, "logs", "octo", "app");
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, "1.log"), "old\n");
    writeFileSync(join(logs, "1.meta.json"), "{}");
    writeFileSync(join(logs, "2.log"), "young\n");
    const old = [aged(join(logs, "1.log"), 10), aged(join(logs, "1.meta.json"), 10)];
    aged(join(logs, "2.log"), 2);
    // A checkout an earlier heaven never released (it crashed).
    const origin = createRepo(tmp.path, "origin", { VERSION: "1\n" });
    const left = await new Workspaces(dataDir, { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp.path }).checkout({ repository: "octo/app", cloneUrl: origin.dir, sha: origin.sha });
    if (left.kind !== "ready") throw new Error(left.message);
    aged(left.dir, 10);

    const heaven = await startHeaven({ githubHost: github.host, dataDir, env: { HEAVEN_LOG_RETENTION_DAYS: "7" } });
    try {
      await heaven.waitForOutput(/retention \(7 days\): removed 1 deployment log and 1 checkout, /);
    } finally {
      expect(await heaven.stop()).toBe(0);
    }
    for (const path of [...old, left.dir]) expect(existsSync(path)).toBe(false);
    expect(existsSync(join(logs, "2.log"))).toBe(true);
  });
});
