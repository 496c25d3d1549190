/** What provider unit tests build a context from: a plausible deployment request. */
import type { DeploymentRequest } from "../../src/core/request.js";

export const SHA = "0123456789abcdef0123456789abcdef01234567";

export function deploymentRequest(overrides: Partial<DeploymentRequest> = {}): DeploymentRequest {
  return {
    id: "42",
    repository: { fullName: "acme/app", cloneUrl: "https://github.com/acme/app.git" },
    environment: "production",
    ref: "main",
    sha: SHA,
    task: "deploy",
    force: false,
    payloadConfig: undefined,
    creator: "octocat",
    ...overrides,
  };
}
