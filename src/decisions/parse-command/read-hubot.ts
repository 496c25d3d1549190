/**
 * hubot-deploy's grammar without a prefix (atmos/hubot-deploy's DeployPattern):
 * `deploy[!][:<task>] <app>[/<ref>] [to|in|on <environment>[/<hosts>]]`, and
 * its `deploy:lock|unlock|rollback <app> in <environment>` tasks. Pure.
 *
 * Ordinary sentences start with "deploy" too, so anything short of an exact
 * match is not a command: the answer is undefined, never a complaint.
 * hubot's trailing two-factor token is not read (heaven checks none; a line
 * carrying one is not a command).
 */
import type { Command } from "../parse-command.js";
import { checkApp, checkRef, checkTask } from "./check-values.js";
import { readTarget } from "./read-deploy.js";
import { readEnvironmentOnly, readLock } from "./read-environment-commands.js";
import { isConnector, readModifiers, type Head } from "./read-line.js";

const ENVIRONMENT_TASKS = new Set(["lock", "unlock", "rollback"]);

function readAppAndRef(subject: string): { app: string; ref?: string } | undefined {
  const slash = subject.indexOf("/");
  const app = checkApp(slash === -1 ? subject : subject.slice(0, slash));
  if (!app.ok) return undefined;
  if (slash === -1) return { app: app.value };
  const ref = checkRef(subject.slice(slash + 1));
  return ref.ok ? { app: app.value, ref: ref.value } : undefined;
}

/** `deploy:lock <app> in <env> [reason] [for <duration>]`, `deploy:unlock …`, `deploy:rollback …`: no ref, no hosts, no `!`. */
function readEnvironmentTask(task: string, words: readonly string[]): Command | undefined {
  const [subject = "", connector, ...rest] = words;
  const app = checkApp(subject);
  if (!app.ok || !isConnector(connector) || rest.length === 0) return undefined;
  const reading = task === "lock" ? readLock(rest, app.value) : readEnvironmentOnly(task === "unlock" ? "unlock" : "rollback", rest, app.value);
  return reading.kind === "command" ? reading.command : undefined;
}

export function readHubotLine(head: Head): Command | undefined {
  const modifiers = readModifiers(head.modifiers);
  if (head.word !== "deploy" || modifiers === undefined) return undefined;
  const task = modifiers.task === undefined ? undefined : checkTask(modifiers.task);
  if (task !== undefined && !task.ok) return undefined;
  if (task !== undefined && ENVIRONMENT_TASKS.has(task.value.toLowerCase())) {
    return modifiers.force ? undefined : readEnvironmentTask(task.value.toLowerCase(), head.words);
  }
  const [subject = "", connector, target, ...extra] = head.words;
  const appAndRef = readAppAndRef(subject);
  if (appAndRef === undefined || extra.length > 0) return undefined;
  const command: Command = { kind: "deploy", force: modifiers.force, task: task === undefined ? "deploy" : `deploy:${task.value}`, ...appAndRef };
  if (connector === undefined) return command;
  if (!isConnector(connector) || target === undefined) return undefined;
  const where = readTarget(target);
  return where.ok ? { ...command, ...where.value } : undefined;
}
