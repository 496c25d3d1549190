import { describe, expect, it } from "@jest/globals";
import type { HistoryItem } from "../../src/decisions/derive-deployment-history.js";
import type { EnvironmentState } from "../../src/decisions/derive-release-state.js";
import { readAction, renderActions } from "../../src/server/dashboard/dashboard-actions.js";
import { currentState, renderOverview } from "../../src/server/dashboard/overview-page.js";
import { renderRepository } from "../../src/server/dashboard/repository-page.js";
import { deploymentChart } from "../../src/server/dashboard/svg-chart.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const NOW = Date.parse("2026-05-31T12:00:00Z");
const EVIL = `<img src=x onerror="alert(1)">`;

function environment(fields: Partial<EnvironmentState> = {}): EnvironmentState {
  return {
    name: "production",
    deployed: { deploymentId: 7, ref: "main", sha: SHA, at: "2026-05-31T11:00:00Z", by: "bob" },
    previous: null,
    newest: { deploymentId: 8, ref: EVIL, sha: SHA, createdAt: "2026-05-31T11:30:00Z", by: "carol", state: "failure", outcome: "failure" },
    lock: { owner: "alice", reason: EVIL, since: "2026-05-31T11:40:00Z", kind: "explicit", expiresAt: null, branch: null },
    running: null,
    queued: [{ deploymentId: "9", ref: "main", sha: SHA, by: "dave", acceptedAt: "2026-05-31T11:50:00Z" }],
    parked: [{ deploymentId: "10", ref: "topic", sha: SHA, by: "erin", acceptedAt: "2026-05-31T11:55:00Z", waitingFor: ["ci/test"] }],
    autoDeploy: true,
    ...fields,
  };
}

function history(id: number, fields: Partial<HistoryItem> = {}): HistoryItem {
  return {
    deploymentId: id, environment: "production", ref: "main", sha: SHA, task: "deploy", by: "bob", createdAt: "2026-05-31T11:00:00Z", state: "success", outcome: "success",
    startedAt: null, finishedAt: null, durationMs: 42_000, description: EVIL, logUrl: `https://heaven.example/logs/acme/web/${id}?sig=a&b"c`, environmentUrl: null, ...fields,
  };
}

describe("the pages escape everything they render", () => {
  it("shows no markup from GitHub or a person as markup: the overview", () => {
    const html = renderOverview([{ fullName: "acme/web", private: false, kind: "read", environments: [environment(), environment({ name: EVIL })] }], { githubWebUrl: "https://github.example", now: NOW, leftOut: 0 });
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain(`<a href="https://github.example/acme/web/commit/${SHA}"><code>0123456</code></a>`);
    expect(html).toContain('<td class="queue" title="1 queued, 1 waiting for CI">2</td>');
    expect(html).toContain("1 h ago");
  });

  it("and the repository page, whose history links each deployment's log page", () => {
    const html = renderRepository({ fullName: "acme/web", environments: [environment()], history: [history(8)], dora: "", chartSpan: { from: "2026-05-01T00:00:00Z", to: "2026-05-31T12:00:00Z" }, githubWebUrl: "https://github.example", now: NOW });
    expect(html).not.toContain("<img");
    expect(html).toContain('<a href="https://heaven.example/logs/acme/web/8?sig=a&amp;b&quot;c">log</a>');
    expect(html).toContain("waiting for ci/test");
    expect(html).toContain("42 s");
  });

  it("and the action forms, which carry the session's CSRF token", () => {
    const html = renderActions("acme/web", ["production", EVIL], `tok"en`, "main");
    expect(html).not.toContain("<img");
    expect(html.match(/name="csrf" value="tok&quot;en"/g)).toHaveLength(4);
  });
});

describe("currentState", () => {
  it("is what runs now when heaven runs something, else the newest deployment's state on GitHub", () => {
    expect(currentState(environment())).toEqual({ state: "failure", deploymentId: 8 });
    expect(currentState(environment({ running: { deploymentId: "11", ref: "main", sha: SHA, by: "x", acceptedAt: "2026-05-31T11:59:00Z" } }))).toEqual({ state: "in_progress", deploymentId: 11 });
    expect(currentState(environment({ newest: null }))).toEqual({ state: null, deploymentId: null });
  });
});

describe("deploymentChart", () => {
  it("draws one bar per deployment in the span, as tall as it took, coloured by how it went", () => {
    const svg = deploymentChart("production", [history(1, { durationMs: 10_000, createdAt: "2026-05-10T00:00:00Z" }), history(2, { durationMs: 20_000, outcome: "failure" }), history(3, { createdAt: "2026-04-01T00:00:00Z" })], { from: "2026-05-01T00:00:00Z", to: "2026-05-31T12:00:00Z", width: 200, height: 72 });
    const bars = [...svg.matchAll(/<rect class="bar" data-outcome="(\w+)" x="[\d.]+" y="[\d.]+" width="4" height="([\d.]+)" fill="(#\w+)">/g)].map((m) => [m[1], Number(m[2]), m[3]]);
    expect(bars).toEqual([["success", 29, "#2da44e"], ["failure", 58, "#cf222e"]]);
    expect(svg).toContain("production: 2 deployments from 2026-05-01 to 2026-05-31");
    expect(svg).not.toContain("<img");
  });
});

describe("readAction", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields);
  it("reads each form as the command line's verb", () => {
    expect(readAction(form({ action: "deploy", environment: "production", ref: " topic " }))).toEqual({ kind: "deploy", environment: "production", ref: "topic" });
    expect(readAction(form({ action: "deploy", environment: "production", ref: "" }))).toEqual({ kind: "deploy", environment: "production", ref: undefined });
    expect(readAction(form({ action: "lock", environment: "staging", reason: "release freeze" }))).toEqual({ kind: "lock", environment: "staging", reason: "release freeze" });
    expect(readAction(form({ action: "unlock", environment: "staging" }))).toEqual({ kind: "unlock", environment: "staging" });
    expect(readAction(form({ action: "rollback", environment: "staging" }))).toEqual({ kind: "rollback", environment: "staging" });
  });

  it("refuses an unknown action or a missing environment", () => {
    expect(readAction(form({ action: "delete", environment: "production" }))).toEqual({ error: 'there is no action "delete"' });
    expect(readAction(form({ action: "lock", environment: "  " }))).toEqual({ error: "name an environment" });
  });
});
