/**
 * The lexical layer of the command parser: which line counts, where words
 * break, and the command word itself. Pure.
 *
 * Whitespace between words is a tab or any Unicode space separator (so the
 * no-break spaces that chat apps and editors paste work like a space); other
 * invisible characters (zero-width, bidi, line separators) are not spaces and
 * stay inside the word they touch, where the value checks refuse them.
 */
const SPACE = /[\t\p{Zs}]/u;
const SPACES = /[\t\p{Zs}]+/u;

function isSpace(character: string | undefined): boolean {
  return character !== undefined && SPACE.test(character);
}

/** Trims by index, not by regex: a 1 MB line of spaces must not cost quadratic time. */
function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text[start])) start += 1;
  while (end > start && isSpace(text[end - 1])) end -= 1;
  return text.slice(start, end);
}

/**
 * The comment's first line, trimmed, or undefined when that line is Markdown
 * that quotes or shows code: a quote (`>`), a fence (```` ``` ````, `~~~`), or
 * indented code (a tab or four spaces).
 */
export function readFirstLine(body: string): string | undefined {
  const end = body.search(/[\r\n]/);
  const raw = end === -1 ? body : body.slice(0, end);
  const indent = /^[ \t]*/.exec(raw)?.[0] ?? "";
  if (indent.includes("\t") || indent.length >= 4) return undefined;
  const line = trimSpaces(raw);
  if (line.startsWith(">") || line.startsWith("```") || line.startsWith("~~~")) return undefined;
  return line;
}

export interface Head {
  /** ASCII letters, lower-cased: `deploy`, `lock`, … */
  word: string;
  /** what follows the word in the same token, `!`, `:migrate`, `!:migrate`, or "" */
  modifiers: string;
  /** the rest of the line, split into words */
  words: string[];
}

// ASCII letters only, and no `i` flag: a Cyrillic `е` or a Kelvin sign `K`
// must not fold into a command word.
const WORD = /^[A-Za-z]+/;

/**
 * The command word at the start of `text` and the words after it, or
 * undefined when the letters are followed by anything but a space, `!` or `:`
 * (`deploy.`, `dep\u200bloy`, `deployx` are not commands).
 */
export function readHead(text: string): Head | undefined {
  const letters = WORD.exec(text)?.[0];
  if (letters === undefined) return undefined;
  const afterWord = text[letters.length];
  if (afterWord !== undefined && !isSpace(afterWord) && afterWord !== "!" && afterWord !== ":") return undefined;
  const gap = text.slice(letters.length).search(SPACES);
  const tokenEnd = gap === -1 ? text.length : letters.length + gap;
  const rest = trimSpaces(text.slice(tokenEnd));
  return {
    word: letters.toLowerCase(),
    modifiers: text.slice(letters.length, tokenEnd),
    words: rest === "" ? [] : rest.split(SPACES),
  };
}

export interface Modifiers {
  force: boolean;
  /** the `<task>` of `deploy:<task>`, unchecked; undefined for a plain deploy */
  task?: string;
}

/**
 * `!`, `:migrate`, `!:migrate` and `:migrate!`. hubot-deploy's pattern is
 * `deploy(:[^\s]+)?(!)?`, so `deploy:migrate!` is the order its users type
 * (hubot itself lets the greedy task swallow the `!`; heaven reads the force
 * they meant). `!:migrate` is unambiguous and read too. Undefined for
 * anything else (`!!`).
 */
export function readModifiers(modifiers: string): Modifiers | undefined {
  const force = modifiers.startsWith("!");
  const rest = force ? modifiers.slice(1) : modifiers;
  if (rest === "") return { force };
  if (!rest.startsWith(":")) return undefined;
  const task = rest.slice(1);
  if (!force && task.endsWith("!")) return { force: true, task: task.slice(0, -1) };
  return { force, task };
}

/** hubot-deploy's `(?:to|in|on)` before an environment. */
export function isConnector(word: string | undefined): boolean {
  return word !== undefined && /^(?:to|in|on)$/i.test(word);
}
