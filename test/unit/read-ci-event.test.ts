import { describe, expect, it } from "@jest/globals";
import { readCiEvent } from "../../src/decisions/read-ci-event.js";
import { webhookExample } from "../helpers/examples.js";

/** The `index`th example GitHub publishes for an event. */
const nth = (name: string, index: number) => {
  let seen = -1;
  return webhookExample(name, () => ++seen === index);
};

const STATUS_SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const SUITE_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

describe("readCiEvent", () => {
  describe("status", () => {
    it("reads GitHub's example status with every branch that contains the commit", () => {
      expect(readCiEvent("status", webhookExample("status"))).toEqual({
        sha: STATUS_SHA,
        branches: ["master", "changes", "gh-pages"],
        completed: true,
      });
      expect(readCiEvent("status", webhookExample("status", (e) => e.branches.length === 1))).toEqual({
        sha: STATUS_SHA,
        branches: ["master"],
        completed: true,
      });
    });

    it("is not completed while the status is pending, and completed for failure and error", () => {
      const status = webhookExample("status");
      status.state = "pending";
      expect(readCiEvent("status", status)?.completed).toBe(false);
      for (const state of ["failure", "error", "success"]) {
        status.state = state;
        expect(readCiEvent("status", status)?.completed).toBe(true);
      }
    });

    it("reads a status with no branches as on no branch, skipping branches without a name", () => {
      const status = webhookExample("status");
      status.branches = [];
      expect(readCiEvent("status", status)?.branches).toEqual([]);
      delete status.branches;
      expect(readCiEvent("status", status)?.branches).toEqual([]);
      status.branches = [{ name: "main" }, { commit: {} }, null, { name: "" }, { name: 3 }, { name: "main" }];
      expect(readCiEvent("status", status)?.branches).toEqual(["main"]);
    });

    it("reads nothing from heaven's own heaven/auto-deploy status", () => {
      const status = webhookExample("status");
      status.context = "heaven/auto-deploy";
      expect(readCiEvent("status", status)).toBeUndefined();
    });

    it("reads nothing from a status without a state", () => {
      const status = webhookExample("status");
      delete status.state;
      expect(readCiEvent("status", status)).toBeUndefined();
    });
  });

  describe("check_suite", () => {
    it("reads a completed suite", () => {
      expect(readCiEvent("check_suite", webhookExample("check_suite", (e) => e.action === "completed"))).toEqual({
        sha: SUITE_SHA,
        branches: ["changes"],
        completed: true,
      });
    });

    it("reads a requested or rerequested suite as not completed", () => {
      expect(readCiEvent("check_suite", webhookExample("check_suite", (e) => e.action === "requested"))).toEqual({
        sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
        branches: ["master"],
        completed: false,
      });
      const rerequested = webhookExample("check_suite", (e) => e.action === "rerequested");
      expect(rerequested.check_suite.status).toBe("completed");
      expect(readCiEvent("check_suite", rerequested)).toEqual({ sha: SUITE_SHA, branches: ["changes"], completed: false });
    });

    it("reads a suite on no branch (a fork's pull request) with no branches", () => {
      const suite = webhookExample("check_suite", (e) => e.action === "completed");
      suite.check_suite.head_branch = null;
      expect(readCiEvent("check_suite", suite)).toEqual({ sha: SUITE_SHA, branches: [], completed: true });
    });
  });

  describe("check_run", () => {
    it("reads a completed run with its suite's branch", () => {
      expect(readCiEvent("check_run", webhookExample("check_run", (e) => e.action === "completed"))).toEqual({
        sha: SUITE_SHA,
        branches: ["changes"],
        completed: true,
      });
    });

    it("reads created, requested_action and rerequested runs as not completed", () => {
      expect(readCiEvent("check_run", webhookExample("check_run", (e) => e.action === "created"))).toEqual({
        sha: SUITE_SHA,
        branches: ["changes"],
        completed: false,
      });
      expect(readCiEvent("check_run", webhookExample("check_run", (e) => e.action === "requested_action"))).toEqual({
        sha: "5bd5f196a46b8222fb7484f05faba41a73cf34bd",
        branches: ["miniak/event-process-id"],
        completed: false,
      });
      expect(readCiEvent("check_run", webhookExample("check_run", (e) => e.action === "rerequested"))).toEqual({
        sha: "d6fde92930d4715a2b49857d24b940956b26d2d3",
        branches: ["master"],
        completed: false,
      });
    });

    it("reads a run without a suite or with a null branch as on no branch", () => {
      const run = webhookExample("check_run", (e) => e.action === "completed");
      run.check_run.check_suite.head_branch = null;
      expect(readCiEvent("check_run", run)?.branches).toEqual([]);
      delete run.check_run.check_suite;
      expect(readCiEvent("check_run", run)).toEqual({ sha: SUITE_SHA, branches: [], completed: true });
    });
  });

  describe("workflow_run", () => {
    it("reads a completed workflow run", () => {
      expect(readCiEvent("workflow_run", nth("workflow_run", 1))).toEqual({
        sha: "3484a3fb816e0859fd6e1cea078d76385ff50625",
        branches: ["master"],
        completed: true,
      });
    });

    it("goes by the action, not the run's status", () => {
      const completedButQueued = webhookExample("workflow_run", (e) => e.action === "completed" && e.workflow_run.status === "queued");
      expect(readCiEvent("workflow_run", completedButQueued)).toEqual({
        sha: "5779607b49aab1200488439f02372c57b4f75444",
        branches: ["main"],
        completed: true,
      });
      const requestedButCompleted = webhookExample("workflow_run", (e) => e.action === "requested" && e.workflow_run.status === "completed");
      expect(readCiEvent("workflow_run", requestedButCompleted)?.completed).toBe(false);
    });

    it("reads a requested workflow run as not completed", () => {
      expect(readCiEvent("workflow_run", webhookExample("workflow_run", (e) => e.action === "requested"))).toEqual({
        sha: "3484a3fb816e0859fd6e1cea078d76385ff50625",
        branches: ["master"],
        completed: false,
      });
    });
  });

  it("reads every example GitHub publishes for the four events", () => {
    const counts = { status: 4, check_suite: 9, check_run: 9, workflow_run: 5 } as const;
    for (const [name, count] of Object.entries(counts) as [keyof typeof counts, number][]) {
      for (let index = 0; index < count; index++) {
        const read = readCiEvent(name, nth(name, index));
        expect(read).toEqual({ sha: expect.stringMatching(/^[0-9a-f]{40}$/), branches: expect.any(Array), completed: expect.any(Boolean) });
        expect(read?.branches.length).toBeGreaterThan(0);
      }
    }
  });

  describe("malformed payloads", () => {
    const where = {
      status: (event: { sha?: unknown }) => event,
      check_suite: (event: { check_suite: { head_sha?: unknown } }) => event.check_suite,
      check_run: (event: { check_run: { head_sha?: unknown } }) => event.check_run,
      workflow_run: (event: { workflow_run: { head_sha?: unknown } }) => event.workflow_run,
    };
    const shaField = { status: "sha", check_suite: "head_sha", check_run: "head_sha", workflow_run: "head_sha" } as const;
    const names = Object.keys(where) as (keyof typeof where)[];

    it("reads nothing without a full hexadecimal sha", () => {
      for (const name of names) {
        for (const bad of [undefined, null, 42, "", "6113728", `${STATUS_SHA}0`, "g".repeat(40), ` ${STATUS_SHA.slice(1)}`]) {
          const event = webhookExample(name);
          const holder = where[name](event) as Record<string, unknown>;
          if (bad === undefined) delete holder[shaField[name]];
          else holder[shaField[name]] = bad;
          expect(readCiEvent(name, event)).toBeUndefined();
        }
      }
    });

    it("lower-cases an upper-case sha", () => {
      const status = webhookExample("status");
      status.sha = STATUS_SHA.toUpperCase();
      expect(readCiEvent("status", status)?.sha).toBe(STATUS_SHA);
    });

    it("reads nothing from a payload that is not an object or lacks its suite, run or action", () => {
      for (const name of names) {
        for (const payload of [undefined, null, "{}", [], 7]) expect(readCiEvent(name, payload)).toBeUndefined();
      }
      for (const name of ["check_suite", "check_run", "workflow_run"] as const) {
        const noAction = webhookExample(name);
        delete noAction.action;
        expect(readCiEvent(name, noAction)).toBeUndefined();
        const noObject = webhookExample(name);
        noObject[name] = "completed";
        expect(readCiEvent(name, noObject)).toBeUndefined();
      }
    });

    it("reads nothing for an event it does not know", () => {
      expect(readCiEvent("push" as "status", webhookExample("status"))).toBeUndefined();
    });
  });
});
