/**
 * `POST /dashboard/{owner}/{repo}/actions`: deploy a ref, lock with a reason,
 * unlock, roll back — CSRF-checked, then done with the signed-in person's
 * OWN token through the Deployments API, creating exactly the record the
 * command line creates (github/plan-records.ts). GitHub decides what the
 * person may do; its refusal is shown on the page, as is what was created.
 * Answers 303 back to the repository page (the notice waits for it there).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRecord } from "../../github/create-record.js";
import { describeCsrfRefusal } from "../../decisions/check-csrf.js";
import { rollbackTarget } from "../../decisions/rollback-target.js";
import { listEnvironmentHistory } from "../../github/deployments-api.js";
import { createParams, planCliRecord, type CliVerb } from "../../github/plan-records.js";
import type { RepoTarget } from "../../github/read-release-records.js";
import { createUserOctokit } from "../../github/user-repositories.js";
import type { DashboardSession, SessionReader } from "../dashboard-session.js";
import type { ReleaseViews } from "../release-api.js";
import { readForm } from "../sign-in-routes.js";
import { h, sendProblem } from "./page-shell.js";

export type Notice = { kind: "done" | "refused"; text: string };

const VERBS = ["deploy", "lock", "unlock", "rollback"] as const;

/** The form as a command-line verb, or what is wrong with it. Pure. */
export function readAction(form: URLSearchParams): CliVerb | { error: string } {
  const action = form.get("action") ?? "";
  const environment = (form.get("environment") ?? "").trim();
  if (!(VERBS as readonly string[]).includes(action)) return { error: `there is no action "${action}"` };
  if (environment === "" || environment.length > 100) return { error: "name an environment" };
  const text = (name: string) => (form.get(name) ?? "").trim() || undefined;
  switch (action as (typeof VERBS)[number]) {
    case "deploy":
      return { kind: "deploy", environment, ref: text("ref") };
    case "lock":
      return { kind: "lock", environment, reason: text("reason") };
    case "unlock":
      return { kind: "unlock", environment };
    case "rollback":
      return { kind: "rollback", environment };
  }
}

/** The action form, one per environment list; posted with the session's CSRF token. */
export function renderActions(fullName: string, environments: readonly string[], csrf: string, defaultBranch: string): string {
  const names = environments.length === 0 ? ["production"] : environments;
  const select = `<label>environment<select name="environment">${names.map((n) => `<option>${h(n)}</option>`).join("")}</select></label>`;
  const form = (action: string, fields: string, button: string) =>
    `<form class="act" method="post" action="/dashboard/${h(fullName)}/actions" data-action="${action}"><input type="hidden" name="csrf" value="${h(csrf)}"><input type="hidden" name="action" value="${action}">${select}${fields}<button>${button}</button></form>`;
  return (
    `<section class="actions"><h2>Act, as yourself on GitHub</h2>` +
    form("deploy", `<label>ref<input name="ref" placeholder="${h(defaultBranch)}"></label>`, "Deploy") +
    form("lock", `<label>reason<input name="reason" placeholder="why"></label>`, "Lock") +
    form("unlock", "", "Unlock") +
    form("rollback", "", "Roll back") +
    `</section>`
  );
}

export interface ActionsOptions {
  sessions: SessionReader;
  views: Pick<ReleaseViews, "authorize">;
  apiBaseUrl: () => Promise<string>;
  /** Where the notice waits for the person's next view of the page. */
  notify: (session: DashboardSession, notice: Notice) => void;
}

/** What the person asked for, done with their token; the notice to show either way. */
async function perform(options: ActionsOptions, session: DashboardSession, target: RepoTarget, defaultBranch: string, verb: CliVerb): Promise<Notice> {
  const fullName = `${target.owner}/${target.repo}`;
  const octokit = createUserOctokit(await options.apiBaseUrl(), session.token);
  if (verb.kind === "rollback") {
    const preview = rollbackTarget(await listEnvironmentHistory(octokit, target, verb.environment), Number.MAX_SAFE_INTEGER);
    if (preview.kind === "none") return { kind: "refused", text: `Cannot roll back ${verb.environment}: ${preview.reason}.` };
  }
  const words = [verb.kind, verb.environment, verb.kind === "deploy" ? verb.ref : undefined].filter((w) => w !== undefined);
  const planned = planCliRecord(verb, { login: session.login, defaultBranch, command: `dashboard: ${words.join(" ")}`, from: "the dashboard" });
  if (!planned.ok) return { kind: "refused", text: planned.message };
  const created = await createRecord(octokit, createParams(target, planned));
  if (!created.ok) return { kind: "refused", text: created.message };
  const { deployment } = planned;
  return { kind: "done", text: `Created deployment ${created.id}: ${deployment.task} ${deployment.ref} to ${deployment.environment} of ${fullName} as @${session.login}.` };
}

export function actionsRoute(options: ActionsOptions) {
  return async (req: IncomingMessage, res: ServerResponse, target: RepoTarget): Promise<void> => {
    const page = `/dashboard/${target.owner}/${target.repo}`;
    const session = options.sessions.sessionOf(req);
    if (session === undefined) return void res.writeHead(303, { location: `/dashboard/sign-in?to=${encodeURIComponent(page)}` }).end();
    const form = (await readForm(req)) ?? new URLSearchParams();
    const check = options.sessions.checkCsrf(req, session, form.get("csrf") ?? undefined);
    if (!check.ok) return sendProblem(res, 403, "Refused", describeCsrfRefusal(check.reason));
    let notice: Notice;
    try {
      const access = await options.views.authorize(session.token, target);
      if (access.kind === "bad-token") return void res.writeHead(303, { location: `/dashboard/sign-in?to=${encodeURIComponent(page)}` }).end();
      if (access.kind === "not-found") return sendProblem(res, 404, "Not found", `${target.owner}/${target.repo} is not a repository heaven deploys that you can read.`);
      const verb = readAction(form);
      notice = "error" in verb ? { kind: "refused", text: `Nothing done: ${verb.error}.` } : await perform(options, session, target, access.authorized.defaultBranch, verb);
    } catch (error) {
      notice = { kind: "refused", text: `Could not ask GitHub: ${error instanceof Error ? error.message : String(error)}` };
    }
    options.notify(session, notice);
    res.writeHead(303, { location: page, "cache-control": "no-store" }).end();
  };
}
