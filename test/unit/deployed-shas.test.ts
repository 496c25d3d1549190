/** What each environment last deployed, kept on disk across restarts. */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeployedShas } from "../../src/notify/deployed-shas.js";
import { tempDir } from "../helpers/git-repo.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
let tmp: ReturnType<typeof tempDir>;
let file: string;
const errors: unknown[] = [];

beforeEach(() => {
  tmp = tempDir("heaven-deployed-");
  file = join(tmp.path, "data", "deployed-shas.json");
  errors.length = 0;
});
afterEach(() => tmp.remove());

describe("DeployedShas", () => {
  it("remembers the last sha per repository and environment, and a restarted heaven still knows it", async () => {
    const shas = DeployedShas.open(file, (error) => errors.push(error));
    expect(shas.get("octo/app#production")).toBeUndefined();
    shas.record("octo/app#production", A, 1);
    shas.record("octo/app#staging", A, 2);
    shas.record("octo/app#production", B, 3);
    expect(shas.get("octo/app#production")).toBe(B);
    await shas.flushed();
    const reopened = DeployedShas.open(file, (error) => errors.push(error));
    expect([reopened.get("octo/app#production"), reopened.get("octo/app#staging"), reopened.get("octo/other#production")]).toEqual([B, A, undefined]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(errors).toEqual([]);
  });

  it("starts empty from a file it cannot read, and says so", async () => {
    writeFileSync(join(tmp.path, "bad.json"), "{ not json");
    const shas = DeployedShas.open(join(tmp.path, "bad.json"), (error) => errors.push(error));
    expect(shas.get("octo/app#production")).toBeUndefined();
    expect(errors).toHaveLength(1);
    shas.record("octo/app#production", A, 1);
    await shas.flushed();
    expect(JSON.parse(readFileSync(join(tmp.path, "bad.json"), "utf8"))).toEqual({ "octo/app#production": { sha: A, at: 1 } });
  });

  it("forgets the environments deployed longest ago beyond ten thousand", async () => {
    const shas = DeployedShas.open(file, () => undefined);
    for (let i = 0; i <= 10_000; i++) shas.record(`octo/app-${i}#production`, A, i);
    expect(shas.get("octo/app-0#production")).toBeUndefined();
    expect(shas.get("octo/app-1#production")).toBe(A);
    expect(shas.get("octo/app-10000#production")).toBe(A);
    await shas.flushed();
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")) as object)).toHaveLength(10_000);
  });
});
