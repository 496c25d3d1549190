/**
 * The dashboard, wired: its pages, its live stream and its actions, all
 * behind GitHub sign-in (dashboard-sign-in.ts) and the release-state API's
 * own rule for who may see a repository (a repository the person cannot
 * read is a 404). The pages render what the API answers (`views`), never a
 * derivation of their own. Routes:
 *   GET  /dashboard                          every repository × environment
 *   GET  /dashboard/{owner}/{repo}           one repository
 *   POST /dashboard/{owner}/{repo}/actions   deploy, lock, unlock, rollback (dashboard-actions.ts)
 *   GET  /dashboard/stream[?repo=o/r]        Server-Sent Events (dashboard-stream.ts)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import { computeDora } from "../../decisions/compute-dora.js";
import { doraFacts, doraWindow } from "../../decisions/dora-facts.js";
import { CommitDates } from "../../github/commit-dates.js";
import type { RepoTarget } from "../../github/read-release-records.js";
import { createUserOctokit } from "../../github/user-repositories.js";
import type { DashboardSession } from "../dashboard-session.js";
import type { DashboardSignIn } from "../dashboard-sign-in.js";
import { READ_TTL_MS, type ReleaseViews } from "../release-api.js";
import { actionsRoute, renderActions, type Notice } from "./dashboard-actions.js";
import { DashboardStream } from "./dashboard-stream.js";
import { renderDora } from "./dora-panel.js";
import { renderOverview, type RepositoryView } from "./overview-page.js";
import { h, sendProblem, sendShell } from "./page-shell.js";
import { renderRepository } from "./repository-page.js";

/** Repositories the overview reads (each costs what one environments view costs); more are listed by name only. */
export const OVERVIEW_REPOSITORIES = 30;
/** Deploy records the repository page reads: its history, charts and DORA figures. */
export const HISTORY_RECORDS = 30;
export const DORA_DAYS = 30;

