import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentJob } from "../../src/core/job.js";
import { importParked } from "../../src/queue/import-parked.js";
import { tempDir } from "../helpers/git-repo.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir("heaven-import-parked-");
  mkdirSync(join(dir.path, "parked"));
});
afterEach(() => dir.remove());

/** What the heaven before the journal wrote for a deployment waiting for CI (src/deploy/parking-lot.ts). */
const oldRecord = {
  request: {
    id: "1234",
    repository: { fullName: "octo/app", cloneUrl: "https://github.com/octo/app.git" },
    environment: "production",
    ref: "main",
    sha: "d".repeat(40),
    task: "deploy",
    force: false,
    creator: "alice",
    defaultBranch: "main",
    requiredContexts: ["ci/test"],
  },
  deadline: 1_800_000_000_000,
  resume: { installationId: 42, owner: "octo", repo: "app", deploymentId: 1234 },
};

describe("importParked", () => {
  it("turns an older heaven's parked deployments into jobs, keeping their CI deadline, and removes the files", async () => {
    writeFileSync(join(dir.path, "parked", "octo__app__1234.json"), JSON.stringify(oldRecord));
    const enqueued: DeploymentJob[] = [];
    const result = await importParked(dir.path, { enqueue: async (job) => (enqueued.push(job), { kind: "added", position: undefined }) });
    expect(result).toEqual({ imported: 1, skipped: [] });
    expect(enqueued).toEqual([
      {
        key: "github:deployment:1234",
        lane: "octo/app#production",
        request: oldRecord.request,
        origin: { kind: "github", installationId: 42, owner: "octo", repo: "app", deploymentId: 1234 },
        acceptedAt: expect.any(Number),
        ciDeadline: 1_800_000_000_000,
      },
    ]);
    expect(readdirSync(join(dir.path, "parked"))).toEqual([]);
  });

  it("reports and removes a file it cannot read, and does nothing without the directory", async () => {
    writeFileSync(join(dir.path, "parked", "octo__app__0.json"), '{"request": {"id"');
    writeFileSync(join(dir.path, "parked", "octo__app__1.json"), JSON.stringify({ ...oldRecord, resume: { installationId: "x" } }));
    const result = await importParked(dir.path, { enqueue: async () => ({ kind: "duplicate" }) });
    expect(result.imported).toBe(0);
    expect(result.skipped).toEqual([expect.stringMatching(/^parked\/octo__app__0\.json: not JSON; skipped$/), expect.stringMatching(/^parked\/octo__app__1\.json: origin/)]);
    expect(existsSync(join(dir.path, "parked", "octo__app__0.json"))).toBe(false);
    expect(await importParked(join(dir.path, "nowhere"), { enqueue: async () => ({ kind: "duplicate" }) })).toEqual({ imported: 0, skipped: [] });
  });
});
