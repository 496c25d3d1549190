import { describe, expect, it } from "@jest/globals";
import { checkEnvironmentName, checkHosts, checkRequest, checkTask } from "../../src/decisions/check-request.js";
import type { DeploymentRequest } from "../../src/core/request.js";

const request = (environment: string, task = "deploy"): DeploymentRequest => ({
  id: "1",
  repository: { fullName: "octo/app", cloneUrl: "/x" },
  environment,
  ref: "main",
  sha: "c".repeat(40),
  task,
  force: false,
  payloadConfig: undefined,
  creator: "alice",
});

const fix = "list it under environments in .github/heaven.yml to allow it";

describe("checkEnvironmentName", () => {
  it.each(["production", "staging", "qa-2", "eu_west.1", "review/pr-12", "Production"])("accepts %s", (name) => {
    expect(checkEnvironmentName(name)).toEqual({ ok: true });
  });

  it.each([
    ["production;id", 'environment "production;id" contains ";", which shells treat specially'],
    ["$(touch /tmp/x)", 'environment "$(touch /tmp/x)" contains "$", which shells treat specially'],
    ["a`b`", 'environment "a`b`" contains "`", which shells treat specially'],
    ["prod uction", 'environment "prod uction" contains whitespace, which shells treat specially'],
    ["prod\nuction", 'environment "prod\\nuction" contains a control character'],
    ["prod\u001b[31m", 'environment "prod\\u001b[31m" contains a control character'],
    ["../../etc", 'environment "../../etc" has a ".." path segment'],
    ["review/../../etc", 'environment "review/../../etc" has a ".." path segment'],
    ["-rf", 'environment "-rf" starts with "-", which commands read as an option'],
  ])("refuses %j naming the rule", (name, why) => {
    expect(checkEnvironmentName(name)).toEqual({ ok: false, message: `${why}; ${fix}` });
  });

  it("refuses a name longer than 100 characters, shown cut short", () => {
    const long = "p".repeat(300);
    expect(checkEnvironmentName(long)).toEqual({ ok: false, message: `environment "${"p".repeat(40)}…" is 300 characters long (at most 100); ${fix}` });
    expect(checkEnvironmentName("p".repeat(100))).toEqual({ ok: true });
  });
});

describe("checkTask", () => {
  it.each(["deploy", "deploy:migrations", "deploy:lock", "deploy:unlock", "deploy:rollback", "deploy:db.seed_2", "deploy:assets:precompile"])("accepts %s", (task) => {
    expect(checkTask(task)).toEqual({ ok: true });
  });

  it.each(["migrate", "deploy:", "deploy:$(id)", "deploy:a b", "deploy:-x", "deploy::x", "Deploy", `deploy:${"x".repeat(100)}`])("refuses %j", (task) => {
    expect(checkTask(task)).toMatchObject({ ok: false, message: expect.stringMatching(/^task ".*" is not deploy or deploy:<name> \(letters, digits, - _ \.\)$/) });
  });
});

describe("checkRequest", () => {
  it("takes an environment the configuration lists as configured, whatever its name", () => {
    expect(checkRequest(request("Production EU"), true)).toEqual({ ok: true });
    expect(checkRequest(request("Production EU"), false)).toMatchObject({ ok: false });
  });

  it("checks the task before the environment, even for a listed environment", () => {
    expect(checkRequest(request("production", "rm -rf"), true)).toMatchObject({ ok: false, message: expect.stringMatching(/^task "rm -rf"/) });
  });
});

describe("checkHosts", () => {
  it("accepts host names, addresses, ports and user@host", () => {
    expect(checkHosts(["fe", "app1.example.com", "10.0.0.1", "deploy@app2:2222"])).toEqual({ ok: true });
    expect(checkHosts(undefined)).toEqual({ ok: true });
  });

  it.each(["-oProxyCommand=touch /tmp/x", "$(id)", "a;b", "a b", "../etc"])("refuses %j", (host) => {
    expect(checkHosts([host])).toMatchObject({ ok: false, message: expect.stringContaining("in the payload is not a host name") });
  });
});
