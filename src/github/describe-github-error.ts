/**
 * What went wrong talking to GitHub, in words that name the real cause.
 * Octokit reports a connection that failed (refused, DNS, TLS, timeout) as
 * HTTP 500 with the network error underneath: say "could not reach GitHub"
 * and which error, not "HTTP 500".
 */
import { isObject } from "../core/json.js";

/** The system error code (ECONNREFUSED, ENOTFOUND, …) somewhere in the cause chain, with its message. */
function networkCause(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; isObject(current) && depth < 5; current = current.cause, depth++) {
    const code = current.code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+|CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_[A-Z_]+)$/.test(code)) {
      return typeof current.message === "string" && current.message !== "" ? current.message : code;
    }
  }
  return undefined;
}

/** The HTTP status of an Octokit RequestError; undefined when there is none (no answer, or not a request error). */
export function statusOf(error: unknown): number | undefined {
  return isObject(error) && typeof error.status === "number" ? error.status : undefined;
}

export function describeGitHubError(error: unknown): string {
  const network = networkCause(error);
  if (network !== undefined) return `could not reach GitHub (${network})`;
  const status = statusOf(error);
  const message = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
  return typeof status === "number" ? `GitHub answered HTTP ${status}${message !== "" ? ` (${message})` : ""}` : message;
}

/** True when the error came from GitHub's side of the wire (an HTTP answer or no answer), not from parsing what it sent. */
export function isGitHubUnavailable(error: unknown): boolean {
  return networkCause(error) !== undefined || statusOf(error) !== undefined;
}
