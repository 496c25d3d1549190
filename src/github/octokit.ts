/**
 * Probot's Octokit with heaven's rate-limit policy: throttling stays on (it
 * spaces each installation's writes as GitHub asks), a request hit by a rate
 * limit is retried twice before it fails and the deployment says so, and a
 * conflict (409) is an answer, not something to retry. Writes that go through
 * the outbox are never retried here: the outbox retries them itself.
 */
import { ProbotOctokit } from "probot";
import { isObject } from "../core/json.js";
import type { ObservedRequest } from "../metrics/github-traffic.js";

type LimitHandler = (
  retryAfter: number,
  options: { method: string; url: string; request?: { heavenOutbox?: unknown } },
  octokit: { log: { warn: (msg: string) => void } },
  retryCount: number,
) => boolean;

const retryTwice: LimitHandler = (retryAfter, options, octokit, retryCount) => {
  // The outbox waits out rate limits itself, on disk and for the whole installation.
  if (options.request?.heavenOutbox === true) return false;
  octokit.log.warn(`GitHub rate limit on ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter} s`);
  return retryCount < 2;
};

/**
 * @octokit/plugin-retry's list of statuses it does not retry, plus 409: GitHub
 * answers a merge conflict (Merges API) with 409, and asking again after 1, 4
 * and 9 s only delays the deployment's failure status by 14 s.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

interface AuthRequest {
  defaults(options: { baseUrl: string }): AuthRequest;
}

/**
 * Probot hands the App's auth strategy a `request` of its own without the
 * Octokit's baseUrl: a token asked for directly (`octokit.auth(…)`, before
 * any request warmed the cache) went to api.github.com, not GHE_HOST.
 */
function authOnBaseUrl(auth: unknown, baseUrl: string | undefined): unknown {
  if (baseUrl === undefined || typeof auth !== "object" || auth === null || !("request" in auth)) return auth;
  const { request } = auth as { request?: AuthRequest };
  return request === undefined ? auth : { ...auth, request: request.defaults({ baseUrl }) };
}

export const HeavenOctokit = ProbotOctokit.defaults((options: { throttle?: object; retry?: object; auth?: unknown; baseUrl?: string }) => ({
  ...options,
  auth: authOnBaseUrl(options.auth, options.baseUrl),
  retry: { ...options.retry, doNotRetry: DO_NOT_RETRY },
  throttle: { ...options.throttle, onRateLimit: retryTwice, onSecondaryRateLimit: retryTwice },
}));

/**
 * HeavenOctokit telling `observe` of every request's outcome (metrics, /ready).
 * Added last, so its hook is the outermost: it sees what a caller sees, after
 * throttling and retries.
 */
export function observedOctokit(observe: (request: ObservedRequest) => void): typeof HeavenOctokit {
  return HeavenOctokit.plugin((octokit: RequestHook, options: { auth?: unknown }) => {
    const auth = options.auth;
    const installationId = isObject(auth) && typeof auth.installationId === "number" ? auth.installationId : undefined;
    octokit.hook.wrap("request", async (request, requestOptions) => {
      const method = typeof requestOptions.method === "string" ? requestOptions.method : "GET";
      try {
        const response = await request(requestOptions);
        observe({ method, status: response.status, installationId, rateLimitRemaining: remaining(response.headers) });
        return response;
      } catch (error) {
        const status = isObject(error) && typeof error.status === "number" ? error.status : undefined;
        const headers = isObject(error) && isObject(error.response) ? error.response.headers : undefined;
        observe({ method, status, installationId, rateLimitRemaining: remaining(headers) });
        throw error;
      }
    });
  }) as unknown as typeof HeavenOctokit;
}

type RequestHook = Pick<InstanceType<typeof ProbotOctokit>, "hook">;

function remaining(headers: unknown): number | undefined {
  const value = isObject(headers) ? headers["x-ratelimit-remaining"] : undefined;
  const number = typeof value === "string" || typeof value === "number" ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
}
