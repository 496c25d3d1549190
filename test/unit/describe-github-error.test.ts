import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { describeGitHubError, isGitHubUnavailable } from "../../src/github/describe-github-error.js";
import { quietOctokit } from "../helpers/app-credentials.js";

const Octokit = quietOctokit();

/** What Octokit really throws, for a refused connection and for an answer. */
async function failure(baseUrl: string): Promise<unknown> {
  try {
    await new Octokit({ auth: "token x", baseUrl }).request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
  } catch (error) {
    return error;
  }
  throw new Error("the request did not fail");
}

describe("describeGitHubError", () => {
  it("names a refused connection as such, not as the HTTP 500 Octokit reports it as", async () => {
    nock.enableNetConnect("127.0.0.1:45999");
    const error = await failure("http://127.0.0.1:45999/api/v3");
    expect((error as { status?: number }).status).toBe(500);
    expect(describeGitHubError(error)).toBe("could not reach GitHub (connect ECONNREFUSED 127.0.0.1:45999)");
    expect(isGitHubUnavailable(error)).toBe(true);
  });

  it("names GitHub's answer and its message", async () => {
    nock("https://api.github.com").get("/repos/o/r").reply(503, { message: "Service Unavailable" });
    const error = await failure("https://api.github.com");
    expect(describeGitHubError(error)).toBe("GitHub answered HTTP 503 (Service Unavailable)");
    expect(isGitHubUnavailable(error)).toBe(true);
  });

  it("passes any other error's first line through", () => {
    expect(describeGitHubError(new Error("bad indentation\n  at line 3"))).toBe("bad indentation");
    expect(isGitHubUnavailable(new Error("bad indentation"))).toBe(false);
  });
});
