/**
 * The token the command line acts with: the person's own, so GitHub decides
 * what they may do and records them as the deployment's creator. Looked for
 * where gh looks (same order), then asked of gh itself. Never printed, never
 * put in argv.
 */
import { execa } from "execa";

export type TokenSource = { ok: true; token: string; from: string } | { ok: false; message: string };

/** Variables in the order gh reads them; the Enterprise ones only for a host other than github.com. */
export function tokenVariables(host: string): string[] {
  const general = ["GH_TOKEN", "GITHUB_TOKEN"];
  return host === "github.com" ? general : ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", ...general];
}

export function tokenFromEnv(env: NodeJS.ProcessEnv, host: string): { token: string; from: string } | undefined {
  for (const name of tokenVariables(host)) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== "") return { token: value, from: name };
  }
  return undefined;
}

/** What asking gh answered: its token, or why not (not installed, not logged in). */
export type GhAnswer = { kind: "token"; token: string } | { kind: "missing" } | { kind: "failed"; message: string };

/** `gh auth token --hostname <host>`: argv only, no shell; the token comes back on stdout, never through a log. */
export async function askGh(host: string): Promise<GhAnswer> {
  try {
    const result = await execa("gh", ["auth", "token", "--hostname", host], { reject: false, timeout: 10_000, stdin: "ignore" });
    if (result.failed && (result as { code?: string }).code === "ENOENT") return { kind: "missing" };
    const token = String(result.stdout ?? "").trim();
    if (result.exitCode === 0 && token !== "") return { kind: "token", token };
    const said = String(result.stderr ?? "").trim().split("\n")[0] ?? "";
    return { kind: "failed", message: said === "" ? `gh exited with ${result.exitCode ?? "a signal"}` : said };
  } catch {
    return { kind: "missing" };
  }
}

export async function resolveToken(env: NodeJS.ProcessEnv, host: string, ask: (host: string) => Promise<GhAnswer> = askGh): Promise<TokenSource> {
  const fromEnv = tokenFromEnv(env, host);
  if (fromEnv !== undefined) return { ok: true, ...fromEnv };
  const answer = await ask(host);
  if (answer.kind === "token") return { ok: true, token: answer.token, from: "gh auth token" };
  const set = tokenVariables(host).join(" or ");
  const why = answer.kind === "missing" ? "gh is not installed" : `gh auth token failed: ${answer.message}`;
  return { ok: false, message: `no GitHub token for ${host}: set ${set}, or log in with gh auth login${host === "github.com" ? "" : ` --hostname ${host}`} (${why})` };
}
