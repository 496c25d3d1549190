/**
 * Reads a pull-request comment as a heaven command. Pure.
 *
 * Only the comment's first line counts. A prefixed line (`/deploy`, `.lock`)
 * whose word heaven knows is a command or, when its arguments cannot be read,
 * an invalid one the caller answers with the message; an unknown word is
 * someone else's slash command and is ignored. Without a prefix, only an exact
 * hubot-deploy line (`deploy hubot/main to production`) is a command.
 */
import { checkTask, quote } from "./parse-command/check-values.js";
import { formWith, HUBOT_FORMS, PREFIXED_FORMS, type FormName } from "./parse-command/forms.js";
import { invalid, readDeploy, type Reading } from "./parse-command/read-deploy.js";
import { readDeploys, readEnvironmentOnly, readLock } from "./parse-command/read-environment-commands.js";
import { readHubotLine } from "./parse-command/read-hubot.js";
import { readFirstLine, readHead, readModifiers, type Head } from "./parse-command/read-line.js";

export type Command =
  | { kind: "deploy"; force: boolean; task: string; ref?: string; environment?: string; hosts?: string[]; app?: string }
  | { kind: "lock"; environment: string; reason?: string; ttlSeconds?: number; app?: string }
  | { kind: "unlock"; environment: string; app?: string }
  | { kind: "wcid" }
  | { kind: "deploys"; environment?: string }
  | { kind: "rollback"; environment: string; app?: string }
  | { kind: "help" };

export type CommandParse =
  | { kind: "none" }
  | { kind: "command"; command: Command; text: string }
  | { kind: "invalid"; message: string; text: string };

export interface ParseOptions {
  prefixes: readonly string[];
  /**
   * The repository's name. When given, a prefixed `/deploy <app>/<ref> to …`
   * whose first word is this name reads as hubot-deploy's app/ref (with `app`
   * set) instead of a ref that starts with the app's name.
   */
  app?: string;
}

export const DEFAULT_PREFIXES: readonly string[] = ["/", "."];

/** Every form, one line each, `/` as the prefix: what the help reply lists. */
export const COMMAND_FORMS: readonly string[] = [...Object.values(PREFIXED_FORMS).map((form) => `/${form}`), ...HUBOT_FORMS];

/** Longer lines are refused before their words are read. */
export const LINE_LIMIT = 1000;

const NONE: CommandParse = { kind: "none" };
/** The words heaven answers to, and the form an invalid one is shown. */
const WORD_FORMS: ReadonlyMap<string, "deploy" | OtherForm> = new Map([
  ["deploy", "deploy"],
  ["lock", "lock"],
  ["unlock", "unlock"],
  ["wcid", "wcid"],
  ["deploys", "deploys"],
  ["rollback", "rollback"],
  ["help", "help"],
]);
/** `deploy:<task>` names that are commands of their own. */
const TASK_FORMS: ReadonlyMap<string, "lock" | "unlock" | "rollback"> = new Map([
  ["lock", "lock"],
  ["unlock", "unlock"],
  ["rollback", "rollback"],
]);

export function parseCommand(body: string, options: ParseOptions = { prefixes: DEFAULT_PREFIXES }): CommandParse {
  const line = readFirstLine(body);
  if (line === undefined) return NONE;
  const prefix = longestPrefix(line, options.prefixes);
  const tooLong = line.length > LINE_LIMIT;
  if (prefix === undefined) {
    const head = tooLong ? undefined : readHead(line);
    const command = head === undefined ? undefined : readHubotLine(head);
    return command === undefined ? NONE : { kind: "command", command, text: line };
  }
  // A too-long line is only looked at far enough to know whether it is ours.
  const head = readHead(line.slice(prefix.length, tooLong ? LINE_LIMIT : undefined));
  const wordForm = head === undefined ? undefined : WORD_FORMS.get(head.word);
  if (head === undefined || wordForm === undefined) return NONE;
  const { reading, form } = tooLong
    ? { reading: invalid(`this command is ${line.length} characters long; heaven reads at most ${LINE_LIMIT}`), form: wordForm }
    : readPrefixed(head, wordForm, options.app);
  if (reading.kind === "command") return { kind: "command", command: reading.command, text: line };
  // The reply quotes `text`: a megabyte line must not be pasted back whole.
  const text = tooLong ? `${line.slice(0, LINE_LIMIT).replace(/[\uD800-\uDBFF]$/, "")}…` : line;
  return { kind: "invalid", message: `${capitalize(reading.problem)}. Use: ${formWith(prefix, form)}`, text };
}

function longestPrefix(line: string, prefixes: readonly string[]): string | undefined {
  // An empty prefix would make every sentence starting "help" a command.
  const matching = prefixes.filter((prefix) => prefix !== "" && line.startsWith(prefix));
  return matching.sort((a, b) => b.length - a.length)[0];
}

function readPrefixed(head: Head, form: "deploy" | OtherForm, app: string | undefined): { reading: Reading; form: FormName } {
  if (form !== "deploy") {
    if (head.modifiers !== "") return { reading: invalid(`${quote(head.word + head.modifiers)} is not a command: only deploy takes "!" or ":<task>"`), form };
    return { reading: readWord(form, head.words), form };
  }
  const modifiers = readModifiers(head.modifiers);
  if (modifiers === undefined) return { reading: invalid(`${quote(head.word + head.modifiers)} is not a command`), form: "force" };
  const deployForm: FormName = modifiers.task !== undefined ? "task" : modifiers.force ? "force" : "deploy";
  if (modifiers.task === undefined) return { reading: readDeploy(head.words, modifiers, app), form: deployForm };
  const task = checkTask(modifiers.task);
  if (!task.ok) return { reading: invalid(task.problem), form: deployForm };
  // `/deploy:lock production` is `/lock production`, as the task name says.
  const taskForm = TASK_FORMS.get(task.value.toLowerCase());
  if (taskForm === undefined) return { reading: readDeploy(head.words, { ...modifiers, task: task.value }, app), form: deployForm };
  if (modifiers.force) return { reading: invalid(`"!" means nothing to deploy:${taskForm}`), form: taskForm };
  return { reading: readWord(taskForm, head.words), form: taskForm };
}

/** The commands that are not deploys, named by their forms. */
type OtherForm = Exclude<FormName, "deploy" | "force" | "task">;

function readWord(word: OtherForm, words: readonly string[]): Reading {
  switch (word) {
    case "lock":
      return readLock(words);
    case "unlock":
      return readEnvironmentOnly("unlock", words);
    case "rollback":
      return readEnvironmentOnly("rollback", words);
    case "deploys":
      return readDeploys(words);
    case "wcid":
      return words.length === 0 ? { kind: "command", command: { kind: "wcid" } } : invalid('"wcid" takes no arguments');
    case "help":
      // `/help` with anything after it is still a request for help.
      return { kind: "command", command: { kind: "help" } };
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