export interface DashboardOptions {
  signIn: Pick<DashboardSignIn, "sessions" | "repositoriesOf">;
  views: ReleaseViews;
  githubWebUrl: string;
  now?: () => number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const NAME = "[A-Za-z0-9._-]{1,100}";
const REPO_PATH = new RegExp(`^/dashboard/(${NAME})/(${NAME})(/actions)?/?$`);

export function dashboard(app: Pick<Probot, "auth">, options: DashboardOptions): { handlers: Handler[]; stream: DashboardStream } {
  const now = options.now ?? Date.now;
  const { sessions, repositoriesOf } = options.signIn;
  const stream = new DashboardStream(now);
  const notices = new Map<string, Notice>();
  const commits = new CommitDates();
  let baseUrl: Promise<string> | undefined;
  const apiBaseUrl = (): Promise<string> => {
    baseUrl ??= app.auth().then((octokit) => octokit.request.endpoint.DEFAULTS.baseUrl);
    baseUrl.catch(() => (baseUrl = undefined));
    return baseUrl;
  };
  const actions = actionsRoute({ sessions, views: options.views, apiBaseUrl, notify: (session, notice) => {
    // One waiting notice per session; bounded like the sessions themselves.
    if (notices.size >= 10_000) notices.clear();
    notices.set(session.sessionId, notice);
  } });
  const shell = { settleMs: READ_TTL_MS + 1_000 };
  const toSignIn = (res: ServerResponse, path: string) => res.writeHead(302, { location: `/dashboard/sign-in?to=${encodeURIComponent(path)}`, "cache-control": "no-store" }).end();

  const overview = async (req: IncomingMessage, res: ServerResponse, session: DashboardSession) => {
    const listed = await repositoriesOf(session);
    if (listed.kind === "signed-out") return toSignIn(res, "/dashboard");
    const shown = listed.repositories.slice(0, OVERVIEW_REPOSITORIES);
    const views: RepositoryView[] = await Promise.all(shown.map(async (r): Promise<RepositoryView> => {
      const about = { fullName: r.fullName, private: r.private };
      try {
        const access = await options.views.authorize(session.token, { owner: r.owner, repo: r.name });
        if (access.kind !== "authorized") return { ...about, kind: "failed", message: "GitHub does not let you read it now" };
        return { ...about, kind: "read", environments: (await options.views.environments(access.authorized)).environments };
      } catch (error) {
        return { ...about, kind: "failed", message: `could not read it from GitHub: ${error instanceof Error ? error.message : String(error)}` };
      }
    }));
    const live = renderOverview(views, { githubWebUrl: options.githubWebUrl, now: now(), leftOut: listed.repositories.length - shown.length });
    sendShell(req, res, { ...shell, title: "All repositories", login: session.login, csrf: session.csrf, stream: "/dashboard/stream", live });
  };

  const repository = async (req: IncomingMessage, res: ServerResponse, session: DashboardSession, target: RepoTarget) => {
    const fullName = `${target.owner}/${target.repo}`;
    const access = await options.views.authorize(session.token, target);
    if (access.kind === "bad-token") return toSignIn(res, `/dashboard/${fullName}`);
    if (access.kind === "not-found") return sendProblem(res, 404, "Not found", `${fullName} is not a repository heaven deploys that you can read.`);
    const [state, history] = await Promise.all([options.views.environments(access.authorized), options.views.history(access.authorized, { environment: undefined, before: undefined, limit: HISTORY_RECORDS })]);
    const span = doraWindow(history, { now: new Date(now()).toISOString(), days: DORA_DAYS, limit: HISTORY_RECORDS });
    const live = history.filter((item) => item.outcome === "success" && item.createdAt >= span.from).map((item) => item.sha);
    const dates = await commits.of(createUserOctokit(await apiBaseUrl(), session.token), target, live);
    const figures = computeDora(doraFacts(history, dates), span);
    const dora = renderDora(figures, span, { records: history.filter((item) => item.createdAt >= span.from).length, limit: HISTORY_RECORDS, commitsKnown: dates.size });
    const body = renderRepository({ fullName, environments: state.environments, history, dora, chartSpan: span, githubWebUrl: options.githubWebUrl, now: now() });
    const notice = notices.get(session.sessionId);
    notices.delete(session.sessionId);
    const before =
      (notice === undefined ? "" : `<p id="notice" role="status" class="notice ${notice.kind}">${h(notice.text)}</p>`) +
      renderActions(fullName, state.environments.map((e) => e.name), session.csrf, state.defaultBranch);
    const streamUrl = `/dashboard/stream?repo=${encodeURIComponent(fullName)}`;
    sendShell(req, res, { ...shell, title: fullName, login: session.login, csrf: session.csrf, stream: streamUrl, live: body, before });
  };

  const follow = async (req: IncomingMessage, res: ServerResponse, url: URL, session: DashboardSession) => {
    const listed = await repositoriesOf(session);
    if (listed.kind === "signed-out") return void res.writeHead(401, { "content-type": "text/plain; charset=utf-8" }).end("not signed in\n");
    if (req.method === "HEAD") return void res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" }).end();
    const only = url.searchParams.get("repo")?.toLowerCase();
    stream.open(req, res, listed.repositories.map((r) => r.fullName).filter((name) => only === undefined || name.toLowerCase() === only));
  };

  const handler: Handler = async (req, res) => {
    const url = new URL(req.url ?? "/", "http://heaven.invalid");
    const page = url.pathname === "/dashboard" || url.pathname === "/dashboard/" ? "overview" : url.pathname === "/dashboard/stream" ? "stream" : undefined;
    const match = page === undefined ? REPO_PATH.exec(url.pathname) : null;
    if (page === undefined && (match === null || [match[1], match[2]].some((p) => p === "." || p === ".."))) return false;
    const target = match === null ? undefined : { owner: match[1] ?? "", repo: match[2] ?? "" };
    if (match?.[3] !== undefined && target !== undefined) {
      if (req.method !== "POST") res.writeHead(405, { allow: "POST" }).end();
      else await actions(req, res, target);
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const session = sessions.sessionOf(req);
    if (session === undefined) {
      if (page === "stream") res.writeHead(401, { "content-type": "text/plain; charset=utf-8" }).end("not signed in\n");
      else toSignIn(res, `${url.pathname}${url.search}`);
      return true;
    }
    try {
      if (page === "stream") await follow(req, res, url, session);
      else if (page === "overview") await overview(req, res, session);
      else if (target !== undefined) await repository(req, res, session, target);
    } catch (error) {
      if (!res.headersSent) sendProblem(res, 502, "GitHub could not be read", `${error instanceof Error ? error.message : String(error)} — try again in a moment.`);
      else res.end();
    }
    return true;
  };
  return { handlers: [handler], stream };
}
