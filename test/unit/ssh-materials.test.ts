import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { prepareSsh } from "../../src/engine/ssh-materials.js";

describe("prepareSsh", () => {
  it("writes the key and known hosts as private files that ssh is told to use strictly", async () => {
    const prepared = await prepareSsh({ privateKey: "KEY", knownHosts: "[h]:22 ssh-ed25519 AAAA" });
    const { identityFile, knownHostsFile, sshArgs } = prepared.materials;
    expect(identityFile && statSync(identityFile).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(identityFile ?? "")).mode & 0o777).toBe(0o700);
    expect(readFileSync(knownHostsFile ?? "", "utf8")).toBe("[h]:22 ssh-ed25519 AAAA\n");
    expect(sshArgs).toEqual(expect.arrayContaining(["StrictHostKeyChecking=yes", "BatchMode=yes", "IdentitiesOnly=yes", "-i", identityFile]));
    expect(prepared.env).toMatchObject({ DEPLOY_SSH_KEY_FILE: identityFile, DEPLOY_KNOWN_HOSTS_FILE: knownHostsFile });
    await prepared.release();
    expect(existsSync(dirname(identityFile ?? ""))).toBe(false);
  });

  it("leaves git and ssh to the user's own setup when heaven has neither", async () => {
    const prepared = await prepareSsh({ privateKey: undefined, knownHosts: undefined });
    expect(prepared.env).toEqual({});
    expect(prepared.materials).toMatchObject({ identityFile: undefined, knownHostsFile: undefined });
    await prepared.release();
  });
});
