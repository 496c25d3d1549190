import { describe, expect, it } from "@jest/globals";
import { COMMAND_FORMS, DEFAULT_PREFIXES, LINE_LIMIT, parseCommand, type Command, type CommandParse } from "../../src/decisions/parse-command.js";

const DEPLOY_FORM = "/deploy [<ref>] [to <environment>[/<hosts>]]";
const FORCE_FORM = "/deploy! [<ref>] [to <environment>[/<hosts>]]";
const TASK_FORM = "/deploy:<task> [<ref>] [to <environment>[/<hosts>]]";
const LOCK_FORM = "/lock <environment> [<reason>] [for <duration>]";

const deploy = (fields: Partial<Extract<Command, { kind: "deploy" }>> = {}): Command => ({ kind: "deploy", force: false, task: "deploy", ...fields });
const REF_RULE = "(a ref is a branch, tag or sha: letters, digits and . _ - / + @ , =)";
const ENVIRONMENT_RULE = '(an environment name is letters, digits, ".", "-" and "_")';
const HOST_RULE = '(letters, digits, "_", ".", ":", "@" and "-", not starting with "-")';
const SHA = "0123456789abcdef0123456789abcdef01234567";

function commandOf(parse: CommandParse): Command | undefined {
  return parse.kind === "command" ? parse.command : undefined;
}

