import { describe, expect, it } from "@jest/globals";
import { RecentGuids } from "../../src/github/recent-guids.js";

describe("RecentGuids", () => {
  it("remembers what was added", () => {
    const guids = new RecentGuids();
    guids.add("a");
    expect(guids.has("a")).toBe(true);
    expect(guids.has("b")).toBe(false);
    expect([...guids.view()]).toEqual(["a"]);
  });

  it("forgets the oldest past its capacity", () => {
    const guids = new RecentGuids(2);
    for (const guid of ["a", "b", "c"]) guids.add(guid);
    expect([...guids.view()]).toEqual(["b", "c"]);
  });

  it("counts a GUID added again as new, so it is kept longest", () => {
    const guids = new RecentGuids(2);
    for (const guid of ["a", "b", "a", "c"]) guids.add(guid);
    expect([...guids.view()]).toEqual(["a", "c"]);
  });
});
