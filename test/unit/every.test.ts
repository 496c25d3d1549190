import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { every } from "../../src/engine/every.js";

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe("every", () => {
  it("runs a round at once and the next one an interval after it ended, never two at once", async () => {
    const events: string[] = [];
    let finish: () => void = () => undefined;
    const repeating = every(1_000, async () => {
      events.push("start");
      await new Promise<void>((resolve) => (finish = resolve));
      events.push("end");
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(events).toEqual(["start"]);
    await jest.advanceTimersByTimeAsync(5_000); // a slow round: no second one meanwhile
    expect(events).toEqual(["start"]);
    finish();
    await jest.advanceTimersByTimeAsync(999);
    expect(events).toEqual(["start", "end"]);
    await jest.advanceTimersByTimeAsync(1);
    expect(events).toEqual(["start", "end", "start"]);
    finish();
    await repeating.stop();
  });

  it("keeps going after a round that throws, and runs none after stop, waiting for the one under way", async () => {
    let rounds = 0;
    let finish: () => void = () => undefined;
    const repeating = every(
      100,
      async () => {
        rounds += 1;
        if (rounds === 1) throw new Error("boom");
        await new Promise<void>((resolve) => (finish = resolve));
      },
      { startDelayMs: 50 },
    );
    await jest.advanceTimersByTimeAsync(49);
    expect(rounds).toBe(0);
    await jest.advanceTimersByTimeAsync(151);
    expect(rounds).toBe(2);
    let stopped = false;
    const stopping = repeating.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(rounds).toBe(2);
  });
});
