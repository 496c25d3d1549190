/**
 * The release-state API's wiring: its two routes, the GitHub reads behind
 * them and the sink that remembers what parked deployments wait for. What a
 * request costs in GitHub requests is in release-reader.ts and the README.
 */
import type { Probot } from "probot";
import type { DeployQueue } from "../core/queue.js";
import type { ProviderSchemas } from "../decisions/resolve-config.js";
import { RepoAccessCheck } from "../github/check-repo-access.js";
import { getRepoInstallation } from "../github/read-release-records.js";
import { ReleaseReader, type ReleaseOctokit } from "../github/release-reader.js";
import { deploymentsRoute } from "./deployments-route.js";
import { environmentsRoute } from "./environments-route.js";
import { ParkedChecks } from "./parked-checks.js";
import { cachedInstallations, type ReleaseApiAuth } from "./release-api-auth.js";

/** GitHub answers are reused this long: an open dashboard polling every second costs one read per TTL. */
export const READ_TTL_MS = 5_000;
/** Whether a token can read a repository, and which installation serves it, is asked again after this long. */
export const ACCESS_TTL_MS = 60_000;

export interface ReleaseApiOptions {
  queue: Pick<DeployQueue, "list">;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  logSecret: string;
  logLinkTtlSeconds: number | undefined;
  /** The signed-in person's token, from the dashboard's session cookie. */
  sessionToken?: ReleaseApiAuth["sessionToken"];
}

type Handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<boolean>;

export function releaseApi(app: Pick<Probot, "auth">, options: ReleaseApiOptions): { handlers: Handler[]; parkedChecks: ParkedChecks } {
  let appOctokit: ReturnType<Probot["auth"]> | undefined;
  const asApp = () => {
    appOctokit ??= app.auth();
    appOctokit.catch(() => (appOctokit = undefined));
    return appOctokit;
  };
  const access = new RepoAccessCheck({ apiBaseUrl: async () => (await asApp()).request.endpoint.DEFAULTS.baseUrl, ttlMs: ACCESS_TTL_MS });
  const installationOf = cachedInstallations(async (target) => getRepoInstallation(await asApp(), target), ACCESS_TTL_MS);
  const auth: ReleaseApiAuth = { access, installationOf, ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }) };
  const reader = new ReleaseReader({
    octokitFor: async (installationId) => app.auth(installationId),
    providers: options.providers,
    defaultTimeoutSeconds: options.defaultTimeoutSeconds,
    ttlMs: READ_TTL_MS,
  });
  const parkedChecks = new ParkedChecks();
  return {
    handlers: [
      environmentsRoute({ auth, reader, queue: options.queue, waitingFor: (key) => parkedChecks.of(key) }),
      deploymentsRoute({ auth, reader, logSecret: options.logSecret, logLinkTtlSeconds: options.logLinkTtlSeconds }),
    ],
    parkedChecks,
  };
}
