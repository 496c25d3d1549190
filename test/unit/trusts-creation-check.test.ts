import { describe, expect, it } from "@jest/globals";
import type { DeploymentRecord } from "../../src/core/record.js";
import { describeOutcome } from "../../src/decisions/describe-outcome.js";
import { isChatDeployment, trustsCreationCheck } from "../../src/decisions/trusts-creation-check.js";
import { deploymentRequest, SHA } from "../helpers/provider-fixtures.js";

const record = (creator: { login: string; type: string }, payload: Record<string, unknown>): DeploymentRecord => ({
  id: 1, sha: SHA, ref: "main", task: "deploy", environment: "production", createdAt: "2026-12-01T00:00:00Z", creator, payload, description: null,
});
const hubot = deploymentRequest({ record: record({ login: "acme-hubot", type: "User" }, { notify: { user_name: "atmos", room: "ops" } }) });
const person = deploymentRequest({ record: record({ login: "alice", type: "User" }, {}) });
const heaven = deploymentRequest({ record: record({ login: "heaven[bot]", type: "Bot" }, { notify: { user: "alice" } }) });

describe("trustsCreationCheck", () => {
  it("by default trusts GitHub's creation check for chat clients only, so hubot's deploy! deploys", () => {
    expect(trustsCreationCheck(hubot, "auto")).toBe(true);
    expect(trustsCreationCheck(person, "auto")).toBe(false);
  });

  it("trusts it for every other client with ci_gate: creation, and for none with ci_gate: heaven", () => {
    expect(trustsCreationCheck(person, "creation")).toBe(true);
    expect(trustsCreationCheck(hubot, "heaven")).toBe(false);
  });

  it("never for heaven's own deployments (pull-request commands, auto-deploy), nor the command line", () => {
    expect(trustsCreationCheck(heaven, "creation")).toBe(false);
    expect(trustsCreationCheck(deploymentRequest(), "creation")).toBe(false);
    expect(isChatDeployment(heaven)).toBe(false);
  });

  it("tells a chat user who hits red CI how to let deploy! through", () => {
    const outcome = { kind: "ci-blocked", sha: SHA, verdict: { kind: "red", failed: ["ci/test"] }, chat: true } as const;
    expect(describeOutcome(outcome).description).toBe("CI failed on 0123456: ci/test; fix it, or set ci_gate: creation so chat's deploy! passes");
  });
});
