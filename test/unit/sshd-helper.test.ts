import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd, type Sshd } from "../helpers/sshd.js";

describe("the test sshd", () => {
  let dir: string;
  let sshd: Sshd;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sshd-"));
    sshd = await startSshd(join(dir, "server"));
  });
  afterAll(async () => {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a command for the client key when the host key is known", () => {
    writeFileSync(join(dir, "known"), sshd.knownHosts);
    const out = execFileSync("ssh", ["-p", String(sshd.port), "-i", sshd.clientKeyFile, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${join(dir, "known")}`, `${sshd.user}@127.0.0.1`, "echo hello"]);
    expect(out.toString()).toBe("hello\n");
  });
});
