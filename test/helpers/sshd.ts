/**
 * A real OpenSSH server for end-to-end provider tests: its own host key,
 * authorized_keys and client key in a temp directory, listening on
 * 127.0.0.1 only, logging in as the user the tests run as. The test gets
 * the client key and a known_hosts line, as an operator would configure
 * DEPLOYMENT_PRIVATE_KEY and HEAVEN_KNOWN_HOSTS.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./heaven-server.js";

export const SSHD = "/usr/sbin/sshd";

export interface Sshd {
  host: "127.0.0.1";
  port: number;
  user: string;
  /** `user@127.0.0.1:port`, as Fabric and most configs write a host. */
  target: string;
  /** The client's private key file and its content (DEPLOYMENT_PRIVATE_KEY). */
  clientKeyFile: string;
  clientKey: string;
  /** known_hosts content for this server (HEAVEN_KNOWN_HOSTS). */
  knownHosts: string;
  /** A known_hosts line with another key for this server: a changed host key. */
  wrongKnownHosts: string;
  stop(): Promise<void>;
}

function keygen(file: string): string {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "heaven-test", "-f", file]);
  return readFileSync(`${file}.pub`, "utf8").trim();
}

export async function startSshd(dir: string): Promise<Sshd> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostPublic = keygen(join(dir, "host_key"));
  const otherHostPublic = keygen(join(dir, "other_host_key"));
  const clientPublic = keygen(join(dir, "client_key"));
  writeFileSync(join(dir, "authorized_keys"), `${clientPublic}\n`, { mode: 0o600 });
  const port = await freePort();
  const user = userInfo().username;
  const config = [
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${join(dir, "host_key")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin prohibit-password",
    "StrictModes no",
    "UsePAM no",
    "PrintMotd no",
    "AllowTcpForwarding no",
    "X11Forwarding no",
    "LogLevel INFO",
    "Subsystem sftp internal-sftp",
  ].join("\n");
  writeFileSync(join(dir, "sshd_config"), `${config}\n`);
  // sshd started by root wants its privilege-separation directory.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const child = spawn(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  await listening(child);
  const key = (line: string) => line.split(" ").slice(0, 2).join(" ");
  return {
    host: "127.0.0.1",
    port,
    user,
    target: `${user}@127.0.0.1:${port}`,
    clientKeyFile: join(dir, "client_key"),
    clientKey: readFileSync(join(dir, "client_key"), "utf8"),
    knownHosts: `[127.0.0.1]:${port} ${key(hostPublic)}\n`,
    wrongKnownHosts: `[127.0.0.1]:${port} ${key(otherHostPublic)}\n`,
    stop: () => stop(child),
  };
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Server listening on 127\.0\.0\.1/.test(output)) {
        child.stderr?.off("data", onData);
        child.stderr?.resume(); // keep draining, so sshd never blocks on its log
        resolve();
      }
    };
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`sshd exited ${code} before listening:\n${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
