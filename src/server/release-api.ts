/**
 * The release-state API's wiring: its two routes, the GitHub reads behind
 * them and the sink that remembers what parked deployments wait for. What a
 * request costs in GitHub requests is in release-reader.ts and the README.
 */
import type { Probot } from "probot";
import type { DeployQueue } from "../core/queue.js";
import type { ProviderSchemas } from "../decisions/resolve-config.js";
import { RepoAccessCheck } from "../github/check-repo-access.js";
import { getRepoInstallation, type RepoTarget } from "../github/read-release-records.js";
import { ReleaseReader, type ReleaseOctokit } from "../github/release-reader.js";
import type { HistoryItem } from "../decisions/derive-deployment-history.js";
import { deploymentsRoute, readHistory, type Query } from "./deployments-route.js";
import { environmentsRoute, readEnvironments } from "./environments-route.js";
import { ParkedChecks } from "./parked-checks.js";
import { authorizeToken, cachedInstallations, type Authorized, type ReleaseApiAuth } from "./release-api-auth.js";

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

/** What the API answers, for callers that hold the person's token themselves (the dashboard's pages). */
export interface ReleaseViews {
  authorize(token: string, target: RepoTarget): ReturnType<typeof authorizeToken>;
  environments(authorized: Authorized): ReturnType<typeof readEnvironments>;
  history(authorized: Authorized, query: Query): Promise<HistoryItem[]>;
}

type Handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<boolean>;

export function releaseApi(app: Pick<Probot, "auth">, options: ReleaseApiOptions): { handlers: Handler[]; parkedChecks: ParkedChecks; views: ReleaseViews } {
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
  const environments = { reader, queue: options.queue, waitingFor: (key: string) => parkedChecks.of(key) };
  const history = { reader, logSecret: options.logSecret, logLinkTtlSeconds: options.logLinkTtlSeconds };
  return {
    handlers: [environmentsRoute({ auth, ...environments }), deploymentsRoute({ auth, ...history })],
    parkedChecks,
    views: {
      authorize: (token, target) => authorizeToken(token, target, auth),
      environments: (authorized) => readEnvironments(environments, authorized),
      history: (authorized, query) => readHistory(history, authorized, query),
    },
  };
}
