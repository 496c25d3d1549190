/**
 * The words after `/lock`, `/unlock`, `/rollback` and `/deploys`: an
 * environment (hubot's `in`/`to`/`on` before it is allowed), and for a lock a
 * reason and a duration. Pure.
 */
import { truncate } from "../text.js";
import { isDurationUnit, parseDuration, type DurationParse } from "../parse-duration.js";
import { checkEnvironment, quote, type Checked } from "./check-values.js";
import { invalid, type Reading } from "./read-deploy.js";
import { isConnector } from "./read-line.js";

const REASON_LIMIT = 200;

/** Drops a leading `in`/`to`/`on` when an environment follows it. */
function skipConnector(words: readonly string[]): readonly string[] {
  return words.length > 1 && isConnector(words[0]) ? words.slice(1) : words;
}

/** The environment first, then whatever else the command takes. */
function readEnvironment(words: readonly string[]): Checked<{ environment: string; rest: readonly string[] }> {
  const [environment = "", ...rest] = skipConnector(words);
  if (isConnector(environment) && rest.length === 0) return { ok: false, problem: `no environment after ${quote(environment)}` };
  const checked = checkEnvironment(environment);
  return checked.ok ? { ok: true, value: { environment: checked.value, rest } } : checked;
}

/** `for 2h` or `for 2 hours` at the very end of a lock; earlier "for"s are part of the reason. */
function splitDuration(words: readonly string[]): { reason: readonly string[]; duration: DurationParse } {
  const count = words.length;
  const last = words[count - 1] ?? "";
  if (words[count - 2]?.toLowerCase() === "for") {
    const duration = parseDuration(last);
    if (duration.kind !== "none") return { reason: words.slice(0, -2), duration };
  }
  if (words[count - 3]?.toLowerCase() === "for" && isDurationUnit(last)) {
    const duration = parseDuration(`${words[count - 2] ?? ""} ${last}`);
    if (duration.kind !== "none") return { reason: words.slice(0, -3), duration };
  }
  return { reason: words, duration: { kind: "none" } };
}

/** Free text for a person to read: control, format (zero-width, bidi) and line-separator characters dropped; at most 200 characters. */
function cleanReason(words: readonly string[]): string | undefined {
  const reason = truncate(words.join(" ").replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ""), REASON_LIMIT);
  return reason === "" ? undefined : reason;
}

export function readLock(words: readonly string[], app?: string): Reading {
  const read = readEnvironment(words);
  if (!read.ok) return invalid(read.problem);
  const { reason, duration } = splitDuration(read.value.rest);
  if (duration.kind === "invalid") return invalid(duration.problem);
  const cleaned = cleanReason(reason);
  return {
    kind: "command",
    command: {
      kind: "lock",
      environment: read.value.environment,
      ...(cleaned === undefined ? {} : { reason: cleaned }),
      ...(duration.kind === "duration" ? { ttlSeconds: duration.seconds } : {}),
      ...(app === undefined ? {} : { app }),
    },
  };
}

/** `/unlock <env>` and `/rollback <env>`: the environment and nothing else. */
export function readEnvironmentOnly(kind: "unlock" | "rollback", words: readonly string[], app?: string): Reading {
  const read = readEnvironment(words);
  if (!read.ok) return invalid(read.problem);
  const [extra] = read.value.rest;
  if (extra !== undefined) return invalid(`unexpected ${quote(extra)}: ${kind} takes only the environment`);
  return { kind: "command", command: { kind, environment: read.value.environment, ...(app === undefined ? {} : { app }) } };
}

/** `/deploys` or `/deploys <env>`. */
export function readDeploys(words: readonly string[]): Reading {
  if (words.length === 0) return { kind: "command", command: { kind: "deploys" } };
  const read = readEnvironment(words);
  if (!read.ok) return invalid(read.problem);
  const [extra] = read.value.rest;
  if (extra !== undefined) return invalid(`unexpected ${quote(extra)}: deploys takes at most an environment`);
  return { kind: "command", command: { kind: "deploys", environment: read.value.environment } };
}
