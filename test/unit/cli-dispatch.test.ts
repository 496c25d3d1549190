import { describe, expect, it } from "@jest/globals";
import { chooseDeployMode, isUrl, type DeployFacts } from "../../src/decisions/choose-deploy-mode.js";
import { resolveApp } from "../../src/decisions/resolve-app.js";
import { isGitHubRemote } from "../../src/cli/git-origin.js";

const facts = (over: Partial<DeployFacts>): DeployFacts => ({
  repo: undefined,
  positionals: [],
  apps: { hubot: ["staging", "production"], api: [] },
  appsSource: "./apps.yml",
  isPath: false,
  githubOrigin: false,
  ...over,
});

describe("which heaven deploy", () => {
  it("is GitHub with -R: <environment> [ref]", () => {
    expect(chooseDeployMode(facts({ repo: "octo/hubot", positionals: ["production", "main"] }))).toEqual({ mode: "github", repo: "octo/hubot", environment: "production", ref: "main" });
    expect(chooseDeployMode(facts({ repo: "octo/hubot", positionals: ["production", "main", "x"] }))).toEqual({ mode: "error", message: 'with -R octo/hubot, give <environment> [ref]: "x" is one word too many' });
  });

  it("is local for an app, an existing path or a URL, the app winning over a path", () => {
    expect(chooseDeployMode(facts({ positionals: ["hubot", "staging"], isPath: true }))).toEqual({ mode: "local", target: "hubot", app: "hubot", environment: "staging", ref: undefined });
    expect(chooseDeployMode(facts({ positionals: ["./repo", "production", "v1"], isPath: true }))).toEqual({ mode: "local", target: "./repo", app: undefined, environment: "production", ref: "v1" });
    expect(chooseDeployMode(facts({ positionals: ["git@git.example.com:ops/api.git", "production"], githubOrigin: true }))).toMatchObject({ mode: "local", app: undefined });
  });

  it("asks for the environment a local deploy lacks, listing the app's", () => {
    expect(chooseDeployMode(facts({ positionals: ["hubot"] }))).toEqual({ mode: "error", message: "missing <environment>: heaven deploy hubot <environment> [ref] (hubot's environments: staging, production)" });
  });

  it("is GitHub on the checkout's origin for 1–2 other words", () => {
    expect(chooseDeployMode(facts({ positionals: ["production"], githubOrigin: true }))).toEqual({ mode: "github", repo: undefined, environment: "production", ref: undefined });
    expect(chooseDeployMode(facts({ positionals: ["production", "topic"], githubOrigin: true }))).toMatchObject({ mode: "github", ref: "topic" });
    expect(chooseDeployMode(facts({ positionals: ["production", "topic", "x"], githubOrigin: true }))).toMatchObject({ mode: "error" });
  });

  it("otherwise lists the known apps and says how to name a path or -R", () => {
    expect(chooseDeployMode(facts({ positionals: ["hubbot", "staging"] }))).toEqual({
      mode: "error",
      message:
        '"hubbot" is not an app (apps in ./apps.yml: hubot, api), an existing path or a clone URL, and this directory is not a checkout with a GitHub origin. ' +
        "Name a path (./hubbot), a clone URL, or a GitHub repository with -R owner/repo.",
    });
  });

  it("knows clone URLs", () => {
    expect(["https://git.example.com/a/b.git", "file:///srv/a.git", "ssh://git@host/a", "git@github.com:a/b.git"].every(isUrl)).toBe(true);
    expect(["hubot", "octo/hubot", "./repo", "C:x"].some(isUrl)).toBe(false);
  });

  it("knows a GitHub origin, GH_HOST's too", () => {
    expect(isGitHubRemote("https://github.com/octo/hubot.git", undefined)).toBe(true);
    expect(isGitHubRemote("git@github.com:octo/hubot.git", undefined)).toBe(true);
    expect(isGitHubRemote("ssh://git@ghe.example.com/octo/hubot", "ghe.example.com")).toBe(true);
    expect(isGitHubRemote("https://gitlab.com/octo/hubot.git", undefined)).toBe(false);
    expect(isGitHubRemote("/srv/git/hubot.git", undefined)).toBe(false);
  });
});

describe("an app and its environment", () => {
  const apps = { hubot: { environments: ["staging", "production"] }, api: { environments: [] } };
  const choose = (name: string, environment: string) => resolveApp({ apps, environmentsOf: (app) => app.environments, name, environment, source: "./apps.yml" });

  it("is found, and an app that lists none takes any environment", () => {
    expect(choose("hubot", "staging")).toEqual({ ok: true, app: apps.hubot });
    expect(choose("api", "anything")).toEqual({ ok: true, app: apps.api });
  });

  it("lists the known apps or environments when it is not", () => {
    expect(choose("web", "staging")).toEqual({ ok: false, message: 'app "web" is not in ./apps.yml (known apps: hubot, api)' });
    expect(choose("hubot", "mars")).toEqual({ ok: false, message: 'app "hubot" has no environment "mars" in ./apps.yml (known: staging, production)' });
  });
});
