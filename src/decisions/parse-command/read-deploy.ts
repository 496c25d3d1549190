/**
 * The words after a prefixed `/deploy`: `[<ref>] [to <environment>[/<hosts>]]`. Pure.
 */
import type { Command } from "../parse-command.js";
import { checkEnvironment, checkHosts, checkRef, quote, type Checked } from "./check-values.js";
import { isConnector, type Modifiers } from "./read-line.js";

export type Reading = { kind: "command"; command: Command } | { kind: "invalid"; problem: string };

type DeployCommand = Extract<Command, { kind: "deploy" }>;

export function invalid(problem: string): Reading {
  return { kind: "invalid", problem };
}

/** `production/fe1,fe2` → the environment and its host filter. */
export function readTarget(target: string): Checked<{ environment: string; hosts?: string[] }> {
  const slash = target.indexOf("/");
  const environment = checkEnvironment(slash === -1 ? target : target.slice(0, slash));
  if (!environment.ok) return environment;
  if (slash === -1) return { ok: true, value: { environment: environment.value } };
  const hosts = checkHosts(target.slice(slash + 1));
  if (!hosts.ok) return hosts;
  return { ok: true, value: { environment: environment.value, hosts: hosts.value } };
}

/**
 * hubot-deploy users type `/deploy <app>/<ref> to <env>`: when the caller
 * names the repository's app and the first word is it, read it that way.
 */
function readSubject(subject: string, app: string | undefined): Checked<{ ref?: string; app?: string }> {
  const named = app !== undefined && app !== "" && subject.slice(0, app.length).toLowerCase() === app.toLowerCase();
  if (named && subject.length === app.length) return { ok: true, value: { app: subject } };
  if (named && subject[app.length] === "/") {
    if (subject.length === app.length + 1) return { ok: false, problem: `no ref after ${quote(subject)}` };
    const ref = checkRef(subject.slice(app.length + 1));
    return ref.ok ? { ok: true, value: { app: subject.slice(0, app.length), ref: ref.value } } : ref;
  }
  const ref = checkRef(subject);
  return ref.ok ? { ok: true, value: { ref: ref.value } } : ref;
}

export function readDeploy(words: readonly string[], modifiers: Modifiers, app: string | undefined): Reading {
  const command: DeployCommand = { kind: "deploy", force: modifiers.force, task: modifiers.task === undefined ? "deploy" : `deploy:${modifiers.task}` };
  const [first, ...others] = words;
  if (first === undefined) return { kind: "command", command };
  const subject = isConnector(first) ? undefined : readSubject(first, app);
  if (subject !== undefined && !subject.ok) return invalid(subject.problem);
  const [connector, target, extra] = subject === undefined ? words : others;
  if (connector === undefined) return { kind: "command", command: { ...command, ...subject?.value } };
  if (!isConnector(connector)) return invalid(`unexpected ${quote(connector)}: write "to" before the environment`);
  if (target === undefined) return invalid(`no environment after ${quote(connector)}`);
  const where = readTarget(target);
  if (!where.ok) return invalid(where.problem);
  if (extra !== undefined) return invalid(`unexpected ${quote(extra)} after the environment`);
  return { kind: "command", command: { ...command, ...subject?.value, ...where.value } };
}
