/**
 * Reads that cost GitHub's rate limit as little as they can: every GET of an
 * Octokit goes out with the ETag of its last answer (If-None-Match), and a
 * 304 — which GitHub does not count against the primary limit — is answered
 * from the kept copy; an answer younger than `ttlMs` is reused without asking
 * at all, so a dashboard refreshed by several people costs one read a TTL.
 *
 * Added as the Octokit's outermost request hook, so a fresh answer makes no
 * request, mints no token and waits for no throttle.
 */
import type { ProbotOctokit } from "probot";

export interface ConditionalOptions {
  /** How long an answer is reused without asking GitHub. */
  ttlMs: number;
  /** Answers kept (oldest forgotten first). Default 500. */
  maxEntries?: number;
  now?: () => number;
}

/** The slice of an Octokit this needs: its request hook and its endpoint parser. */
export type HookableOctokit = Pick<InstanceType<typeof ProbotOctokit>, "hook" | "request">;
type HttpResponse = Awaited<ReturnType<HookableOctokit["request"]>>;

interface Kept {
  etag: string | undefined;
  response: HttpResponse;
  checkedAt: number;
}

/** What the cache saw: answers reused without a request, 304s, and full answers. */
export interface ConditionalCounts {
  fresh: number;
  notModified: number;
  fetched: number;
}

const statusOf = (error: unknown) => (typeof error === "object" && error !== null && "status" in error ? error.status : undefined);

export function useConditionalRequests(octokit: HookableOctokit, options: ConditionalOptions): ConditionalCounts {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 500;
  const kept = new Map<string, Kept>();
  const counts: ConditionalCounts = { fresh: 0, notModified: 0, fetched: 0 };
  const keep = (key: string, entry: Kept) => {
    kept.delete(key);
    kept.set(key, entry);
    for (const oldest of kept.keys()) {
      if (kept.size <= maxEntries) break;
      kept.delete(oldest);
    }
  };

  octokit.hook.wrap("request", async (send, request) => {
    if ((request.method ?? "GET").toUpperCase() !== "GET") return send(request);
    const parsed = octokit.request.endpoint.parse(request);
    // One installation's Octokit: the URL and the media type say which answer it is.
    const key = `${parsed.url} ${parsed.headers.accept ?? ""}`;
    const before = kept.get(key);
    if (before !== undefined && now() - before.checkedAt < options.ttlMs) {
      counts.fresh += 1;
      return before.response;
    }
    // before-after-hook binds every inner hook to this same options object: a copy would not reach the request.
    if (before?.etag !== undefined) request.headers = { ...request.headers, "if-none-match": before.etag };
    try {
      const response = await send(request);
      const etag = response.headers.etag;
      counts.fetched += 1;
      keep(key, { etag: typeof etag === "string" ? etag : undefined, response, checkedAt: now() });
      return response;
    } catch (error) {
      if (statusOf(error) !== 304 || before === undefined) throw error;
      counts.notModified += 1;
      keep(key, { ...before, checkedAt: now() });
      return before.response;
    }
  });
  return counts;
}
