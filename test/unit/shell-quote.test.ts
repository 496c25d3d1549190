import { describe, expect, it } from "@jest/globals";
import { shellQuote } from "../../src/decisions/shell-quote.js";

describe("shellQuote", () => {
  it("keeps every character literal for a POSIX shell", () => {
    expect(shellQuote("/srv/app's dir")).toBe(`'/srv/app'\\''s dir'`);
    expect(shellQuote("$(touch x)")).toBe("'$(touch x)'");
  });
});
