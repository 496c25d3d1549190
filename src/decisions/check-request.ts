/**
 * Is a deployment request one heaven will run at all? Pure. The payload is
 * data from whoever could create a deployment: its environment and task
 * reach providers (DEPLOY_ENV, argv of fab/cap/ansible, host names), so a
 * name must be a name. Environments listed in `.github/heaven.yml` are taken
 * as configured: the repository's owners chose them.
 */
import type { DeploymentRequest } from "../core/request.js";

export type RequestCheck = { ok: true } | { ok: false; message: string };

const MAX_NAME = 100;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Characters a shell gives meaning to, whitespace included. */
const SHELL_SPECIAL = /[\s`$;&|<>(){}[\]*?!~#'"\\]/;
/** What follows `deploy:` (Capistrano's namespaces too: `deploy:assets:precompile`); the command parser checks the same. */
export const TASK_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const TASK = new RegExp(`^deploy(:${TASK_NAME.source.slice(1, -1)})?$`);
/** A host filter entry: a host name, address or role, nothing a shell or ssh reads as more. */
export const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:@-]*$/;

/** A value shown in a message without its control characters doing anything. */
export function quoted(value: string, limit = 40): string {
  return JSON.stringify(value.length > limit ? `${value.slice(0, limit)}…` : value);
}

export function checkEnvironmentName(name: string): RequestCheck {
  const fix = "list it under environments in .github/heaven.yml to allow it";
  const refuse = (why: string): RequestCheck => ({ ok: false, message: `environment ${quoted(name)} ${why}; ${fix}` });
  if (name.length > MAX_NAME) return refuse(`is ${name.length} characters long (at most ${MAX_NAME})`);
  if (CONTROL.test(name)) return refuse("contains a control character");
  const special = SHELL_SPECIAL.exec(name)?.[0];
  if (special !== undefined) return refuse(`contains ${special.trim() === "" ? "whitespace" : `"${special}"`}, which shells treat specially`);
  if (name.split("/").includes("..")) return refuse('has a ".." path segment');
  if (name.startsWith("-")) return refuse('starts with "-", which commands read as an option');
  return { ok: true };
}

export function checkTask(task: string): RequestCheck {
  if (task.length <= MAX_NAME && TASK.test(task)) return { ok: true };
  return { ok: false, message: `task ${quoted(task)} is not deploy or deploy:<name> (letters, digits, - _ .)` };
}

export function checkHosts(hosts: readonly string[] | undefined): RequestCheck {
  const bad = (hosts ?? []).find((host) => host.length > MAX_NAME || !HOST_NAME.test(host));
  if (bad === undefined) return { ok: true };
  return { ok: false, message: `host ${quoted(bad)} in the payload is not a host name (letters, digits, . - _ : @)` };
}

/** `listed`: `.github/heaven.yml` names the request's environment under `environments`. */
export function checkRequest(request: DeploymentRequest, listed: boolean): RequestCheck {
  const task = checkTask(request.task);
  if (!task.ok) return task;
  const hosts = checkHosts(request.hosts);
  if (!hosts.ok) return hosts;
  return listed ? { ok: true } : checkEnvironmentName(request.environment);
}
