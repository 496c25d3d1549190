/**
 * Deploys to Heroku with the Platform API's builds, as Heaven did: GitHub's
 * short-lived tarball link for the sha becomes the build's source, the
 * build's output streams into the log, and its status is polled until it
 * succeeds (the release is named) or fails (its last line is quoted).
 *
 * The API's address comes from heaven's environment (HEROKU_API_URL), never
 * from the repository: a repository must not be able to send the key elsewhere.
 */
import { z } from "zod";
import { defineProvider, type ApiProviderResult } from "../src/core/provider.js";
import { pause, platformApi } from "./heroku/platform-api.js";
import { buildSchema, watchBuild, type WatchTiming } from "./heroku/watch-build.js";

const HEROKU_API = "https://api.heroku.com";

export interface HerokuTiming extends WatchTiming {
  /** Attempts of one API call through 429s and failed polls. */
  attempts: number;
  backoffMs: number;
}

const DEFAULT_TIMING: HerokuTiming = {
  pause,
  pollMs: 5_000,
  lowRateRemaining: 50,
  lowRatePollMs: 30_000,
  outputGraceMs: 5_000,
  attempts: 6,
  backoffMs: 2_000,
};

// Heroku's app names (or an app's id); they go into the API's paths.
const MISSING = "is not set; name the Heroku app to deploy to, at the top level or under the environment, like heroku_app: acme-web";
const appName = z
  .string({ error: (issue) => (issue.input === undefined ? MISSING : undefined) })
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "must be a Heroku app name: lowercase letters, digits and dashes, like acme-web" });

const options = z
  .object({
    /** The Heroku app to build on (Heaven's `heroku_name` is read as this). */
    heroku_app: appName,
  })
  .strict();

type HerokuOptions = z.infer<typeof options>;

const appOf = (o: HerokuOptions): string => o.heroku_app;
const failed = (message: string): ApiProviderResult => ({ kind: "failed", message });
/** heaven's side is not set up for Heroku: an `error` status, not a `failure` of the build. */
const misconfigured = (message: string): ApiProviderResult => ({ kind: "misconfigured", message });

/** The provider with its polling pace and retries; tests pass a quicker one. */
export function herokuProvider(timing: HerokuTiming = DEFAULT_TIMING) {
  return defineProvider<HerokuOptions>({
    kind: "api",
    options,
    payloadKeys: ["heroku_app"],
    aliases: { heroku_name: "heroku_app" },
    credentials: ["HEROKU_API_KEY"],
    variables: ["HEROKU_API_URL"],
    describe: ({ options: o }) => `heroku ${appOf(o)}`,
    run: async ({ request, options: o }, io) => {
      const key = io.credentials.HEROKU_API_KEY;
      if (key === undefined) return misconfigured("HEROKU_API_KEY is not set; set it in heaven's environment to an API key of a Heroku account that can deploy the app");
      const base = io.credentials.HEROKU_API_URL ?? HEROKU_API;
      if (!/^https?:\/\/[^\s/]+/.test(base)) return misconfigured("HEROKU_API_URL must be an http(s) URL, like https://api.heroku.com; fix it in heaven's environment");
      const app = appOf(o);

      const url = await io.source.tarballUrl();
      if (url === undefined) return misconfigured("this deployment has no GitHub tarball link for Heroku to build from; deploy to Heroku through GitHub");
      io.log.note(`asking Heroku to build ${request.sha.slice(0, 7)} on ${app}`);
      const api = platformApi({ base, key, fetch: io.fetch, signal: io.signal, log: io.log, pause: timing.pause, attempts: timing.attempts, backoffMs: timing.backoffMs });
      const answer = await api.call("create a build", "POST", `/apps/${app}/builds`, { source_blob: { url, version: request.sha } });
      if (!answer.ok) return failed(answer.message);
      const created = buildSchema.safeParse(answer.body);
      if (!created.success) return failed(`Heroku answered with a build heaven cannot read (${created.error.issues[0]?.message ?? "invalid"})`);
      io.log.note(`Heroku build ${created.data.id} started`);

      const watched = await watchBuild(api, app, created.data, io, timing);
      if (!watched.ok) return failed(watched.message);
      const { build } = watched;
      if (build.status === "succeeded") return { kind: "succeeded", release: { id: build.release?.id ?? build.id } };
      const line = io.log.lastLine();
      return failed(line === undefined ? `build ${build.id} failed without output` : `build ${build.id}: "${line}"`);
    },
  });
}

export const heroku = herokuProvider();
