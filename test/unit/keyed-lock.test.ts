import { describe, expect, it } from "@jest/globals";
import { KeyedLock } from "../../src/engine/keyed-lock.js";

/** A promise the test settles when it likes. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("KeyedLock", () => {
  it("runs work of one key one at a time in order, and other keys alongside", async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const first = gate();
    const a1 = lock.run("a", async () => (order.push("a1 start"), await first.opened, order.push("a1 end")));
    const a2 = lock.run("a", async () => order.push("a2"));
    await lock.run("b", async () => order.push("b"));
    expect(order).toEqual(["a1 start", "b"]);
    first.open();
    await Promise.all([a1, a2]);
    expect(order).toEqual(["a1 start", "b", "a1 end", "a2"]);
  });

  it("runs the next work after one that failed, and hands the failure to its caller", async () => {
    const lock = new KeyedLock();
    const failed = lock.run("a", async () => {
      throw new Error("git broke");
    });
    await expect(failed).rejects.toThrow("git broke");
    await expect(lock.run("a", async () => "next")).resolves.toBe("next");
  });
});
