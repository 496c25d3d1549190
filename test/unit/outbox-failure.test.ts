import { describe, expect, it } from "@jest/globals";
import { RequestError } from "@octokit/request-error";
import { mayHaveLanded, readRequestFailure } from "../../src/github/outbox-failure.js";

const request = { method: "POST" as const, url: "https://api.github.com/repos/octo/app/statuses/abc", headers: { authorization: "token ghs_secret" } };

describe("readRequestFailure", () => {
  it("reads an HTTP answer's status, headers (lower case) and message", () => {
    const error = new RequestError("You have exceeded a secondary rate limit", 403, {
      request,
      response: { status: 403, url: request.url, headers: { "Retry-After": "30", "x-ratelimit-remaining": "4999" }, data: {} },
    });
    expect(readRequestFailure(error)).toEqual({ status: 403, headers: { "retry-after": "30", "x-ratelimit-remaining": "4999" }, message: "You have exceeded a secondary rate limit" });
  });

  it("reads Octokit's 500-with-a-cause (fetch failed, timed out) as no answer", () => {
    const error = new RequestError("The operation was aborted due to timeout", 500, { request });
    error.cause = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(readRequestFailure(error)).toEqual({ status: undefined, headers: {}, message: "The operation was aborted due to timeout" });
  });

  it("keeps a real 500 from GitHub a 500", () => {
    const error = new RequestError("Server Error", 500, { request, response: { status: 500, url: request.url, headers: {}, data: {} } });
    expect(readRequestFailure(error).status).toBe(500);
  });

  it("reads anything else thrown as no answer", () => {
    expect(readRequestFailure(new Error("installation lookup failed"))).toEqual({ status: undefined, headers: {}, message: "installation lookup failed" });
    expect(readRequestFailure("boom")).toEqual({ status: undefined, headers: {}, message: "boom" });
  });
});

describe("mayHaveLanded", () => {
  it("is true without an answer or with a 5xx, false for an answer that says it was not made", () => {
    expect([undefined, 500, 502, 429, 422, 401].map((status) => mayHaveLanded({ status, headers: {}, message: "" }))).toEqual([true, true, true, false, false, false]);
  });
});
