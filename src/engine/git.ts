/**
 * git, run through the one process module. Credentials reach git only
 * through its environment (`GIT_CONFIG_*` variables: a header for the
 * repository's host and a credential helper that reads HEAVEN_GIT_TOKEN),
 * never argv, a URL or a config file, and git never stops to ask for a password.
 */
import { runProcess, type ProcessResult } from "./run-process.js";

const CAPTURE_LIMIT = 1024 * 1024;

export interface GitResult {
  ok: boolean;
  result: ProcessResult;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  cwd: string;
  baseEnv: Readonly<Record<string, string>>;
  token?: string | undefined;
  /** The remote the token is for; required with a token. */
  remoteUrl?: string | undefined;
  timeoutMs?: number;
}

const CREDENTIAL_HELPER =
  '!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" "$HEAVEN_GIT_TOKEN"; }; f';

/** `https://host[:port]` of an http(s) URL: the only place a token may be offered to. */
function credentialScope(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

export function gitEnvironment(
  baseEnv: Readonly<Record<string, string>>,
  token: string | undefined,
  remoteUrl?: string,
): Record<string, string> {
  const env: Record<string, string> = {
    ...baseEnv,
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const scope = credentialScope(remoteUrl);
  if (token !== undefined && scope !== undefined) {
    // An empty helper first resets any helper the machine configured; the
    // token is offered to the repository's host only, never to a redirect
    // elsewhere. The header sends it with the first request, sparing the
    // round trip of a 401 challenge; the helper answers one if it comes anyway.
    const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
    Object.assign(env, {
      HEAVEN_GIT_TOKEN: token,
      GIT_CONFIG_COUNT: "3",
      GIT_CONFIG_KEY_0: "credential.helper",
      GIT_CONFIG_VALUE_0: "",
      GIT_CONFIG_KEY_1: `credential.${scope}.helper`,
      GIT_CONFIG_VALUE_1: CREDENTIAL_HELPER,
      GIT_CONFIG_KEY_2: `http.${scope}/.extraHeader`,
      GIT_CONFIG_VALUE_2: `Authorization: Basic ${basic}`,
    });
  }
  return env;
}

function capture(into: { text: string }, chunk: Buffer): void {
  if (into.text.length < CAPTURE_LIMIT) into.text += chunk.toString("utf8");
}

export async function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  const stdout = { text: "" };
  const stderr = { text: "" };
  const result = await runProcess(
    { file: "git", args, env: gitEnvironment(options.baseEnv, options.token, options.remoteUrl), cwd: options.cwd },
    {
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
      onOutput: (chunk, stream) => capture(stream === "stdout" ? stdout : stderr, chunk),
    },
  );
  const ok = result.kind === "exited" && result.exitCode === 0;
  return { ok, result, stdout: stdout.text, stderr: stderr.text };
}

/** The last meaningful line git printed, for an error message. */
export function gitComplaint(outcome: GitResult): string {
  const lines = outcome.stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const fatal = lines.find((l) => l.startsWith("fatal:")) ?? lines.at(-1);
  if (fatal !== undefined) return fatal;
  return outcome.result.kind === "timed-out" ? "git timed out" : `git ${outcome.result.kind}`;
}
