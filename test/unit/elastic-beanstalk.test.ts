import { describe, expect, it } from "@jest/globals";
import type { EnvironmentDescription, EventDescription, EventSeverity } from "@aws-sdk/client-elastic-beanstalk";
import type { ProviderContext } from "../../src/core/provider.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";
import { providers } from "../../providers/index.js";
import { awsSettings } from "../../providers/elastic-beanstalk/aws-clients.js";
import { ebOptions } from "../../providers/elastic-beanstalk/options.js";
import { failureEvent, freshEvents, judgeReading, NEW_WATCH, readEnvironmentHealth, type Verdict } from "../../providers/elastic-beanstalk/read-environment-health.js";
import { releaseNames, type ReleaseInput } from "../../providers/elastic-beanstalk/release-names.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

const names = (overrides: Partial<ReleaseInput> = {}) =>
  releaseNames({ options: { application: "acme-api" }, environment: "production", sha: SHA, deploymentId: "4242", ref: "main", bucketFromEnv: "heaven-bundles", ...overrides });

/** resolveConfig with the real registry, as heaven runs it. */
const resolve = (file: unknown, payloadConfig?: unknown, payloadAws?: unknown) =>
  resolveConfig({ file, payloadConfig, payloadAws, environment: "production", providers, defaultTimeoutSeconds: 300 });

