import { describe, expect, it } from "@jest/globals";
import { ownLogin, type AppOctokit } from "../../src/github/own-login.js";

describe("ownLogin", () => {
  it("asks GitHub once for the App's slug, and again after a failure", async () => {
    const answers: Array<() => Promise<{ data: unknown }>> = [
      async () => {
        throw new Error("GitHub is down");
      },
      async () => ({ data: { id: 1, slug: "acme-heaven" } }),
    ];
    let asked = 0;
    const errors: unknown[] = [];
    const octokit: AppOctokit = { request: () => answers[asked++]!() };
    const login = ownLogin(async () => octokit, (error) => errors.push(error));
    expect(await login()).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(await login()).toBe("acme-heaven[bot]");
    expect(await login()).toBe("acme-heaven[bot]");
    expect(asked).toBe(2);
  });

  it("answers undefined when GitHub is slow, and the answer once it came", async () => {
    let answer: (value: { data: unknown }) => void = () => undefined;
    const slow = new Promise<{ data: unknown }>((resolve) => (answer = resolve));
    const login = ownLogin(async () => ({ request: () => slow }), () => undefined, 20);
    expect(await login()).toBeUndefined();
    answer({ data: { slug: "heaven" } });
    await slow;
    expect(await login()).toBe("heaven[bot]");
  });

  it("does not take an answer without a slug for one", async () => {
    const errors: unknown[] = [];
    const login = ownLogin(async () => ({ request: async () => ({ data: { id: 1 } }) }), (error) => errors.push(error));
    expect(await login()).toBeUndefined();
    expect(String(errors[0])).toContain("slug");
  });
});
