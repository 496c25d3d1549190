import { describe, expect, it } from "@jest/globals";
import { loadSettings, SettingsError } from "../../src/settings.js";

const problem = (env: NodeJS.ProcessEnv): string => {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error("expected a SettingsError");
};

const URL = "postgres://heaven:s3cr%2Ft@db.internal:5432/heaven";

describe("DATABASE_URL and HEAVEN_ROLE", () => {
  it("runs embedded, one process doing everything, when neither is set", () => {
    expect(loadSettings({})).toMatchObject({ databaseUrl: undefined, role: "all" });
    expect(loadSettings({ DATABASE_URL: " ", HEAVEN_ROLE: "" })).toMatchObject({ databaseUrl: undefined, role: "all" });
  });

  it("reads a postgres:// or postgresql:// URL and each role", () => {
    expect(loadSettings({ DATABASE_URL: URL }).databaseUrl).toBe(URL);
    expect(loadSettings({ DATABASE_URL: "postgresql://db/heaven", HEAVEN_ROLE: "worker" })).toMatchObject({ role: "worker" });
    expect(loadSettings({ DATABASE_URL: URL, HEAVEN_ROLE: " server " }).role).toBe("server");
    expect(loadSettings({ DATABASE_URL: URL, HEAVEN_ROLE: "all" }).role).toBe("all");
  });

  it("masks the URL and its password, as written and decoded, in every log", () => {
    expect(loadSettings({ DATABASE_URL: URL }).secrets).toEqual(expect.arrayContaining([URL, "s3cr%2Ft", "s3cr/t"]));
    expect(loadSettings({ DATABASE_URL: "postgres://heaven:100%zz@db/heaven" }).secrets).toContain("100%zz");
  });

  it("refuses a URL that is not PostgreSQL's, with an example", () => {
    expect(problem({ DATABASE_URL: "mysql://db/heaven" })).toBe("DATABASE_URL must be a postgres:// URL such as postgres://heaven:password@db.internal:5432/heaven");
    expect(problem({ DATABASE_URL: "db.internal:5432" })).toContain("DATABASE_URL must be a postgres:// URL");
  });

  it("refuses a role it does not know", () => {
    expect(problem({ DATABASE_URL: URL, HEAVEN_ROLE: "web" })).toBe('HEAVEN_ROLE must be all, server or worker, got "web"');
  });

  it("says to set DATABASE_URL for a worker or server without one", () => {
    for (const role of ["worker", "server"]) {
      expect(problem({ HEAVEN_ROLE: role })).toContain(`HEAVEN_ROLE=${role} shares its queue with the other heaven processes through PostgreSQL: set DATABASE_URL`);
    }
  });
});
