/**
 * What a failed Octokit request tells the retry policy: its status, the
 * response headers and the message. Octokit reports a request that got no
 * answer (refused, reset, timed out) as a 500 carrying the fetch error as
 * `cause`; that is read as no status, so the log says "no answer", not 500.
 */
import { z } from "zod";
import type { FailedRequest } from "../decisions/retry-policy.js";

const requestErrorShape = z.object({
  status: z.number().optional(),
  message: z.string().optional(),
  name: z.string().optional(),
  cause: z.unknown().optional(),
  response: z.object({ headers: z.record(z.string(), z.unknown()) }).optional(),
});

export function readRequestFailure(error: unknown): FailedRequest {
  const parsed = requestErrorShape.safeParse(error);
  if (!parsed.success) return { status: undefined, headers: {}, message: String(error) };
  const { status, message, name, cause, response } = parsed.data;
  const headers: Record<string, string> = {};
  for (const [header, value] of Object.entries(response?.headers ?? {})) {
    if (value !== undefined && value !== null) headers[header.toLowerCase()] = String(value);
  }
  const unanswered = status === undefined || status === 0 || name === "AbortError" || (status === 500 && cause !== undefined && response === undefined);
  return { status: unanswered ? undefined : status, headers, message: message ?? String(error) };
}

/** A write that got no answer or a 5xx may have been made all the same. */
export function mayHaveLanded(failure: FailedRequest): boolean {
  return failure.status === undefined || failure.status >= 500;
}
