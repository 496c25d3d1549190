import { describe, expect, it } from "@jest/globals";
import { RecentKeys, rememberKey } from "../../src/engine/recent-keys.js";

describe("RecentKeys", () => {
  it("remembers what was added", () => {
    const guids = new RecentKeys();
    guids.add("a");
    expect(guids.has("a")).toBe(true);
    expect(guids.has("b")).toBe(false);
    expect([...guids.view()]).toEqual(["a"]);
  });

  it("forgets the oldest past its capacity", () => {
    const guids = new RecentKeys(2);
    for (const guid of ["a", "b", "c"]) guids.add(guid);
    expect([...guids.view()]).toEqual(["b", "c"]);
  });

  it("counts a GUID added again as new, so it is kept longest", () => {
    const guids = new RecentKeys(2);
    for (const guid of ["a", "b", "a", "c"]) guids.add(guid);
    expect([...guids.view()]).toEqual(["a", "c"]);
  });
});

describe("rememberKey", () => {
  it("keeps at most the limit in a plain set, newest last", () => {
    const keys = new Set(["a", "b"]);
    rememberKey(keys, "a", 2);
    rememberKey(keys, "c", 2);
    expect([...keys]).toEqual(["a", "c"]);
  });
});