describe("parseCommand: prefixed commands", () => {
  it.each<[string, Command]>([
    ["/deploy", deploy()],
    ["/Deploy", deploy()],
    ["/DEPLOY", deploy()],
    [".deploy", deploy()],
    ["/deploy to staging", deploy({ environment: "staging" })],
    ["/deploy main to staging", deploy({ ref: "main", environment: "staging" })],
    ["/deploy main", deploy({ ref: "main" })],
    ["/deploy feature/Login-Fix to Production", deploy({ ref: "feature/Login-Fix", environment: "Production" })],
    [`/deploy ${SHA} to production`, deploy({ ref: SHA, environment: "production" })],
    ["/deploy abc1234", deploy({ ref: "abc1234" })],
    ["/deploy v1.2.3", deploy({ ref: "v1.2.3" })],
    ["/deploy renovate/@types-node-20.x", deploy({ ref: "renovate/@types-node-20.x" })],
    ["/deploy to production/fe1,fe2", deploy({ environment: "production", hosts: ["fe1", "fe2"] })],
    ["/deploy main to production/fe1", deploy({ ref: "main", environment: "production", hosts: ["fe1"] })],
    ["/deploy to production/db-1.example.com,10.0.0.7:22,deploy@fe3", deploy({ environment: "production", hosts: ["db-1.example.com", "10.0.0.7:22", "deploy@fe3"] })],
    ["/deploy:migrate to staging", deploy({ task: "deploy:migrate", environment: "staging" })],
    ["/deploy:assets:precompile", deploy({ task: "deploy:assets:precompile" })],
    ["/DEPLOY:Migrate main", deploy({ task: "deploy:Migrate", ref: "main" })],
    ["/deploy!", deploy({ force: true })],
    ["/DEPLOY!", deploy({ force: true })],
    ["/deploy! to production", deploy({ force: true, environment: "production" })],
    ["/deploy:migrate! to staging", deploy({ force: true, task: "deploy:migrate", environment: "staging" })],
    ["/deploy!:migrate to staging", deploy({ force: true, task: "deploy:migrate", environment: "staging" })],
    ["/deploy in staging", deploy({ environment: "staging" })],
    ["/deploy main on staging", deploy({ ref: "main", environment: "staging" })],
    ["/deploy main TO staging", deploy({ ref: "main", environment: "staging" })],
    ["/deploy   main    to   staging", deploy({ ref: "main", environment: "staging" })],
    ["/deploy\tmain\tto\tstaging", deploy({ ref: "main", environment: "staging" })],
    ["/lock production", { kind: "lock", environment: "production" }],
    ["/LOCK Production", { kind: "lock", environment: "Production" }],
    ["/lock production db work", { kind: "lock", environment: "production", reason: "db work" }],
    ["/lock production db work for 2h", { kind: "lock", environment: "production", reason: "db work", ttlSeconds: 7_200 }],
    ["/lock production for 2 hours", { kind: "lock", environment: "production", ttlSeconds: 7_200 }],
    ["/lock production for 1 day", { kind: "lock", environment: "production", ttlSeconds: 86_400 }],
    ["/lock production for 30m", { kind: "lock", environment: "production", ttlSeconds: 1_800 }],
    ["/lock production for 90s", { kind: "lock", environment: "production", ttlSeconds: 90 }],
    ["/lock production for 1d", { kind: "lock", environment: "production", ttlSeconds: 86_400 }],
    ["/lock production for 1h30m", { kind: "lock", environment: "production", ttlSeconds: 5_400 }],
    ["/lock production FOR 2H", { kind: "lock", environment: "production", ttlSeconds: 7_200 }],
    ["/lock production waiting for the migration", { kind: "lock", environment: "production", reason: "waiting for the migration" }],
    ["/lock production for 2h then the rest", { kind: "lock", environment: "production", reason: "for 2h then the rest" }],
    ["/lock production demo for 2 customers", { kind: "lock", environment: "production", reason: "demo for 2 customers" }],
    ["/lock production waiting for QA for 1 day", { kind: "lock", environment: "production", reason: "waiting for QA", ttlSeconds: 86_400 }],
    ["/lock in production db work", { kind: "lock", environment: "production", reason: "db work" }],
    ["/lock production 🚧 freeze: don't deploy", { kind: "lock", environment: "production", reason: "🚧 freeze: don't deploy" }],
    ["/lock production db\u200bwork \u202eevil\u0007", { kind: "lock", environment: "production", reason: "dbwork evil" }],
    ["/deploy:lock production db work", { kind: "lock", environment: "production", reason: "db work" }],
    ["/unlock production", { kind: "unlock", environment: "production" }],
    ["/unlock in production", { kind: "unlock", environment: "production" }],
    ["/deploy:unlock production", { kind: "unlock", environment: "production" }],
    ["/wcid", { kind: "wcid" }],
    ["/WCID", { kind: "wcid" }],
    ["/deploys", { kind: "deploys" }],
    ["/deploys production", { kind: "deploys", environment: "production" }],
    ["/deploys in production", { kind: "deploys", environment: "production" }],
    ["/rollback production", { kind: "rollback", environment: "production" }],
    ["/rollback in production", { kind: "rollback", environment: "production" }],
    ["/deploy:rollback production", { kind: "rollback", environment: "production" }],
    ["/help", { kind: "help" }],
    [".help", { kind: "help" }],
    ["/help deploy please", { kind: "help" }],
  ])("reads %j", (body, command) => {
    expect(parseCommand(body)).toEqual({ kind: "command", command, text: body });
  });

  it.each([
    ["  /deploy to staging  ", "/deploy to staging"],
    ["\u00a0/deploy to staging\u3000", "/deploy to staging"],
    ["/deploy to staging\r\nThanks!", "/deploy to staging"],
    ["/deploy to staging\nThanks!", "/deploy to staging"],
    ["/deploy to staging\rThanks!", "/deploy to staging"],
  ])("reads only the first line, trimmed: %j", (body, text) => {
    expect(parseCommand(body)).toEqual({ kind: "command", command: deploy({ environment: "staging" }), text });
  });

  it("reads a second line as prose, never as part of the ref", () => {
    expect(commandOf(parseCommand("/deploy main\nrm -rf /"))).toEqual(deploy({ ref: "main" }));
    expect(commandOf(parseCommand("/deploy main\r\n$(touch /tmp/x)"))).toEqual(deploy({ ref: "main" }));
  });

  it("cuts a long lock reason to 200 characters", () => {
    const command = commandOf(parseCommand(`/lock production ${"word ".repeat(100)}for 2h`));
    expect(command).toMatchObject({ kind: "lock", environment: "production", ttlSeconds: 7_200 });
    const reason = command?.kind === "lock" ? (command.reason ?? "") : "";
    expect(reason).toHaveLength(200);
    expect(reason.endsWith("…")).toBe(true);
  });

  it("takes a reason that is only control characters as no reason", () => {
    expect(commandOf(parseCommand("/lock production \u0000\u200b"))).toEqual({ kind: "lock", environment: "production" });
  });
});

