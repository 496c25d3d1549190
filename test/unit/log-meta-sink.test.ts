import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import type { DeploymentRecord } from "../../src/core/record.js";
import { logMetaPath } from "../../src/engine/log-links.js";
import { foldLogMeta, githubWebUrl, LogMetaSink } from "../../src/engine/log-meta-sink.js";
import { FileLogStore } from "../../src/engine/log-store.js";
import { tempDir } from "../helpers/git-repo.js";

const sha = "0123456789abcdef0123456789abcdef01234567";
const job: DeploymentJob = {
  key: "github:deployment:41",
  lane: laneOf("octo/app", "production"),
  origin: { kind: "github", installationId: 1, owner: "octo", repo: "app", deploymentId: 41 },
  acceptedAt: 1_000,
  request: { id: "41", repository: { fullName: "octo/app", cloneUrl: "/x" }, environment: "production", ref: "topic", sha, task: "deploy", force: false, payloadConfig: undefined, creator: "acme-hubot" },
};
const record: DeploymentRecord = {
  id: 41,
  sha,
  ref: "topic",
  task: "deploy",
  environment: "production",
  createdAt: "2026-11-22T14:03:00Z",
  creator: { login: "acme-hubot", type: "User" },
  payload: { notify: { user_name: "atmos", room: "ops" } },
  description: null,
};
const started = { type: "started" as const, sha, forcedOver: undefined, environmentUrl: "https://app.example.com" };
const succeeded = { type: "finished" as const, outcome: { kind: "succeeded" as const, what: "script/deploy", durationMs: 4_000 }, environmentUrl: "https://app.example.com" };

describe("foldLogMeta", () => {
  it("records what was deployed where, linked to the repository on GitHub", () => {
    expect(foldLogMeta(undefined, job, started, 2_000, "https://github.com")).toEqual({
      repository: "octo/app",
      repositoryUrl: "https://github.com/octo/app",
      deploymentId: "41",
      environment: "production",
      environmentUrl: "https://app.example.com",
      ref: "topic",
      sha,
      task: "deploy",
      who: "acme-hubot",
      state: "in_progress",
      description: "deploying topic (0123456) to production",
      finished: false,
      acceptedAt: 1_000,
      startedAt: 2_000,
      updatedAt: 2_000,
    });
  });

  it("names the person a chat bot deployed for, read from the GitHub record", () => {
    expect(foldLogMeta(undefined, { ...job, request: { ...job.request, record } }, started, 2_000, "https://github.com").who).toBe("atmos");
  });

  it("keeps when it started, and says when and how it finished", () => {
    const running = foldLogMeta(undefined, job, started, 2_000, "https://github.com");
    expect(foldLogMeta(running, job, succeeded, 6_000, "https://github.com")).toMatchObject({
      state: "success",
      description: "script/deploy succeeded in 4 s",
      finished: true,
      startedAt: 2_000,
      finishedAt: 6_000,
    });
  });

  it("has no GitHub link for a deployment from the command line", () => {
    const local: DeploymentJob = { ...job, origin: { kind: "local" } };
    expect(foldLogMeta(undefined, local, started, 2_000, "https://github.com").repositoryUrl).toBeUndefined();
  });

  it("is not finished while the deployment waits for CI", () => {
    expect(foldLogMeta(undefined, job, { type: "waiting-for-ci", sha, waiting: ["ci/test"], deadline: 9 }, 2_000, "https://github.com")).toMatchObject({
      state: "pending",
      finished: false,
    });
  });
});

describe("githubWebUrl", () => {
  it("is github.com unless GitHub Enterprise Server is configured the way Probot reads it", () => {
    expect(githubWebUrl({})).toBe("https://github.com");
    expect(githubWebUrl({ GHE_HOST: "ghe.example.com" })).toBe("https://ghe.example.com");
    expect(githubWebUrl({ GHE_HOST: "127.0.0.1:8080", GHE_PROTOCOL: "http" })).toBe("http://127.0.0.1:8080");
  });
});

describe("LogMetaSink", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir("heaven-log-meta-")));
  afterEach(() => tmp.remove());
  const KEY = "octo/app/41";

  it("writes events published at once in the order they were published, so the last word is the finish", async () => {
    const sink = new LogMetaSink({ dataDir: tmp.path, githubUrl: "https://github.com", secrets: [] });
    await Promise.all([sink.publish(job, started), sink.publish(job, succeeded)]);
    const info = await new FileLogStore(tmp.path).info(KEY);
    expect(info?.meta).toMatchObject({ state: "success", finished: true, startedAt: expect.any(Number) });
  });

  it("has written every event by the time it has taken the finish", async () => {
    const sink = new LogMetaSink({ dataDir: tmp.path, githubUrl: "https://github.com", secrets: [] });
    void sink.publish(job, started);
    await sink.publish(job, succeeded);
    expect((await new FileLogStore(tmp.path).info(KEY))?.meta).toMatchObject({ startedAt: expect.any(Number), finishedAt: expect.any(Number) });
  });

  it("writes nothing for the command line's deployments, which have no link to a page", async () => {
    const sink = new LogMetaSink({ dataDir: tmp.path, githubUrl: "https://github.com", secrets: [] });
    await sink.publish({ ...job, origin: { kind: "local" } }, succeeded);
    expect(await new FileLogStore(tmp.path).info(KEY)).toBeUndefined();
  });

  it("leaves only the metadata file behind, readable by heaven alone", async () => {
    const sink = new LogMetaSink({ dataDir: tmp.path, githubUrl: "https://github.com", secrets: [] });
    await sink.publish(job, succeeded);
    const path = logMetaPath(tmp.path, KEY);
    expect(readdirSync(dirname(path))).toEqual(["41.meta.json"]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("masks the secrets heaven knows in what it writes", async () => {
    const token = "ghs_abcdefghijklmnopqrstuvwxyz0123";
    const sink = new LogMetaSink({ dataDir: tmp.path, githubUrl: "https://github.com", secrets: [token] });
    const leaky = { ...job, request: { ...job.request, ref: `topic-${token}` } };
    await sink.publish(leaky, { type: "finished", outcome: { kind: "crashed", message: `could not use ${token}` }, environmentUrl: undefined });
    const written = readFileSync(logMetaPath(tmp.path, KEY), "utf8");
    expect(written).not.toContain(token);
    expect(written).toContain("********");
  });

  it("ignores the configuration event, which says nothing a reader of the log sees", async () => {
    const sink = new LogMetaSink({ dataDir: tmp.path, githubUrl: "https://github.com", secrets: [] });
    await sink.publish(job, { type: "configured", notify: { slack: undefined, webhook: undefined } });
    expect(await new FileLogStore(tmp.path).info(KEY)).toBeUndefined();
  });
});
