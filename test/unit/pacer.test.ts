import { describe, expect, it } from "@jest/globals";
import { DEFAULT_PACING, Pacer } from "../../src/github/pacer.js";

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Starts as many writes as the pacer allows, each at the earliest moment; returns their times. */
function run(pacer: Pacer, installationId: number, count: number, from = T0): number[] {
  const starts: number[] = [];
  let now = from;
  for (let i = 0; i < count; i++) {
    now = pacer.earliest(installationId, now);
    pacer.took(installationId, now);
    starts.push(now);
  }
  return starts;
}

describe("Pacer", () => {
  it("lets the first write of an installation go at once", () => {
    expect(new Pacer().earliest(1, T0)).toBe(T0);
  });

  it("spaces the starts of one installation's writes minSpacingMs apart", () => {
    const pacer = new Pacer();
    pacer.took(1, T0);
    expect(pacer.earliest(1, T0)).toBe(T0 + 1_000);
    expect(pacer.earliest(1, T0 + 400)).toBe(T0 + 1_000);
    expect(pacer.earliest(1, T0 + 5_000)).toBe(T0 + 5_000);
    expect(run(new Pacer(), 1, 4)).toEqual([T0, T0 + 1_000, T0 + 2_000, T0 + 3_000]);
  });

  it("allows at most perMinute starts in any sliding minute", () => {
    const pacer = new Pacer({ minSpacingMs: 0, perMinute: 3, perHour: 1_000 });
    expect(run(pacer, 1, 3)).toEqual([T0, T0, T0]);
    expect(pacer.earliest(1, T0 + 10_000)).toBe(T0 + MINUTE);
    // Sliding, not a fixed window: the oldest start leaving opens one place.
    const sliding = new Pacer({ minSpacingMs: 0, perMinute: 3, perHour: 1_000 });
    sliding.took(1, T0);
    sliding.took(1, T0 + 20_000);
    sliding.took(1, T0 + 40_000);
    expect(sliding.earliest(1, T0 + 41_000)).toBe(T0 + MINUTE);
    sliding.took(1, T0 + MINUTE);
    expect(sliding.earliest(1, T0 + MINUTE)).toBe(T0 + 20_000 + MINUTE);
  });

  it("keeps GitHub's 80 a minute with the defaults", () => {
    const starts = run(new Pacer({ ...DEFAULT_PACING, minSpacingMs: 0 }), 1, 161);
    expect(starts[79]).toBe(T0);
    expect(starts[80]).toBe(T0 + MINUTE);
    expect(starts[160]).toBe(T0 + 2 * MINUTE);
  });

  it("allows at most perHour starts in any sliding hour", () => {
    const pacer = new Pacer({ minSpacingMs: 1_000, perMinute: 80, perHour: 500 });
    const starts = run(pacer, 1, 501);
    expect(starts[499]).toBeLessThan(T0 + HOUR);
    expect(starts[500]).toBe((starts[0] ?? 0) + HOUR);
    // In any hour-long window no more than 500 started.
    for (let i = 0; i + 500 < starts.length; i++) expect((starts[i + 500] ?? 0) - (starts[i] ?? 0)).toBeGreaterThanOrEqual(HOUR);
  });

  it("holds an installation's writes while it is paused, and the longer pause wins", () => {
    const pacer = new Pacer();
    pacer.pause(1, T0 + 30_000);
    pacer.pause(1, T0 + 10_000);
    expect(pacer.earliest(1, T0)).toBe(T0 + 30_000);
    expect(pacer.earliest(1, T0 + 31_000)).toBe(T0 + 31_000);
  });

  it("keeps installations apart: one's pause, spacing and budget do not touch another", () => {
    const pacer = new Pacer({ minSpacingMs: 1_000, perMinute: 2, perHour: 10 });
    pacer.pause(1, T0 + HOUR);
    run(pacer, 2, 2);
    expect(pacer.earliest(1, T0)).toBe(T0 + HOUR);
    expect(pacer.earliest(3, T0)).toBe(T0);
    expect(pacer.earliest(2, T0 + 2_000)).toBe(T0 + MINUTE);
  });

  it("forgets starts older than an hour", () => {
    const pacer = new Pacer({ minSpacingMs: 0, perMinute: 1_000, perHour: 2 });
    pacer.took(1, T0);
    pacer.took(1, T0 + 1);
    expect(pacer.earliest(1, T0 + 2)).toBe(T0 + HOUR);
    expect(pacer.earliest(1, T0 + 2 * HOUR)).toBe(T0 + 2 * HOUR);
    pacer.took(1, T0 + 2 * HOUR);
    expect(pacer.earliest(1, T0 + 2 * HOUR)).toBe(T0 + 2 * HOUR);
  });
});
