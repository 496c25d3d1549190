import { describe, expect, it } from "@jest/globals";
import { CommitDates, type CommitApi } from "../../src/github/commit-dates.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const target = { owner: "acme", repo: "web" };

function api(answers: Record<string, unknown>): CommitApi & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    request: async (_route, params) => {
      asked.push(params.ref);
      const answer = answers[params.ref];
      if (answer instanceof Error) throw answer;
      return { data: answer };
    },
  };
}

describe("CommitDates", () => {
  it("asks GitHub once per commit ever, since a commit's time never changes", async () => {
    const dates = new CommitDates();
    const github = api({ [A]: { commit: { committer: { date: "2026-05-01T10:00:00Z" } } }, [B]: { commit: {} } });
    expect(await dates.of(github, target, [A, A, B, "not-a-sha"])).toEqual(new Map([[A, "2026-05-01T10:00:00Z"]]));
    expect(await dates.of(github, target, [A, B])).toEqual(new Map([[A, "2026-05-01T10:00:00Z"]]));
    expect(github.asked).toEqual([A, B]);
  });

  it("asks again next time for a commit GitHub could not answer for, and at most `max` new ones per call", async () => {
    const dates = new CommitDates();
    const failing = api({ [A]: new Error("503"), [B]: { commit: { committer: { date: "2026-05-02T10:00:00Z" } } } });
    expect((await dates.of(failing, target, [A, B], 1)).size).toBe(0);
    expect(await dates.of(failing, target, [A, B], 5)).toEqual(new Map([[B, "2026-05-02T10:00:00Z"]]));
    expect(failing.asked).toEqual([A, A, B]);
  });
});
