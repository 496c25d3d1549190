/**
 * Payload-grade checks of what a command names. These values later reach
 * providers as argv and environment variables, and GitHub as refs and
 * deployment environments, so each is held to an allowlist. Pure.
 *
 * Each check answers the value or a problem that names the bad part.
 */
import { HOST_NAME, TASK_NAME } from "../check-request.js";

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const REF_LIMIT = 255;
const NAME_LIMIT = 100;
const QUOTE_LIMIT = 80;

/** JSON.stringify, cut short, with invisible characters (zero-width, bidi, NBSP) escaped so a reply shows them. */
export function quote(value: string): string {
  const characters = Array.from(value);
  const shown = characters.length > QUOTE_LIMIT ? `${characters.slice(0, QUOTE_LIMIT).join("")}…` : value;
  return JSON.stringify(shown).replace(/[\p{Cc}\p{Cf}\p{Z}]/gu, (character) =>
    character === " " ? " " : `\\u${character.codePointAt(0)?.toString(16).padStart(4, "0")}`,
  );
}

function firstOutside(value: string, allowed: RegExp): string | undefined {
  return Array.from(value).find((character) => !allowed.test(character));
}

// Git allows more (any Unicode, `$`, `;`, `(`…); heaven deploys only refs that
// cannot be read as shell, refspec (`+`) or option (`-`) syntax anywhere.
const REF_CHARACTER = /^[A-Za-z0-9._/+@,=-]$/;
const REF_RULE = 'a ref is a branch, tag or sha: letters, digits and . _ - / + @ , =';

export function checkRef(ref: string): Checked<string> {
  const bad = (problem: string): Checked<string> => ({ ok: false, problem: `ref ${quote(ref)} ${problem}` });
  if (ref.length > REF_LIMIT) return bad(`is longer than ${REF_LIMIT} characters`);
  if (ref.startsWith("-")) return bad('starts with "-"');
  const outside = firstOutside(ref, REF_CHARACTER);
  if (outside !== undefined) return bad(`contains ${quote(outside)} (${REF_RULE})`);
  if (!/^[A-Za-z0-9_]/.test(ref)) return bad("must start with a letter, a digit or \"_\"");
  if (ref.includes("..")) return bad('contains ".."');
  // git check-ref-format's structural rules.
  if (ref.endsWith("/") || ref.endsWith(".") || ref.endsWith(".lock") || ref.includes("//") || ref.includes("/.")) {
    return bad("is not a valid git ref name");
  }
  return { ok: true, value: ref };
}

const NAME_CHARACTER = /^[A-Za-z0-9._-]$/;
const NAME_SHAPE = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

/** Environment and app names: letters, digits, `.`, `-`, `_`; a letter, digit or `_` at both ends (so `production.` is prose). */
function checkName(what: string, name: string): Checked<string> {
  const bad = (problem: string): Checked<string> => ({ ok: false, problem: `${what} ${quote(name)} ${problem}` });
  if (name === "") return { ok: false, problem: `the ${what} name is missing` };
  if (name.length > NAME_LIMIT) return bad(`is longer than ${NAME_LIMIT} characters`);
  if (name.startsWith("-")) return bad('starts with "-"');
  const outside = firstOutside(name, NAME_CHARACTER);
  if (outside === "/" && what === "environment") return bad('contains "/" (only deploy takes hosts: "to production/fe1,fe2")');
  if (outside !== undefined) return bad(`contains ${quote(outside)} (an ${what} name is letters, digits, ".", "-" and "_")`);
  if (!NAME_SHAPE.test(name)) return bad('must start and end with a letter, a digit or "_"');
  return { ok: true, value: name };
}

export function checkEnvironment(environment: string): Checked<string> {
  return checkName("environment", environment);
}

export function checkApp(app: string): Checked<string> {
  return checkName("app", app);
}

/** `fe1,fe2` → ["fe1", "fe2"]; every host must be a plain name. */
export function checkHosts(list: string): Checked<string[]> {
  if (list === "") return { ok: false, problem: 'no hosts after "/" (write "to production/fe1,fe2")' };
  const hosts = list.split(",");
  const wrong = hosts.find((host) => !HOST_NAME.test(host) || host.length > NAME_LIMIT);
  if (wrong === undefined) return { ok: true, value: hosts };
  if (wrong === "") return { ok: false, problem: `hosts ${quote(list)} have an empty name between commas` };
  return { ok: false, problem: `host ${quote(wrong)} is not a host name (letters, digits, "_", ".", ":", "@" and "-", not starting with "-")` };
}

/** The `<task>` of `deploy:<task>`: it reaches providers as DEPLOY_TASK. */
export function checkTask(task: string): Checked<string> {
  if (task === "") return { ok: false, problem: 'no task after "deploy:" (write "deploy:migrate")' };
  if (task.length > NAME_LIMIT || !TASK_NAME.test(task)) {
    return { ok: false, problem: `task ${quote(task)} is not a task name (letters, digits, "_", ".", ":" and "-")` };
  }
  return { ok: true, value: task };
}
