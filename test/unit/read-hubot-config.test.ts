import { describe, expect, it } from "@jest/globals";
import { z } from "zod";
import { readHubotConfig } from "../../src/decisions/read-hubot-config.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";

/** An apps.json entry as hubot-deploy 0.13 puts it in `payload.config`. */
const APPS_JSON_ENTRY = {
  provider: "heroku",
  repository: "acme/web",
  environments: ["production", "staging"],
  heroku_name: "acme-web",
  heroku_staging_name: "acme-web-staging",
  production_url: "https://acme.example.com",
  required_contexts: ["ci/test"],
  allowed_rooms: ["ops"],
  auto_merge: false,
  deploy_script: "script/ship",
};

describe("readHubotConfig", () => {
  it("maps Heaven's keys onto heaven's and ignores the chat-side ones", () => {
    expect(readHubotConfig(APPS_JSON_ENTRY, "production")).toEqual({
      ok: true,
      settings: {
        provider: "heroku",
        required_contexts: ["ci/test"],
        script: "script/ship",
        environment_url: "https://acme.example.com",
        heroku_app: "acme-web",
      },
    });
  });

  it("takes the environment's own heroku app name over the default one", () => {
    expect(readHubotConfig(APPS_JSON_ENTRY, "staging")).toMatchObject({ ok: true, settings: { heroku_app: "acme-web-staging" } });
    expect(readHubotConfig(APPS_JSON_ENTRY, "staging")).not.toMatchObject({ settings: { environment_url: expect.anything() } });
  });

  it("reads Elastic Beanstalk's app_name and payload.aws.region", () => {
    expect(readHubotConfig({ provider: "elastic_beanstalk", app_name: "acme-api" }, "production", { region: "eu-west-1" })).toEqual({
      ok: true,
      settings: { provider: "elastic_beanstalk", application: "acme-api", region: "eu-west-1" },
    });
  });

  it("prefers heaven's own key when both spellings are present", () => {
    expect(readHubotConfig({ script: "bin/deploy", deploy_script: "script/ship" }, "production")).toEqual({ ok: true, settings: { script: "bin/deploy" } });
  });

  it("refuses a payload.config that is not an object", () => {
    expect(readHubotConfig(["heroku"], "production")).toEqual({ ok: false, error: "payload.config: (top level): Invalid input: expected object, received array" });
  });
});

describe("a hubot-deploy deployment through resolveConfig", () => {
  const providers = {
    shell: { options: z.object({}).strict() },
    heroku: { options: z.object({ heroku_app: z.string().optional() }).strict(), payloadKeys: ["heroku_app"] },
    ssh: { options: z.object({ hosts: z.array(z.string()).optional(), deploy_to: z.string().optional() }).strict() },
  };
  const resolve = (file: unknown, payloadConfig: unknown) => resolveConfig({ file, payloadConfig, environment: "production", providers, defaultTimeoutSeconds: 300 });

  it("runs with no .github/heaven.yml at all (Heaven's way)", () => {
    expect(resolve(null, APPS_JSON_ENTRY)).toMatchObject({
      ok: true,
      config: { provider: "heroku", script: "script/ship", environmentUrl: "https://acme.example.com", requiredContexts: ["ci/test"], options: { heroku_app: "acme-web" } },
    });
  });

  it("lets the repository's file win over the payload", () => {
    expect(resolve({ heroku_app: "acme-web-from-repo", required_contexts: [] }, APPS_JSON_ENTRY)).toMatchObject({
      ok: true,
      config: { options: { heroku_app: "acme-web-from-repo" }, requiredContexts: [] },
    });
  });

  it("never lets a payload fill a provider key the provider keeps for the file (hosts, deploy_to)", () => {
    const resolved = resolve({ provider: "ssh" }, { hosts: ["evil.example.com"], deploy_to: "/", provider: "ssh" });
    expect(resolved).toMatchObject({ ok: true, config: { provider: "ssh", options: {} } });
  });

  it("never lets a payload name secrets, variables or parallelism", () => {
    const resolved = resolve(null, { secrets: ["PRIVATE_KEY"], env: { LD_PRELOAD: "/tmp/x.so" }, parallel: 64 });
    expect(resolved).toMatchObject({ ok: true, config: { secrets: [], env: {}, parallel: 4 } });
  });
});
