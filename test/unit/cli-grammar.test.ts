import { describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import type { DeployArgs } from "../../src/cli/commands/deploy.js";
import type { LogsArgs } from "../../src/cli/commands/logs.js";
import { runCli, type CliHandlers } from "../../src/cli/program.js";
import { completionScript } from "../../src/cli/completion-script.js";
import { buildProgram } from "../../src/cli/program.js";

/** Parses argv with commander, recording what each command would be asked to do; nothing runs. */
async function parse(argv: string[]) {
  const calls: Array<{ command: string; args: unknown }> = [];
  let out = "";
  let err = "";
  const handlers: CliHandlers = {
    deploy: async (args: DeployArgs) => (calls.push({ command: "deploy", args }), 0),
    logs: async (args: LogsArgs) => (calls.push({ command: "logs", args }), 0),
    completion: async (shell) => (calls.push({ command: "completion", args: shell }), 0),
    act: async (verb, options) => (calls.push({ command: verb.kind, args: { verb, options } }), 0),
    wcid: async (options) => (calls.push({ command: "wcid", args: options }), 0),
    deploys: async (environment, options) => (calls.push({ command: "deploys", args: { environment, options } }), 0),
  };
  const code = await runCli(argv, handlers, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, calls, out, err };
}

const deployDefaults = { repo: undefined, apps: undefined, hosts: undefined, task: undefined, force: false, dryRun: false, log: undefined, wait: false, json: false };

describe("heaven deploy's grammar", () => {
  it("takes <app|path|url> <environment> [ref] and every local option", async () => {
    const { code, calls } = await parse(["deploy", "hubot", "staging", "v1.2", "--hosts", "fe,db", "--hosts", "cron", "--task", "migrate", "--force", "--dry-run", "--log", "out.log", "--apps", "ops/apps.yml"]);
    expect(code).toBe(0);
    expect(calls).toEqual([
      { command: "deploy", args: { ...deployDefaults, positionals: ["hubot", "staging", "v1.2"], hosts: ["fe", "db", "cron"], task: "migrate", force: true, dryRun: true, log: "out.log", apps: "ops/apps.yml" } },
    ]);
  });

  it("takes -R owner/repo with <environment> [ref], --wait and --json", async () => {
    const { calls } = await parse(["deploy", "-R", "octo/hubot", "production", "main", "--wait", "--json"]);
    expect(calls).toEqual([{ command: "deploy", args: { ...deployDefaults, positionals: ["production", "main"], repo: "octo/hubot", wait: true, json: true } }]);
  });

  it.each([
    [["deploy"], "error: missing required argument 'app|path|url|environment'"],
    [["deploy", "a", "b", "c", "d"], "error: too many arguments for 'deploy'. Expected 3 arguments but got 4."],
    [["deploy", "a", "b", "--task"], "error: option '--task <task>' argument missing"],
    [["deploy", "a", "b", "--nope"], "error: unknown option '--nope'"],
  ])("refuses %j with exit 2 and says what is wrong", async (argv, message) => {
    const { code, calls, err } = await parse(argv);
    expect({ code, calls }).toEqual({ code: 2, calls: [] });
    expect(err).toContain(message);
    expect(err).toContain("(heaven help <command> shows its usage)");
  });
});

describe("the GitHub verbs' grammar", () => {
  const common = { json: false, wait: false };

  it("lock takes <environment>, --reason, --for as a duration, -R, --wait and --json", async () => {
    const { code, calls } = await parse(["lock", "production", "--reason", "db work", "--for", "2h", "-R", "octo/hubot", "--wait", "--json"]);
    expect(code).toBe(0);
    expect(calls).toEqual([{ command: "lock", args: { verb: { kind: "lock", environment: "production", reason: "db work", ttlSeconds: 7200 }, options: { repo: "octo/hubot", json: true, wait: true } } }]);
  });

  it("unlock and rollback take <environment> and the common options", async () => {
    expect((await parse(["unlock", "staging"])).calls).toEqual([{ command: "unlock", args: { verb: { kind: "unlock", environment: "staging" }, options: common } }]);
    expect((await parse(["rollback", "production", "-R", "o/r"])).calls).toEqual([{ command: "rollback", args: { verb: { kind: "rollback", environment: "production" }, options: { ...common, repo: "o/r" } } }]);
  });

  it("wcid takes no argument and no --wait; deploys takes an optional environment and --limit", async () => {
    expect((await parse(["wcid", "--json"])).calls).toEqual([{ command: "wcid", args: { json: true } }]);
    expect((await parse(["deploys"])).calls).toEqual([{ command: "deploys", args: { environment: undefined, options: { json: false, limit: 10 } } }]);
    expect((await parse(["deploys", "production", "-n", "3"])).calls).toEqual([{ command: "deploys", args: { environment: "production", options: { json: false, limit: 3 } } }]);
  });

  it("passes the verb's exit status on", async () => {
    const code = await runCli(["unlock", "staging"], { ...({} as CliHandlers), act: async () => 1 }, { out: () => {}, err: () => {} });
    expect(code).toBe(1);
  });

  it.each([
    [["lock"], "error: missing required argument 'environment'"],
    [["lock", "production", "--for", "soon"], "--for wants a duration like 30m, 2h or 1d"],
    [["lock", "production", "--for", "0m"], "--for 0m:"],
    [["unlock", "a", "b"], "error: too many arguments for 'unlock'"],
    [["wcid", "--wait"], "error: unknown option '--wait'"],
    [["deploys", "-n", "0"], "--limit must be a whole number above 0"],
  ])("refuses %j with exit 2 and says what is wrong", async (argv, message) => {
    const { code, calls, err } = await parse(argv);
    expect({ code, calls }).toEqual({ code: 2, calls: [] });
    expect(err).toContain(message);
  });
});

describe("heaven logs' grammar", () => {
  it("takes an optional id, --follow and --limit", async () => {
    expect((await parse(["logs"])).calls).toEqual([{ command: "logs", args: { id: undefined, follow: false, limit: 20 } }]);
    expect((await parse(["logs", "local-1", "-f"])).calls).toEqual([{ command: "logs", args: { id: "local-1", follow: true, limit: 20 } }]);
    expect((await parse(["logs", "-n", "5"])).calls).toEqual([{ command: "logs", args: { id: undefined, follow: false, limit: 5 } }]);
  });

  it("refuses a --limit that is not a count", async () => {
    const { code, err } = await parse(["logs", "-n", "many"]);
    expect(code).toBe(2);
    expect(err).toContain('--limit must be a whole number above 0, got "many"');
  });
});

describe("heaven completion", () => {
  it("takes bash or zsh only", async () => {
    expect((await parse(["completion", "zsh"])).calls).toEqual([{ command: "completion", args: "zsh" }]);
    const fish = await parse(["completion", "fish"]);
    expect(fish.code).toBe(2);
    expect(fish.err).toContain("error: command-argument value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.");
  });

  it("completes every command and its options from the definitions", () => {
    const program = buildProgram({ deploy: async () => 0, logs: async () => 0, completion: async () => 0 }, () => undefined);
    const bash = completionScript("bash", program);
    expect(bash).toContain('words="deploy logs completion');
    expect(bash).toMatch(/deploy\) words="-R --repo --apps --hosts --task --force --dry-run --log --wait --json --help"/);
    expect(bash).toContain('completion) words="--help bash zsh"');
    expect(bash).toContain("complete -F _heaven_complete heaven");
    const zsh = completionScript("zsh", program);
    expect(zsh).toContain("#compdef heaven");
    expect(zsh).toContain("logs) compadd -- -f --follow -n --limit --help; _files ;;");
  });
});

describe("bash completion, run by bash", () => {
  const program = buildProgram({ deploy: async () => 0, logs: async () => 0, completion: async () => 0 }, () => undefined);
  /** What bash offers for the words typed so far (the last one being completed). */
  const offer = (...words: string[]) =>
    execFileSync("bash", ["-c", `${completionScript("bash", program)}\nCOMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _heaven_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, "bash", "heaven", ...words], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line !== "");

  it("completes commands, options and choices", () => {
    expect(offer("log")).toEqual(["logs"]);
    expect(offer("deploy", "--dr")).toEqual(["--dry-run"]);
    expect(offer("completion", "z")).toEqual(["zsh"]);
    expect(offer("help", "comp")).toEqual(["completion"]);
  });
});

describe("help and version", () => {
  it("exits 0 for --version and --help, 2 with no command", async () => {
    expect((await parse(["--version"])).code).toBe(0);
    expect((await parse(["help", "logs"])).out).toContain("Usage: heaven logs [options] [id]");
    const none = await parse([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("Usage: heaven [options] [command]");
  });
});