describe("elastic_beanstalk names", () => {
  it("updates <application>-<environment> to version <sha12>-<deployment id>, bundled under the application's folder", () => {
    expect(names()).toEqual({
      ok: true,
      names: {
        application: "acme-api",
        environmentName: "acme-api-production",
        bucket: "heaven-bundles",
        key: "acme-api/0123456789ab-4242.zip",
        versionLabel: "0123456789ab-4242",
        description: `heaven: main at ${SHA}`,
      },
    });
  });

  it("takes environment_name and bucket from the configuration over the defaults", () => {
    const named = names({ options: { application: "acme-api", environment_name: "acme-live", bucket: "repo-bucket" } });
    expect(named).toMatchObject({ ok: true, names: { environmentName: "acme-live", bucket: "repo-bucket" } });
  });

  it("keeps a command-line deployment's id label-safe", () => {
    expect(names({ deploymentId: "local/2024 07" })).toMatchObject({ ok: true, names: { versionLabel: "0123456789ab-local-2024-07" } });
  });

  it("names both places a bucket can come from when there is none", () => {
    expect(names({ bucketFromEnv: undefined })).toEqual({
      ok: false,
      message: "no S3 bucket: set bucket in .github/heaven.yml or heaven's BEANSTALK_S3_BUCKET",
    });
    expect(names({ bucketFromEnv: "Not_A_Bucket" })).toMatchObject({ ok: false, message: expect.stringMatching(/^heaven's BEANSTALK_S3_BUCKET is not an S3 bucket name/) });
  });

  it("asks for environment_name when the derived name is not one Elastic Beanstalk accepts", () => {
    expect(names({ environment: "production_eu" })).toEqual({
      ok: false,
      message: '"acme-api-production_eu" is not a valid environment name; set environment_name in .github/heaven.yml',
    });
  });
});

describe("elastic_beanstalk options", () => {
  it("is registered as an API provider whose payload may fill only application and region", () => {
    expect(providers.elastic_beanstalk).toMatchObject({ kind: "api", payloadKeys: ["application", "region"] });
  });

  it("fails a configuration without an application, naming the key", () => {
    expect(resolve({ provider: "elastic_beanstalk" })).toEqual({
      ok: false,
      error: ".github/heaven.yml: application: required: the Elastic Beanstalk application's name (hubot-deploy's app_name) (provider elastic_beanstalk)",
    });
  });

  it("reads hubot-deploy's app_name and payload.aws.region", () => {
    const resolved = resolve(null, { provider: "elastic_beanstalk", app_name: "acme-api", repository: "acme/api", environments: ["production"] }, { region: "eu-west-1" });
    expect(resolved).toMatchObject({ ok: true, config: { provider: "elastic_beanstalk", options: { application: "acme-api", region: "eu-west-1" } } });
  });

  it("lets the file win over the payload, and never takes a bucket from the payload", () => {
    const resolved = resolve({ provider: "elastic_beanstalk", application: "from-file" }, { app_name: "from-payload", bucket: "attacker-bucket" });
    expect(resolved).toMatchObject({ ok: true, config: { options: { application: "from-file" } } });
    expect(resolved.ok && resolved.config.options.bucket).toBeUndefined();
  });

  it("refuses a region that is not an AWS region name (a payload must not pick the host)", () => {
    const resolved = resolve({ provider: "elastic_beanstalk", application: "acme-api" }, undefined, { region: "evil.example.com#" });
    expect(resolved).toEqual({ ok: false, error: "payload.config: region: must be an AWS region, like eu-west-1 (provider elastic_beanstalk)" });
  });

  it("refuses keys it does not know and a poll faster than a second", () => {
    expect(ebOptions.safeParse({ application: "a", app: "b" }).success).toBe(false);
    expect(ebOptions.safeParse({ application: "a", poll_seconds: 0.1 }).success).toBe(false);
  });

  it("is described by the environment it updates", () => {
    const context = { options: { application: "acme-api" }, request: { environment: "staging" } } as unknown as ProviderContext;
    expect(providers.elastic_beanstalk?.describe(context)).toBe("Elastic Beanstalk acme-api-staging");
  });
});

describe("elastic_beanstalk credentials and endpoints", () => {
  it("signs with BEANSTALK_* keys when both are set, and leaves the SDK's chain alone otherwise", () => {
    expect(awsSettings({ BEANSTALK_ACCESS_KEY_ID: "AKID", BEANSTALK_SECRET_ACCESS_KEY: "secret" }, "eu-west-1")).toMatchObject({
      ok: true,
      settings: { region: "eu-west-1", credentials: { accessKeyId: "AKID", secretAccessKey: "secret" } },
    });
    expect(awsSettings({}, undefined)).toEqual({ ok: true, settings: { region: undefined, credentials: undefined, s3Endpoint: undefined, ebEndpoint: undefined } });
  });

  it("refuses half a key pair rather than mixing it with other credentials", () => {
    expect(awsSettings({ BEANSTALK_ACCESS_KEY_ID: "AKID" }, undefined)).toMatchObject({ ok: false, message: expect.stringContaining("BEANSTALK_SECRET_ACCESS_KEY") });
  });

  it("uses the SDK's standard endpoint variables, a service's own winning over the shared one", () => {
    const settings = awsSettings({ AWS_ENDPOINT_URL: "http://127.0.0.1:9000", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9001" }, undefined);
    expect(settings).toMatchObject({ ok: true, settings: { s3Endpoint: "http://127.0.0.1:9001", ebEndpoint: "http://127.0.0.1:9000" } });
  });
});

const TARGET = { environmentName: "acme-api-production", versionLabel: "0123456789ab-4242" };
type Look = Partial<EnvironmentDescription> | undefined;
const env = (look: Partial<EnvironmentDescription>): EnvironmentDescription => ({ EnvironmentName: TARGET.environmentName, VersionLabel: TARGET.versionLabel, ...look });

/** The verdict after looking at the environment every `pollMs`, as the watch does (undefined: no such environment). */
function outcome(looks: readonly Look[], { pollMs = 5_000, greenTimeoutMs = 60_000 } = {}): Verdict {
  let watch = NEW_WATCH;
  let verdict: Verdict = { kind: "wait", watch, what: "not looked" };
  looks.forEach((look, index) => {
    if (verdict.kind !== "wait") return;
    verdict = judgeReading(readEnvironmentHealth({ Environments: look === undefined ? [] : [env(look)] }, TARGET), watch, index * pollMs, greenTimeoutMs);
    if (verdict.kind === "wait") watch = verdict.watch;
  });
  return verdict;
}

const updating = { Status: "Updating", Health: "Grey" } as const;
const green = { Status: "Ready", Health: "Green", CNAME: "acme.eu-west-1.elasticbeanstalk.com" } as const;

describe("elastic_beanstalk health", () => {
  it("is deployed once the environment is Ready and Green at the new version", () => {
    expect(outcome([updating, updating, green])).toEqual({ kind: "deployed", cname: "acme.eu-west-1.elasticbeanstalk.com" });
  });

  it("keeps waiting while the environment updates", () => {
    expect(outcome([updating, updating])).toMatchObject({ kind: "wait", what: "Updating, health Grey" });
  });

  it("fails at Red health, naming it", () => {
    expect(outcome([updating, { Status: "Updating", Health: "Red", HealthStatus: "Severe" }, green])).toEqual({
      kind: "failed",
      message: "health is Red (Severe), status Updating",
    });
  });

  it("waits for a Ready Yellow environment to turn Green", () => {
    expect(outcome([updating, { Status: "Ready", Health: "Yellow" }, { Status: "Ready", Health: "Yellow" }, green])).toMatchObject({ kind: "deployed" });
  });

  it("fails when a Ready environment stays non-Green past green_timeout", () => {
    const yellow = { Status: "Ready", Health: "Yellow", HealthStatus: "Warning" } as const;
    expect(outcome([updating, yellow, yellow, yellow, green], { pollMs: 5_000, greenTimeoutMs: 10_000 })).toEqual({
      kind: "failed",
      message: "Ready, health Yellow (Warning) for 10 s",
    });
  });

  it("waits when the first look still shows the old version (the update not visible yet)", () => {
    expect(outcome([{ Status: "Ready", Health: "Green", VersionLabel: "v0" }, updating, green])).toMatchObject({ kind: "deployed" });
  });

  it("fails when the update ends at another version (rolled back)", () => {
    expect(outcome([updating, { Status: "Ready", Health: "Green", VersionLabel: "v0" }])).toEqual({
      kind: "failed",
      message: "rolled back: Ready at version v0, health Green",
    });
  });

  it("fails when the environment is gone", () => {
    expect(outcome([undefined])).toEqual({ kind: "failed", message: "environment acme-api-production does not exist" });
    expect(outcome([{ Status: "Terminated", Health: "Grey" }])).toEqual({ kind: "failed", message: "environment acme-api-production does not exist (Terminated)" });
  });
});

describe("elastic_beanstalk events", () => {
  const at = (second: number, message: string, Severity: EventSeverity = "INFO"): EventDescription => ({ EventDate: new Date(Date.UTC(2024, 0, 1, 0, 0, second)), Message: message, Severity });

  it("gives new events oldest first, and each only once", () => {
    const newestFirst = [at(3, "completed"), at(2, "deploying"), at(1, "starting")];
    const seen = new Set([`${at(1, "starting").EventDate?.toISOString()} INFO starting`]);
    expect(freshEvents(newestFirst, seen).map((e) => e.Message)).toEqual(["deploying", "completed"]);
  });

  it("keeps AWS's order for events of the same second", () => {
    expect(freshEvents([at(1, "second"), at(1, "first")], new Set()).map((e) => e.Message)).toEqual(["first", "second"]);
  });

  it("treats ERROR and FATAL events as the deployment's failure, WARN not", () => {
    expect(failureEvent([at(1, "slow", "WARN")])).toBeUndefined();
    expect(failureEvent([at(1, "slow", "WARN"), at(2, "Failed to deploy application.", "ERROR")])?.Message).toBe("Failed to deploy application.");
    expect(failureEvent([at(1, "instance gone", "FATAL")])?.Severity).toBe("FATAL");
  });
});
