/**
 * Reads a lock's duration as people write it: `30m`, `2h`, `1d`, `90s`,
 * `2 hours`, `1 day`, `1w`, `1h30m`. Pure.
 *
 * `none` means the text does not look like a duration at all (so a lock's
 * reason may end in "for the migration"); `invalid` means it does look like
 * one but cannot be honoured (`2.5h`, `0m`, `10y`, `400 days`).
 */
export type DurationParse =
  | { kind: "none" }
  | { kind: "duration"; seconds: number }
  | { kind: "invalid"; problem: string };

/** A lock longer than a year is a forgotten lock. */
export const MAX_DURATION_SECONDS = 365 * 86_400;

const UNIT_SECONDS: ReadonlyMap<string, number> = new Map([
  ...["s", "sec", "secs", "second", "seconds"].map((unit) => [unit, 1] as const),
  ...["m", "min", "mins", "minute", "minutes"].map((unit) => [unit, 60] as const),
  ...["h", "hr", "hrs", "hour", "hours"].map((unit) => [unit, 3_600] as const),
  ...["d", "day", "days"].map((unit) => [unit, 86_400] as const),
  ...["w", "wk", "wks", "week", "weeks"].map((unit) => [unit, 604_800] as const),
]);

/** Is `word` a unit a duration may be written in (`h`, `hours`, …)? */
export function isDurationUnit(word: string): boolean {
  return UNIT_SECONDS.has(word.toLowerCase());
}

/** A number (whole or not) and letters, with at most one space between: what a duration looks like. */
const DURATION_SHAPE = /^(\d+(?:\.\d*)?) ?([A-Za-z]*)$/;

/** `1h30m`: whole amounts with their units, written together. */
const COMPOUND_SHAPE = /^(?:\d+[A-Za-z]+){2,}$/;

export function parseDuration(text: string): DurationParse {
  if (COMPOUND_SHAPE.test(text)) return sumParts(text);
  const shape = DURATION_SHAPE.exec(text);
  if (!shape) return { kind: "none" };
  const [, amount = "", unit = ""] = shape;
  const quoted = JSON.stringify(text);
  const unitSeconds = UNIT_SECONDS.get(unit.toLowerCase());
  if (unit === "") return { kind: "invalid", problem: `duration ${quoted} has no unit (write 30m, 2h or 1d)` };
  if (unitSeconds === undefined) return { kind: "invalid", problem: `duration ${quoted} has an unknown unit ${JSON.stringify(unit)} (use s, m, h, d or w)` };
  if (!/^\d+$/.test(amount)) return { kind: "invalid", problem: `duration ${quoted} is not a whole number (write 90m rather than 1.5h)` };
  const seconds = Number(amount) * unitSeconds;
  if (seconds === 0) return { kind: "invalid", problem: `duration ${quoted} is zero` };
  if (seconds > MAX_DURATION_SECONDS) return { kind: "invalid", problem: `duration ${quoted} is longer than 365 days` };
  return { kind: "duration", seconds };
}

function sumParts(text: string): DurationParse {
  let seconds = 0;
  for (const [part = ""] of text.matchAll(/\d+[A-Za-z]+/g)) {
    const read = parseDuration(part);
    if (read.kind !== "duration") return read.kind === "invalid" ? { kind: "invalid", problem: `${read.problem} in ${JSON.stringify(text)}` } : read;
    seconds += read.seconds;
  }
  if (seconds > MAX_DURATION_SECONDS) return { kind: "invalid", problem: `duration ${JSON.stringify(text)} is longer than 365 days` };
  return { kind: "duration", seconds };
}
