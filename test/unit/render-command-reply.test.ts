import { describe, expect, it } from "@jest/globals";
import { COMMAND_FORMS, parseCommand } from "../../src/decisions/parse-command.js";
import { renderHelp, renderRecentDeploys, renderRefusal, renderWhereCanIDeploy } from "../../src/decisions/render-command-reply.js";

describe("command replies", () => {
  it("lists every form with the repository's own prefix, each one a command heaven reads", () => {
    const help = renderHelp(["!"]);
    expect(help).toContain("`!deploy [<ref>] [to <environment>[/<hosts>]]`");
    const lines = help.split("\n").filter((line) => line.startsWith("- `"));
    expect(lines).toHaveLength(COMMAND_FORMS.length);
    expect(parseCommand("!wcid", { prefixes: ["!"] })).toMatchObject({ kind: "command", command: { kind: "wcid" } });
  });

  it("quotes the refused command without letting it break out of its code span", () => {
    expect(renderRefusal("/deploy `x`", "no")).toBe("🚫 `/deploy 'x'`: no");
  });

  it("shows each environment's deployed sha, who and when, its lock and its queue", () => {
    const table = renderWhereCanIDeploy([
      { name: "production", deployed: { ref: "main", sha: "abcdef1234", by: "alice", at: "2026-12-01T10:00:00Z" }, lock: { owner: "bob", reason: "db work", since: "2026-12-01T11:00:00Z", expiresAt: undefined, kind: "explicit", branch: undefined, recordId: 3 }, queue: [{ label: "feature `1234567` by @carol", state: "queued" }] },
      { name: "staging", deployed: undefined, lock: undefined, queue: [] },
    ]);
    expect(table).toContain("| production | main `abcdef1` by @alice, ");
    expect(table).toContain("🔒 locked by @bob: db work");
    expect(table).toContain("queued: feature `1234567` by @carol");
    expect(table).toContain("| staging | — | free | — |");
  });

  it("says so when there is nothing to list", () => {
    expect(renderRecentDeploys("staging", [])).toBe("No deployments to staging yet.");
    expect(renderWhereCanIDeploy([])).toMatch(/^No environments yet/);
  });
});
