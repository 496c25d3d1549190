/**
 * A log line as HTML: escaped first (a line holding `<script>` is text), its
 * timestamp, heaven's own notes and a host's `label | ` set apart, ANSI
 * colours as spans (ansi_up, which escapes what it does not turn into
 * markup). Every line starts with no colour: a provider's colour never leaks
 * into the next line, whose host may be another. Pure.
 */
import { AnsiUp } from "ansi_up";

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most log lines have nothing to escape: one search, no copy.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c) : text;
}

/** How DeploymentLog starts every line: `2026-11-22T14:03:04.123Z `. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /;
const NOTE = "heaven: ";
/** A host's track: `web-1 | …` (DeploymentLog.track); a label is at most 100 characters. */
const LABEL_END = " | ";
const LABEL = /^[^\s|][^|\r]*$/;
const ESC = "\u001b";
const RESET = `${ESC}[0m`;

/** A line as a terminal leaves it: what a carriage return wrote over is gone (progress bars). */
function overwritten(line: string): string {
  if (!line.includes("\r")) return line;
  const text = line.replace(/\r+$/, "");
  const cr = text.lastIndexOf("\r");
  return cr === -1 ? text : text.slice(cr + 1);
}

export class LineRenderer {
  private readonly ansi = new AnsiUp();

  /** One line (without its "\n") as HTML, without its number: what the live tail sends. Never holds a line break. */
  body(line: string): string {
    const stamped = STAMP.test(line);
    const after = stamped ? line.indexOf(" ") + 1 : 0;
    const head = stamped ? `<time>${line.slice(0, after - 1)}</time> ` : "";
    const rest = line.slice(after);
    if (rest.startsWith(NOTE)) return `${head}<span class="h">${this.colour(rest)}</span>`;
    const end = rest.indexOf(LABEL_END);
    const label = end > 0 && end <= 100 ? rest.slice(0, end) : undefined;
    if (label === undefined || !LABEL.test(label)) return head + this.colour(rest);
    return `${head}<span class="k">${escapeHtml(label)}</span> | ${this.colour(rest.slice(end + LABEL_END.length))}`;
  }

  /** Line `n` with its number, which links to it (`#L<n>`). */
  numbered(n: number, line: string): string {
    return `<p id="L${n}"><a href="#L${n}">${n}</a>${this.body(line)}</p>`;
  }

  /** Lines (each ending in "\n", but a finished log's last may not) as numbered HTML, the first numbered `first`. */
  lines(text: string, first: number): { html: string; count: number } {
    const lines = splitLines(text);
    return { html: lines.map((line, i) => this.numbered(first + i, line)).join(""), count: lines.length };
  }

  /** What the program printed: the part heaven added (stamp, label) is never written over by its carriage returns. */
  private colour(printed: string): string {
    const text = overwritten(printed);
    return text.includes(ESC) ? this.ansi.ansi_to_html(text + RESET) : escapeHtml(text);
  }
}

/** The lines of a chunk the store handed out, without their line breaks. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