describe("parseCommand: whitespace between words", () => {
  // The choice: any Unicode space separator (NBSP, narrow NBSP, ideographic
  // space…) and tab count as a space; nothing else invisible does.
  it.each(["\u00a0", "\u202f", "\u2003", "\u3000", "\t", " \u00a0 "])("counts %j between words as a space", (space) => {
    expect(commandOf(parseCommand(`/deploy${space}main${space}to${space}staging`))).toEqual(deploy({ ref: "main", environment: "staging" }));
  });

  it.each(["\u200b", "\u2060", "\ufeff"])("does not count the invisible %j after the word as a space", (invisible) => {
    expect(parseCommand(`/deploy${invisible}main`)).toEqual({ kind: "none" });
  });

  it.each([
    ["\u200b", '"main\\u200bto"'],
    ["\u2028", '"main\\u2028to"'],
    ["\u000b", '"main\\u000bto"'],
  ])("keeps the invisible %j inside a value, where it is refused and shown escaped", (invisible, shown) => {
    const parse = parseCommand(`/deploy main${invisible}to staging`);
    expect(parse.kind).toBe("invalid");
    expect(parse.kind === "invalid" ? parse.message : "").toContain(`Ref ${shown} contains`);
  });
});

describe("parseCommand: known words with arguments heaven cannot read", () => {
  it.each<[string, string, string]>([
    ["/deploy to", 'No environment after "to"', DEPLOY_FORM],
    ["/deploy main to", 'No environment after "to"', DEPLOY_FORM],
    ["/deploy main staging", 'Unexpected "staging": write "to" before the environment', DEPLOY_FORM],
    ["/deploy main to staging now", 'Unexpected "now" after the environment', DEPLOY_FORM],
    ["/deploy to prod;rm -rf /", `Environment "prod;rm" contains ";" ${ENVIRONMENT_RULE}`, DEPLOY_FORM],
    ["/deploy to production.", 'Environment "production." must start and end with a letter, a digit or "_"', DEPLOY_FORM],
    ["/deploy to -oProxyCommand=x", 'Environment "-oProxyCommand=x" starts with "-"', DEPLOY_FORM],
    ["/deploy to стейджинг", `Environment "стейджинг" contains "с" ${ENVIRONMENT_RULE}`, DEPLOY_FORM],
    [`/deploy to ${"e".repeat(101)}`, `Environment "${"e".repeat(80)}…" is longer than 100 characters`, DEPLOY_FORM],
    ["/deploy to /fe1", "The environment name is missing", DEPLOY_FORM],
    ["/deploy to production/", 'No hosts after "/" (write "to production/fe1,fe2")', DEPLOY_FORM],
    ["/deploy to production/fe1,,fe2", 'Hosts "fe1,,fe2" have an empty name between commas', DEPLOY_FORM],
    ["/deploy to production/fe1,", 'Hosts "fe1," have an empty name between commas', DEPLOY_FORM],
    ["/deploy to production/fe1;id", `Host "fe1;id" is not a host name ${HOST_RULE}`, DEPLOY_FORM],
    ["/deploy to production/-oProxyCommand=x", `Host "-oProxyCommand=x" is not a host name ${HOST_RULE}`, DEPLOY_FORM],
    ["/deploy to production/fe1,$(id)", `Host "$(id)" is not a host name ${HOST_RULE}`, DEPLOY_FORM],
    ["/deploy $(touch /tmp/x)", `Ref "$(touch" contains "$" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy `touch /tmp/x`", `Ref "\`touch" contains "\`" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main;rm -rf /", `Ref "main;rm" contains ";" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main|id", `Ref "main|id" contains "|" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main&&id", `Ref "main&&id" contains "&" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main>x", `Ref "main>x" contains ">" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy 'main'", `Ref "'main'" contains "'" ${REF_RULE}`, DEPLOY_FORM],
    ['/deploy "main"', `Ref "\\"main\\"" contains "\\"" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy ${IFS}", `Ref "\${IFS}" contains "$" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main\\nrm", `Ref "main\\\\nrm" contains "\\\\" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main\u0000", `Ref "main\\u0000" contains "\\u0000" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main%00", `Ref "main%00" contains "%" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy mаin", `Ref "mаin" contains "а" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy -oProxyCommand=x", 'Ref "-oProxyCommand=x" starts with "-"', DEPLOY_FORM],
    ["/deploy --upload-pack=touch", 'Ref "--upload-pack=touch" starts with "-"', DEPLOY_FORM],
    ["/deploy +refs/heads/main", 'Ref "+refs/heads/main" must start with a letter, a digit or "_"', DEPLOY_FORM],
    ["/deploy main..evil", 'Ref "main..evil" contains ".."', DEPLOY_FORM],
    ["/deploy main~1", `Ref "main~1" contains "~" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy main^", `Ref "main^" contains "^" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy a:b", `Ref "a:b" contains ":" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy a?b", `Ref "a?b" contains "?" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy a*b", `Ref "a*b" contains "*" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy a[b", `Ref "a[b" contains "[" ${REF_RULE}`, DEPLOY_FORM],
    ["/deploy x.lock", 'Ref "x.lock" is not a valid git ref name', DEPLOY_FORM],
    ["/deploy feature/", 'Ref "feature/" is not a valid git ref name', DEPLOY_FORM],
    ["/deploy a//b", 'Ref "a//b" is not a valid git ref name', DEPLOY_FORM],
    ["/deploy a/.b", 'Ref "a/.b" is not a valid git ref name', DEPLOY_FORM],
    ["/deploy main.", 'Ref "main." is not a valid git ref name', DEPLOY_FORM],
    [`/deploy ${"a".repeat(256)}`, `Ref "${"a".repeat(80)}…" is longer than 255 characters`, DEPLOY_FORM],
    ["/deploy! to", 'No environment after "to"', FORCE_FORM],
    ["/deploy!!", '"deploy!!" is not a command', FORCE_FORM],
    ["/deploy:", 'No task after "deploy:" (write "deploy:migrate")', TASK_FORM],
    ["/deploy:$(id)", 'Task "$(id)" is not a task name (letters, digits, "_", ".", ":" and "-")', TASK_FORM],
    ["/deploy:migrate;id", 'Task "migrate;id" is not a task name (letters, digits, "_", ".", ":" and "-")', TASK_FORM],
    ["/deploy!:migrate!", 'Task "migrate!" is not a task name (letters, digits, "_", ".", ":" and "-")', TASK_FORM],
    ["/deploy:migrate to", 'No environment after "to"', TASK_FORM],
    ["/lock", "The environment name is missing", LOCK_FORM],
    ["/lock in", 'No environment after "in"', LOCK_FORM],
    ["/lock $(id)", `Environment "$(id)" contains "$" ${ENVIRONMENT_RULE}`, LOCK_FORM],
    ["/lock -rf", 'Environment "-rf" starts with "-"', LOCK_FORM],
    ["/lock production/fe1", 'Environment "production/fe1" contains "/" (only deploy takes hosts: "to production/fe1,fe2")', LOCK_FORM],
    ["/lock production for 2.5h", 'Duration "2.5h" is not a whole number (write 90m rather than 1.5h)', LOCK_FORM],
    ["/lock production for 2.5 hours", 'Duration "2.5 hours" is not a whole number (write 90m rather than 1.5h)', LOCK_FORM],
    ["/lock production for 0m", 'Duration "0m" is zero', LOCK_FORM],
    ["/lock production for 400d", 'Duration "400d" is longer than 365 days', LOCK_FORM],
    ["/lock production for 10y", 'Duration "10y" has an unknown unit "y" (use s, m, h, d or w)', LOCK_FORM],
    ["/lock production for 2", 'Duration "2" has no unit (write 30m, 2h or 1d)', LOCK_FORM],
    ["/lock! production", '"lock!" is not a command: only deploy takes "!" or ":<task>"', LOCK_FORM],
    ["/deploy!:lock production", '"!" means nothing to deploy:lock', LOCK_FORM],
    ["/deploy:lock", "The environment name is missing", LOCK_FORM],
    ["/unlock", "The environment name is missing", "/unlock <environment>"],
    ["/unlock ;id", `Environment ";id" contains ";" ${ENVIRONMENT_RULE}`, "/unlock <environment>"],
    ["/unlock production now", 'Unexpected "now": unlock takes only the environment', "/unlock <environment>"],
    ["/unlock:x production", '"unlock:x" is not a command: only deploy takes "!" or ":<task>"', "/unlock <environment>"],
    ["/rollback", "The environment name is missing", "/rollback <environment>"],
    ["/rollback `id`", `Environment "\`id\`" contains "\`" ${ENVIRONMENT_RULE}`, "/rollback <environment>"],
    ["/rollback production main", 'Unexpected "main": rollback takes only the environment', "/rollback <environment>"],
    ["/deploys $(id)", `Environment "$(id)" contains "$" ${ENVIRONMENT_RULE}`, "/deploys [<environment>]"],
    ["/deploys production staging", 'Unexpected "staging": deploys takes at most an environment', "/deploys [<environment>]"],
    ["/wcid now", '"wcid" takes no arguments', "/wcid"],
    ["/help!", '"help!" is not a command: only deploy takes "!" or ":<task>"', "/help"],
  ])("refuses %j, saying what is wrong and the right form", (body, problem, form) => {
    expect(parseCommand(body)).toEqual({ kind: "invalid", message: `${problem}. Use: ${form}`, text: body });
  });

  it("shows the form with the prefix the commenter typed", () => {
    expect(parseCommand(".deploy to")).toEqual({ kind: "invalid", message: `No environment after "to". Use: .${DEPLOY_FORM.slice(1)}`, text: ".deploy to" });
  });

  it("shows only forms the help reply lists", () => {
    for (const body of ["/deploy to", "/deploy! to", "/deploy:", "/lock", "/unlock", "/rollback", "/deploys a b", "/wcid x", "/help!"]) {
      const parse = parseCommand(body);
      const form = parse.kind === "invalid" ? parse.message.split(". Use: ")[1] : undefined;
      expect(COMMAND_FORMS).toContain(form);
    }
  });
});

describe("parseCommand: comments that are not commands", () => {
  it.each([
    ["an empty comment", ""],
    ["only spaces", "   \n  "],
    ["a command on the second line", "Looks good!\n/deploy"],
    ["a command after an empty first line", "\n/deploy"],
    ["a quoted command", "> /deploy to production"],
    ["a quoted command, indented", "   > /deploy"],
    ["a fenced code block", "```\n/deploy\n```"],
    ["a fence with the command on it", "```/deploy"],
    ["a tilde fence", "~~~\n/deploy"],
    ["indented code (four spaces)", "    /deploy"],
    ["indented code (a tab)", "\t/deploy"],
    ["inline code", "`/deploy`"],
    ["an HTML comment", "<!-- /deploy -->"],
    ["emphasis", "*/deploy*"],
    ["a command mid-sentence", "please /deploy"],
    ["an unknown slash word", "/deplyo"],
    ["a longer word", "/deploying to staging"],
    ["a word with a suffix", "/deployx to staging"],
    ["a word followed by punctuation", "/deploy. to staging"],
    ["a word followed by a comma", "/lock, production"],
    ["another bot's command", "/giphy deploy"],
    ["another bot's command with a known word later", "/cc @alice /deploy"],
    ["a space after the prefix", "/ deploy"],
    ["a no-break space after the prefix", "/\u00a0deploy"],
    ["a doubled prefix", "//deploy"],
    ["the prefix alone", "/"],
    ["a prefix from the wrong list", "!deploy"],
    ["prose starting with deploy", "deploy the fix tomorrow please"],
    ["prose starting with Deploy", "Deploy it now"],
    ["prose starting with deploys", "deploys are slow today"],
    ["prose starting with deployment", "deployment went fine"],
    ["prose starting with lock", "lock production please"],
  ])("ignores %s", (_what, body) => {
    expect(parseCommand(body)).toEqual({ kind: "none" });
  });
});

describe("parseCommand: Unicode look-alikes", () => {
  it.each([
    ["a fullwidth solidus", "／deploy"],
    ["a division slash", "∕deploy"],
    ["a fraction slash", "⁄deploy"],
    ["a Cyrillic е", "/dеploy"],
    ["a Cyrillic о in lock", "/lоck production"],
    ["a Kelvin sign for k", "/loc\u212a production"],
    ["fullwidth letters", "/ｄｅｐｌｏｙ"],
    ["a zero-width space inside the word", "/dep\u200bloy"],
    ["a zero-width joiner inside the word", "/de\u200dploy"],
    ["a soft hyphen inside the word", "/dep\u00adloy"],
    ["a zero-width space after the word", "/deploy\u200b to staging"],
    ["a zero-width space before the prefix", "\u200b/deploy"],
    ["a byte-order mark before the prefix", "\ufeff/deploy"],
    ["a right-to-left override before the prefix", "\u202e/deploy"],
    ["a combining mark on the word", "/deploy\u0301"],
    ["hubot's word with a Cyrillic е", "dеploy hubot to production"],
  ])("does not take %s for a command", (_what, body) => {
    expect(parseCommand(body)).toEqual({ kind: "none" });
  });
});

describe("parseCommand: hubot-deploy's grammar without a prefix", () => {
  const hubot = (fields: Partial<Extract<Command, { kind: "deploy" }>>): Command => deploy({ app: "hubot", ...fields });
  // The first rows are hubot-deploy's own pattern tests (test/models/pattern_test.coffee).
  it.each<[string, Command]>([
    ["deploy hubot", hubot({})],
    ["deploy! hubot", hubot({ force: true })],
    ["deploy:migrate hubot", hubot({ task: "deploy:migrate" })],
    ["deploy hubot/mybranch to production", hubot({ ref: "mybranch", environment: "production" })],
    ["deploy hubot to production", hubot({ environment: "production" })],
    ["deploy hubot to production/fe", hubot({ environment: "production", hosts: ["fe"] })],
    ["deploy hubot/atmos/branch to production/fe", hubot({ ref: "atmos/branch", environment: "production", hosts: ["fe"] })],
    ["deploy hubot in staging", hubot({ environment: "staging" })],
    ["deploy hubot on staging", hubot({ environment: "staging" })],
    ["DEPLOY hubot TO production", hubot({ environment: "production" })],
    ["Deploy Hubot/Topic to Staging", deploy({ app: "Hubot", ref: "Topic", environment: "Staging" })],
    ["deploy:migrate! hubot to staging", hubot({ force: true, task: "deploy:migrate", environment: "staging" })],
    ["deploy!:migrate hubot to staging", hubot({ force: true, task: "deploy:migrate", environment: "staging" })],
    ["deploy! hubot/main to production/fe1,fe2", hubot({ force: true, ref: "main", environment: "production", hosts: ["fe1", "fe2"] })],
    ["  deploy hubot to production  \r\nthanks", hubot({ environment: "production" })],
    ["deploy:lock hubot in production", { kind: "lock", environment: "production", app: "hubot" }],
    ["deploy:lock hubot in production db work for 2h", { kind: "lock", environment: "production", reason: "db work", ttlSeconds: 7_200, app: "hubot" }],
    ["deploy:Lock hubot to production", { kind: "lock", environment: "production", app: "hubot" }],
    ["deploy:unlock hubot in production", { kind: "unlock", environment: "production", app: "hubot" }],
    ["deploy:rollback hubot in production", { kind: "rollback", environment: "production", app: "hubot" }],
  ])("reads %j", (body, command) => {
    expect(parseCommand(body)).toEqual({ kind: "command", command, text: body.split(/\r?\n/)[0]?.trim() });
  });

  it.each([
    "deploy",
    "deploy!",
    "deploy hubot/branch tos taging",
    "deploy hubot to production please",
    "deploy hubot to production.",
    "deploy hubot/atmos/branch to production/fe 123456",
    "deploy hubot/atmos/branch to production/fe ccccccdlnncbtuevhdbctrccukdciveuclhbkvehbeve",
    "deploy to production",
    "deploy hubot to",
    "deploy hubot/$(id) to production",
    "deploy hubot/-oProxyCommand=x",
    "deploy hubot to prod;rm",
    "deploy hubot to production/fe1;id",
    "deploy hubot to production/",
    "deploy $(id)",
    "deploy -rf",
    "deploy hubot/ to production",
    "deploy: hubot",
    "deploy:$(id) hubot",
    "deploy!! hubot",
    "deploy:lock hubot",
    "deploy:lock hubot production",
    "deploy:lock hubot/main in production",
    "deploy!:lock hubot in production",
    "deploy:lock hubot in production for 2.5h",
    "deploy:unlock hubot in production now",
    "deploy:rollback hubot",
    "deploys hubot in production",
    "where can i deploy hubot",
  ])("ignores %j, which hubot-deploy's pattern does not match exactly", (body) => {
    expect(parseCommand(body)).toEqual({ kind: "none" });
  });

  it("reads the hubot grammar even with no prefixes configured", () => {
    expect(commandOf(parseCommand("deploy hubot", { prefixes: [] }))).toEqual(hubot({}));
    expect(parseCommand("/deploy", { prefixes: [] })).toEqual({ kind: "none" });
  });
});

describe("parseCommand: options", () => {
  it("has / and . as its default prefixes", () => {
    expect(DEFAULT_PREFIXES).toEqual(["/", "."]);
  });

  it("answers to the configured prefixes only", () => {
    expect(commandOf(parseCommand("!deploy to staging", { prefixes: ["!"] }))).toEqual(deploy({ environment: "staging" }));
    expect(parseCommand("/deploy to staging", { prefixes: ["!"] })).toEqual({ kind: "none" });
    expect(parseCommand(".deploy to staging", { prefixes: ["/"] })).toEqual({ kind: "none" });
  });

  it("prefers the longest matching prefix", () => {
    expect(commandOf(parseCommand("/heaven deploy to staging", { prefixes: ["/", "/heaven "] }))).toEqual(deploy({ environment: "staging" }));
  });

  it("never treats an empty prefix as one, so prose is not a command", () => {
    expect(parseCommand("help me understand this", { prefixes: [""] })).toEqual({ kind: "none" });
    expect(parseCommand("lock production", { prefixes: ["", "/"] })).toEqual({ kind: "none" });
  });

  it.each<[string, Command]>([
    ["/deploy hubot/topic to production", deploy({ app: "hubot", ref: "topic", environment: "production" })],
    ["/deploy hubot to production", deploy({ app: "hubot", environment: "production" })],
    ["/deploy HUBOT/feature/x", deploy({ app: "HUBOT", ref: "feature/x" })],
    ["/deploy hubotx/topic", deploy({ ref: "hubotx/topic" })],
    ["/deploy main to production", deploy({ ref: "main", environment: "production" })],
  ])("reads %j as hubot's app/ref when the repository is named hubot", (body, command) => {
    expect(commandOf(parseCommand(body, { prefixes: DEFAULT_PREFIXES, app: "hubot" }))).toEqual(command);
  });

  it("reads the app's name as a ref when no app is given", () => {
    expect(commandOf(parseCommand("/deploy hubot/topic"))).toEqual(deploy({ ref: "hubot/topic" }));
  });

  it("refuses the app's name with an empty ref after it", () => {
    expect(parseCommand("/deploy hubot/", { prefixes: DEFAULT_PREFIXES, app: "hubot" })).toEqual({
      kind: "invalid",
      message: `No ref after "hubot/". Use: ${DEPLOY_FORM}`,
      text: "/deploy hubot/",
    });
  });
});

describe("parseCommand: long comments", () => {
  const megabyte = 1_000_000;

  it("reads the first line of a 1 MB comment", () => {
    const body = `/deploy to staging\n${"lorem ipsum dolor sit amet\n".repeat(megabyte / 27)}`;
    expect(parseCommand(body)).toEqual({ kind: "command", command: deploy({ environment: "staging" }), text: "/deploy to staging" });
  });

  it("reads a first line of exactly the limit", () => {
    const line = `/lock production ${"x".repeat(LINE_LIMIT - 17)}`;
    expect(line).toHaveLength(LINE_LIMIT);
    expect(commandOf(parseCommand(line))).toMatchObject({ kind: "lock", environment: "production" });
  });

  it.each([
    ["one character over the limit", `/lock production ${"x".repeat(LINE_LIMIT - 16)}`],
    ["a 1 MB first line", `/deploy ${"x".repeat(megabyte)}`],
    ["a 1 MB run of spaces inside the line", `/deploy main${" ".repeat(megabyte)}to staging`],
    ["a 1 MB run of no-break spaces before the end", `/deploy${"\u00a0".repeat(megabyte)}x`],
  ])("refuses %s as too long, quoting only the start", (_what, body) => {
    const parse = parseCommand(body);
    const word = body.slice(1, body.search(/[\s\u00a0]/));
    expect(parse).toEqual({
      kind: "invalid",
      message: `This command is ${body.length} characters long; heaven reads at most ${LINE_LIMIT}. Use: ${word === "lock" ? LOCK_FORM : DEPLOY_FORM}`,
      text: `${body.slice(0, LINE_LIMIT)}…`,
    });
  });

  it.each([
    ["an unknown word", `/deplyo ${"x".repeat(megabyte)}`],
    ["prose", "lorem ipsum ".repeat(megabyte / 12)],
    ["a hubot line", `deploy hubot to production ${"x".repeat(megabyte)}`],
    ["one word with no spaces", "x".repeat(megabyte)],
    ["a prefixed run of letters", `/${"deploy".repeat(megabyte / 6)}`],
    ["indented code", " ".repeat(megabyte)],
  ])("ignores a 1 MB first line of %s", (_what, body) => {
    expect(parseCommand(body)).toEqual({ kind: "none" });
  });

  it("trims a 1 MB run of no-break spaces around a command", () => {
    const padding = "\u00a0".repeat(megabyte);
    expect(parseCommand(`${padding}/deploy${padding}`)).toEqual({ kind: "command", command: deploy(), text: "/deploy" });
  });
});

describe("parseCommand: injection-shaped values are never commands", () => {
  it.each([
    "/deploy $(touch /tmp/x)",
    "/deploy $(touch${IFS}/tmp/x)",
    "/deploy main;touch${IFS}/tmp/x",
    "/deploy to prod;rm -rf /",
    "/deploy to production/fe1;id",
    "/deploy -oProxyCommand=x",
    "/deploy to -oProxyCommand=x",
    "/deploy to production/-oProxyCommand=x",
    "/deploy main\\nrm",
    "/deploy main\u2028rm",
    "/deploy main\u0085rm",
    "/deploy:$(touch${IFS}/tmp/x)",
    "/lock $(touch /tmp/x)",
    "/deploy:lock ;id",
    "/unlock `id`",
    "/rollback -oProxyCommand=x",
    "/deploys |id",
  ])("refuses %j", (body) => {
    expect(parseCommand(body).kind).toBe("invalid");
  });
});

describe("COMMAND_FORMS", () => {
  const SAMPLES: Record<string, string> = { ref: "main", environment: "staging", hosts: "fe1,fe2", task: "migrate", reason: "db work", duration: "2h", app: "heaven" };
  const fill = (form: string): string => form.replace(/<(\w+)>/g, (_all, name: string) => SAMPLES[name] ?? name);
  const everyOptional = (form: string): string => fill(form.replace(/[[\]]/g, ""));
  const noOptional = (form: string): string => {
    let bare = form;
    while (/\[[^[\]]*\]/.test(bare)) bare = bare.replace(/\[[^[\]]*\]/g, "");
    return fill(bare.replace(/ +/g, " ").trim());
  };

  it.each(COMMAND_FORMS.map((form) => [form]))("lists %j, which parses with every optional part", (form) => {
    expect(parseCommand(everyOptional(form)).kind).toBe("command");
  });

  it.each(COMMAND_FORMS.map((form) => [form]))("lists %j, which parses with no optional part", (form) => {
    expect(parseCommand(noOptional(form)).kind).toBe("command");
  });

  it("fills every part of the deploy form from the line", () => {
    expect(commandOf(parseCommand(everyOptional(DEPLOY_FORM)))).toEqual(deploy({ ref: "main", environment: "staging", hosts: ["fe1", "fe2"] }));
    expect(commandOf(parseCommand(everyOptional(LOCK_FORM)))).toEqual({ kind: "lock", environment: "staging", reason: "db work", ttlSeconds: 7_200 });
  });

  it("has a form for every kind of command", () => {
    const kinds = new Set(COMMAND_FORMS.map((form) => commandOf(parseCommand(noOptional(form)))?.kind));
    expect([...kinds].sort()).toEqual(["deploy", "deploys", "help", "lock", "rollback", "unlock", "wcid"]);
  });
});
