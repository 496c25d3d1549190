/**
 * Heroku's Platform API as the heroku provider calls it: version 3 JSON, the
 * key as a bearer token (never logged), a 429 waited out as Retry-After says
 * (or with backoff when it says nothing), and a poll retried through a brief
 * outage. Every refusal becomes a sentence saying what to fix.
 */
import type { LogSink } from "../../src/core/log.js";

const HEROKU_ACCEPT = "application/vnd.heroku+json; version=3";

/** Waits `ms`, or until `wake` settles; rejects as soon as `signal` aborts. */
export type Pause = (ms: number, signal: AbortSignal, wake?: Promise<void>) => Promise<void>;

export const pause: Pause = (ms, signal, wake) =>
  new Promise<void>((resolve, reject) => {
    const done = (settle: () => void) => () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", aborted);
      settle();
    };
    const aborted = done(() => reject(signal.reason));
    const timer = setTimeout(done(resolve), ms);
    if (signal.aborted) return aborted();
    signal.addEventListener("abort", aborted, { once: true });
    void wake?.then(done(resolve), done(resolve));
  });

export type ApiAnswer = { ok: true; body: unknown } | { ok: false; message: string };

export interface PlatformApi {
  /** `what` names the call in messages: "create a build". */
  call(what: string, method: "GET" | "POST", path: string, body?: unknown): Promise<ApiAnswer>;
  /** The last `RateLimit-Remaining` Heroku sent. */
  remaining(): number | undefined;
}

export interface PlatformApiSetup {
  base: string;
  key: string;
  fetch: typeof fetch;
  signal: AbortSignal;
  log: LogSink;
  pause: Pause;
  /** Attempts of one call, 429s and failed polls included. */
  attempts: number;
  /** First backoff when Heroku gives no Retry-After (doubled each time). */
  backoffMs: number;
}

export function platformApi(setup: PlatformApiSetup): PlatformApi {
  let remaining: number | undefined;
  const root = setup.base.replace(/\/+$/, "");
  const headers = (withBody: boolean): Record<string, string> => ({
    accept: HEROKU_ACCEPT,
    authorization: `Bearer ${setup.key}`,
    "user-agent": "heaven",
    ...(withBody ? { "content-type": "application/json" } : {}),
  });

  async function call(what: string, method: "GET" | "POST", path: string, body?: unknown): Promise<ApiAnswer> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= setup.attempts;
      const wait = async (ms: number, why: string) => {
        setup.log.note(`${why}; asking Heroku to ${what} again in ${Math.ceil(ms / 1000)} s`);
        await setup.pause(ms, setup.signal);
      };
      const backoff = setup.backoffMs * 2 ** (attempt - 1);
      let response: Response;
      try {
        const init = { method, headers: headers(body !== undefined), signal: setup.signal };
        response = await setup.fetch(`${root}${path}`, body === undefined ? init : { ...init, body: JSON.stringify(body) });
      } catch (error) {
        if (setup.signal.aborted) throw error;
        const cause = describeError(error);
        // A POST that may have reached Heroku is not sent twice: it could start a second build.
        if (method === "GET" && !last) {
          await wait(backoff, `Heroku's API could not be reached (${cause})`);
          continue;
        }
        return { ok: false, message: `could not reach Heroku's API to ${what}: ${cause}` };
      }
      remaining = headerNumber(response.headers.get("ratelimit-remaining")) ?? remaining;
      if (response.status === 429 && !last) {
        await response.body?.cancel();
        await wait(retryAfterMs(response.headers.get("retry-after")) ?? backoff, "Heroku's rate limit was reached (429)");
        continue;
      }
      if (response.status >= 500 && method === "GET" && !last) {
        await response.body?.cancel();
        await wait(backoff, `Heroku answered ${response.status}`);
        continue;
      }
      const data = await readJson(response);
      if (response.ok) return { ok: true, body: data };
      return { ok: false, message: refusal(response.status, data, what, path) };
    }
  }

  return { call, remaining: () => remaining };
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = headerNumber(value);
  if (seconds !== undefined) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function headerNumber(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return text;
  }
}

function refusal(status: number, data: unknown, what: string, path: string): string {
  const said = typeof data === "object" && data !== null && "message" in data && typeof data.message === "string" ? data.message : undefined;
  const code = said === undefined ? `${status}` : `${status}: ${said}`;
  if (status === 429) return `Heroku's rate limit held through every attempt to ${what} (${code}); wait a few minutes and deploy again`;
  if (status === 401) return `Heroku refused HEROKU_API_KEY (${code}); set a valid API key in heaven's environment`;
  if (status === 403) return `HEROKU_API_KEY may not ${what} (${code}); give its account access to the app`;
  const app = /^\/apps\/([^/]+)/.exec(path)?.[1];
  if (status === 404 && app !== undefined) return `Heroku has no app ${app} that HEROKU_API_KEY can see (${code}); check heroku_app`;
  return `Heroku answered ${code} when asked to ${what}`;
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
