/**
 * The deploy key and known hosts of one deployment as files: a private
 * directory outside the checkout (so nothing lands in ~/.ssh or in the
 * repository), 0600 files, removed when the deployment ends. Tools get them
 * by option (`ssh -i`, `-o UserKnownHostsFile`) or through the environment.
 */
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SshMaterials } from "../core/provider.js";
import { shellQuote } from "../decisions/shell-quote.js";

export interface SshSettings {
  /** Content of DEPLOYMENT_PRIVATE_KEY. */
  privateKey: string | undefined;
  /** Content of HEAVEN_KNOWN_HOSTS. */
  knownHosts: string | undefined;
}

export interface PreparedSsh {
  materials: SshMaterials;
  /** GIT_SSH_COMMAND and the files' paths, for every process of the deployment. */
  env: Record<string, string>;
  release(): Promise<void>;
}

/** `owner`: the user providers run as (HEAVEN_RUN_AS) owns the files, so it alone can read them. */
export async function prepareSsh(settings: SshSettings, owner?: { uid: number; gid: number }): Promise<PreparedSsh> {
  const dir = await mkdtemp(join(tmpdir(), "heaven-ssh-"));
  const write = async (name: string, content: string | undefined) => {
    if (content === undefined) return undefined;
    const path = join(dir, name);
    await writeFile(path, content.endsWith("\n") ? content : `${content}\n`, { mode: 0o600 });
    if (owner !== undefined) await chown(path, owner.uid, owner.gid);
    return path;
  };
  let identityFile: string | undefined;
  let knownHostsFile: string | undefined;
  try {
    identityFile = await write("id_deploy", settings.privateKey);
    knownHostsFile = await write("known_hosts", settings.knownHosts);
    // Last: while root writes into it, the run-as user must not be able to plant a symlink there.
    if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const sshArgs = [
    "-o", "BatchMode=yes",
    "-o", "StrictHostKeyChecking=yes",
    "-o", "ConnectTimeout=10",
    ...(knownHostsFile === undefined ? [] : ["-o", `UserKnownHostsFile="${knownHostsFile}"`]),
    ...(identityFile === undefined ? [] : ["-o", "IdentitiesOnly=yes", "-i", identityFile]),
  ];
  // Without either file, git and ssh keep the user's own setup.
  const env: Record<string, string> = {};
  if (identityFile !== undefined || knownHostsFile !== undefined) env.GIT_SSH_COMMAND = ["ssh", ...sshArgs].map(shellQuote).join(" ");
  if (identityFile !== undefined) env.DEPLOY_SSH_KEY_FILE = identityFile;
  if (knownHostsFile !== undefined) env.DEPLOY_KNOWN_HOSTS_FILE = knownHostsFile;
  return {
    materials: { identityFile, knownHostsFile, sshArgs },
    env,
    release: () => rm(dir, { recursive: true, force: true }),
  };
}
