import { describe, expect, it } from "@jest/globals";
import { isDurationUnit, MAX_DURATION_SECONDS, parseDuration } from "../../src/decisions/parse-duration.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90],
    ["30m", 1_800],
    ["2h", 7_200],
    ["1d", 86_400],
    ["1w", 604_800],
    ["2 hours", 7_200],
    ["1 hour", 3_600],
    ["1 day", 86_400],
    ["3 days", 259_200],
    ["45 minutes", 2_700],
    ["10 mins", 600],
    ["2hrs", 7_200],
    ["2H", 7_200],
    ["2 HOURS", 7_200],
    ["365d", 31_536_000],
    ["1h30m", 5_400],
    ["1d12h", 129_600],
    ["2m30s", 150],
  ])("reads %j as %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toEqual({ kind: "duration", seconds });
  });

  it.each([
    ["2.5h", 'duration "2.5h" is not a whole number (write 90m rather than 1.5h)'],
    ["1.5 hours", 'duration "1.5 hours" is not a whole number (write 90m rather than 1.5h)'],
    ["0m", 'duration "0m" is zero'],
    ["0 days", 'duration "0 days" is zero'],
    ["10y", 'duration "10y" has an unknown unit "y" (use s, m, h, d or w)'],
    ["2", 'duration "2" has no unit (write 30m, 2h or 1d)'],
    ["366d", 'duration "366d" is longer than 365 days'],
    ["99999999999999999999w", 'duration "99999999999999999999w" is longer than 365 days'],
    ["1h30y", 'duration "30y" has an unknown unit "y" (use s, m, h, d or w) in "1h30y"'],
    ["300d100d", 'duration "300d100d" is longer than 365 days'],
  ])("refuses %j, which looks like a duration but is not one heaven honours", (text, problem) => {
    expect(parseDuration(text)).toEqual({ kind: "invalid", problem });
  });

  it.each(["the", "migration", "h2", "-2h", "2  hours", "1h 30m", "1h30", "", " 2h", "２h"])("does not take %j for a duration", (text) => {
    expect(parseDuration(text)).toEqual({ kind: "none" });
  });

  it("caps a lock at a year", () => {
    expect(MAX_DURATION_SECONDS).toBe(365 * 24 * 3600);
  });

  it("knows the units, in any case, and nothing else", () => {
    for (const unit of ["s", "seconds", "MIN", "h", "Hours", "d", "days", "w", "weeks"]) expect(isDurationUnit(unit)).toBe(true);
    for (const unit of ["y", "years", "fortnights", "people", ""]) expect(isDurationUnit(unit)).toBe(false);
  });
});
