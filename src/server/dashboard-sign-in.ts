/**
 * The dashboard's sign-in, wired: the session store, the routes, and what
 * other routes use — `sessions.sessionOf(req)` for who is signed in (and the
 * token to act as them), `sessions.checkCsrf(…)` before any change, and
 * `repositoriesOf(session)` for what they may see.
 */
import type { Probot } from "probot";
import { sessionSecret } from "../decisions/sign-session.js";
import { createUserOctokit, listUserRepositories, type UserRepository } from "../github/user-repositories.js";
import { sessionReader, type DashboardSession, type SessionReader } from "./dashboard-session.js";
import { SessionStore } from "./session-store.js";
import { sessionRoutes, type RepositoriesOf } from "./session-routes.js";
import { signInRoutes } from "./sign-in-routes.js";

/** A person's repositories are asked of GitHub again after this long (1 + one request per installation each time). */
export const REPOSITORIES_TTL_MS = 30_000;

export interface DashboardSignInOptions {
  /** settings.dashboard: the App's OAuth credentials (and APP_ID); undefined: sign-in answers 503. */
  dashboard: { clientId: string; clientSecret: string; appId: number | undefined } | undefined;
  /** HEAVEN_URL. */
  heavenUrl: string;
  /** GitHub's web address (log-meta-sink.ts `githubWebUrl`): OAuth lives there, not under the API. */
  githubWebUrl: string;
  /** Signs the cookies, through a key derived from it. */
  logSecret: string;
  now?: () => number;
}

type Handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<boolean>;

export interface DashboardSignIn {
  handlers: Handler[];
  sessions: SessionReader;
  repositoriesOf: RepositoriesOf;
}

export function dashboardSignIn(app: Pick<Probot, "auth" | "log">, options: DashboardSignInOptions): DashboardSignIn {
  const now = options.now ?? Date.now;
  const secret = sessionSecret(options.logSecret);
  const store = new SessionStore(now);
  const sessions = sessionReader({ secret, store, heavenUrl: options.heavenUrl, now });
  // The REST API's base as Probot reaches it (GHE_HOST/api/v3 or api.github.com): the App's Octokit knows it.
  let baseUrl: Promise<string> | undefined;
  const apiBaseUrl = (): Promise<string> => {
    baseUrl ??= app.auth().then((octokit) => octokit.request.endpoint.DEFAULTS.baseUrl);
    baseUrl.catch(() => (baseUrl = undefined));
    return baseUrl;
  };
  const kept = new Map<string, { until: number; repositories: UserRepository[] }>();
  const repositoriesOf: RepositoriesOf = async (session: DashboardSession) => {
    const before = kept.get(session.sessionId);
    if (before !== undefined && before.until > now()) return { kind: "listed", repositories: before.repositories };
    try {
      const repositories = await listUserRepositories(createUserOctokit(await apiBaseUrl(), session.token), options.dashboard?.appId);
      if (kept.size >= 1000) kept.clear();
      kept.set(session.sessionId, { until: now() + REPOSITORIES_TTL_MS, repositories });
      return { kind: "listed", repositories };
    } catch (error) {
      // GitHub no longer takes the token (revoked, or the App's authorization removed): the session ends.
      if (typeof error === "object" && error !== null && "status" in error && error.status === 401) {
        store.delete(session.sessionId);
        kept.delete(session.sessionId);
        return { kind: "signed-out" };
      }
      throw error;
    }
  };
  const client = options.dashboard === undefined ? undefined : { clientId: options.dashboard.clientId, clientSecret: options.dashboard.clientSecret };
  const log = { info: (message: string) => app.log.info(message), warn: (message: string) => app.log.warn(message) };
  const signIn = signInRoutes({ client, heavenUrl: options.heavenUrl, githubWebUrl: options.githubWebUrl, apiBaseUrl, secret, store, sessions, log, now });
  return { handlers: [signIn, sessionRoutes({ sessions, repositoriesOf })], sessions, repositoriesOf };
}
