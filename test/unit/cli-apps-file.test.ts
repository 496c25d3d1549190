import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAppsFile, readAppsFile } from "../../src/cli/apps-file.js";
import { tempDir } from "../helpers/git-repo.js";

const dir = tempDir("heaven-apps-");
afterAll(() => dir.remove());

// hubot-deploy's own example (docs/config-file.md).
const HUBOT_APPS_JSON = `{
  "hubot": {
    "provider": "heroku",
    "auto_merge": false,
    "repository": "MyOrg/my-org-hubot",
    "environments": ["production"],
    "heroku_production_name": "my-orgs-hubot"
  },
  "dotcom": {
    "provider": "heroku",
    "repository": "MyOrg/www",
    "environments": ["production","staging"],
    "required_contexts": ["ci/janky", "security/brakeman"],
    "heroku_staging_name": "my-org-www-staging",
    "allowed_rooms": ["ops"]
  }
}`;

describe("apps.json (hubot-deploy's)", () => {
  it("reads every app with its repository and environments, and keeps the entry as hubot-deploy's payload.config", () => {
    const read = parseAppsFile(HUBOT_APPS_JSON, join(dir.path, "apps.json"));
    if (!read.ok) throw new Error(read.message);
    const { dotcom, hubot } = read.file.apps;
    expect(hubot).toMatchObject({ name: "hubot", repository: "MyOrg/my-org-hubot", environments: ["production"] });
    expect(dotcom?.environments).toEqual(["production", "staging"]);
    expect(dotcom?.payloadConfig).toMatchObject({ heroku_staging_name: "my-org-www-staging", allowed_rooms: ["ops"] });
    // As a heaven.yml: hubot-deploy's and the chat's keys left out, environments as a map.
    expect(dotcom?.config).toEqual({ provider: "heroku", required_contexts: ["ci/janky", "security/brakeman"], environments: { production: null, staging: null } });
  });
});

describe("apps.yml", () => {
  it("takes a heaven.yml-shaped entry, with a repository path relative to the file", () => {
    mkdirSync(join(dir.path, "repos", "api"), { recursive: true });
    const read = parseAppsFile(
      "api:\n  repository: repos/api\n  provider: ssh\n  hosts: [fe1, fe2]\n  environments:\n    staging:\n      deploy_to: /srv/api\n",
      join(dir.path, "apps.yml"),
    );
    if (!read.ok) throw new Error(read.message);
    expect(read.file.apps.api).toMatchObject({
      repository: join(dir.path, "repos", "api"),
      environments: ["staging"],
      config: { provider: "ssh", hosts: ["fe1", "fe2"], environments: { staging: { deploy_to: "/srv/api" } } },
    });
  });

  it.each([
    ["an app without a repository", "api:\n  provider: shell\n", 'app "api": repository: is required: a repository path, a clone URL or owner/repo'],
    ["environments that are neither a list nor a map", "api:\n  repository: x/y\n  environments: production\n", 'app "api": environments: must be a list of environment names, or a map of environment name to its settings'],
    ["a provider that is not a name", "api:\n  repository: x/y\n  provider: 3\n", 'app "api": provider: must be a provider name, like shell'],
    ["an app that is not a map", "api: octo/api\n", 'app "api": (the app): must be a map of settings with a repository'],
    ["a list instead of a map of apps", "- api\n", 'must map app names to their settings'],
    ["YAML that does not parse", "api: [\n", "is not valid YAML or JSON"],
  ])("names the file, the app and the key for %s", (_what, text, message) => {
    const read = parseAppsFile(text, "/etc/heaven/apps.yml");
    expect(read).toEqual({ ok: false, message: expect.stringContaining(message) });
    expect(read.ok ? "" : read.message).toMatch(/^\/etc\/heaven\/apps\.yml/);
  });
});

describe("which apps file", () => {
  it("is --apps, else HEAVEN_APPS, and either must exist", () => {
    writeFileSync(join(dir.path, "ops.yml"), "ops:\n  repository: o/ops\n");
    const byOption = readAppsFile("ops.yml", "/nowhere.yml", dir.path);
    expect(byOption.ok && Object.keys(byOption.file.apps)).toEqual(["ops"]);
    expect(readAppsFile(undefined, join(dir.path, "gone.yml"), dir.path)).toEqual({ ok: false, message: `${join(dir.path, "gone.yml")} does not exist (named by HEAVEN_APPS)` });
    expect(readAppsFile("gone.yml", undefined, dir.path)).toEqual({ ok: false, message: `${join(dir.path, "gone.yml")} does not exist (named by --apps)` });
  });

  it("is ./apps.yml, else ./apps.json, else none at all", () => {
    const cwd = join(dir.path, "cwd");
    mkdirSync(cwd);
    expect(readAppsFile(undefined, undefined, cwd)).toEqual({ ok: true, file: { source: `no ./apps.yml or ./apps.json in ${cwd}`, apps: {} } });
    writeFileSync(join(cwd, "apps.json"), HUBOT_APPS_JSON);
    const json = readAppsFile(undefined, undefined, cwd);
    expect(json.ok && json.file.source).toBe(join(cwd, "apps.json"));
    writeFileSync(join(cwd, "apps.yml"), "yml:\n  repository: o/yml\n");
    const yml = readAppsFile(undefined, undefined, cwd);
    expect(yml.ok && Object.keys(yml.file.apps)).toEqual(["yml"]);
  });
});
