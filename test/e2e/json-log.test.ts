/**
 * LOG_FORMAT=json gives JSON throughout: heaven's real server, from its
 * start through a deployment to its stop on SIGTERM, writes nothing but
 * JSON lines; and bad settings are a JSON line too (text without JSON).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { HeavenExitedError, startHeaven } from "../helpers/heaven-server.js";

const FULL_NAME = "Codertocat/Hello-World";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;

beforeAll(async () => {
  tmp = tempDir("heaven-json-log-");
  github = new FakeGitHub();
  await github.start();
});

afterAll(async () => {
  await github?.stop();
  tmp?.remove();
});

/** Every line that is not JSON (an object), with its number. */
function notJson(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line !== "")
    .filter((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return typeof value !== "object" || value === null;
      } catch {
        return true;
      }
    });
}

async function startFailing(env: Record<string, string>): Promise<HeavenExitedError> {
  try {
    const heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "bad"), env });
    await heaven.stop();
  } catch (error) {
    if (error instanceof HeavenExitedError) return error;
    throw error;
  }
  throw new Error("heaven started with bad settings");
}

describe("LOG_FORMAT=json", () => {
  it("writes only JSON lines from start, through a deployment, to a stop on SIGTERM", async () => {
    const origin = createRepo(tmp.path, "origin", { "script/deploy": script('echo "deploying $SHA"') });
    origin.git("branch", "-m", "master");
    github.addRepo(FULL_NAME, { dir: origin.dir, defaultBranch: "master" });
    const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
    event.repository.clone_url = `file://${origin.dir}`;
    Object.assign(event.deployment, { id: 7001, sha: origin.sha, payload: {} });

    const heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "data"), env: { LOG_FORMAT: "json", NODE_ENV: "development" } });
    expect((await heaven.webhook("deployment", event)).status).toBeLessThan(300);
    expect((await github.waitForFinalStatus(7001)).state).toBe("success");
    expect(await heaven.stop()).toBe(0);

    const output = heaven.output();
    // The start, the deployment and the stop are all in there.
    expect(output).toContain("Listening on");
    expect(output).toContain('"msg":"stopped"');
    expect(notJson(output)).toEqual([]);
  });

  it("reports invalid settings as a JSON line, and as readable text with LOG_FORMAT=pretty", async () => {
    const json = await startFailing({ LOG_FORMAT: "json", HEAVEN_CONCURRENCY: "many" });
    expect(json.exit.code).toBe(1);
    expect(notJson(json.output)).toEqual([]);
    const line = JSON.parse(json.output.trim().split("\n").at(-1) as string) as { level: number; msg: string };
    expect(line).toMatchObject({ level: 60, msg: expect.stringContaining('HEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "many"') });

    const text = await startFailing({ LOG_FORMAT: "pretty", HEAVEN_CONCURRENCY: "many" });
    expect(text.exit.code).toBe(1);
    expect(text.output).toContain('heaven: invalid settings:\nHEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "many"');
  });
});
