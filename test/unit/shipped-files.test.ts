import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shippedFile, unreadableFor } from "../../providers/shipped-files.js";
import { tempDir } from "../helpers/git-repo.js";

const NOBODY = 65534;
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir("heaven-shipped-");
  chmodSync(tmp.path, 0o755);
});
afterAll(() => tmp.remove());

describe("heaven's shipped files", () => {
  it("are found under providers/ of the project", () => {
    const checkout = join(tmp.path, "checkout");
    mkdirSync(checkout);
    expect(shippedFile(checkout, "fabric", "sitecustomize.py")).toMatchObject({ ok: true, path: expect.stringMatching(/\/providers\/fabric\/sitecustomize\.py$/) });
    expect(shippedFile(checkout, "fabric", "missing.py")).toEqual({ ok: false, message: "heaven's providers/fabric/missing.py is missing from its installation; reinstall heaven" });
  });

  it("name the file or directory another deploy user cannot get through", () => {
    const dir = join(tmp.path, "private");
    mkdirSync(dir, { mode: 0o755 });
    const file = join(dir, "module.py");
    writeFileSync(file, "", { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(unreadableFor(file, NOBODY)).toBe(file);
    chmodSync(file, 0o644);
    expect(unreadableFor(file, NOBODY)).toBeUndefined();
    chmodSync(dir, 0o700);
    expect(unreadableFor(file, NOBODY)).toBe(dir);
    // heaven's own user (no HEAVEN_RUN_AS) reads what it installed.
    expect(unreadableFor(file, process.getuid?.())).toBeUndefined();
  });
});
