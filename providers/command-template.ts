/**
 * A command as configuration writes it, `fab -H %{hosts} %{task}
 * --branch-name=%{ref}` (Heaven's DEPLOY_COMMAND_FORMAT style), turned into
 * an argv array: the template is split on whitespace first and placeholders
 * are filled inside each element afterwards, so a value with spaces or `;`
 * stays one literal argument and no shell ever reads it.
 */
import { quoted } from "../src/decisions/check-request.js";

const PLACEHOLDER = /%\{([^}]*)\}/g;

export function templateArgs(template: string): string[] {
  return template.trim().split(/\s+/).filter((part) => part !== "");
}

/** The placeholders a template uses that are not in `known`. */
export function unknownPlaceholders(template: string, known: readonly string[]): string[] {
  return templateArgs(template).flatMap((arg) => [...arg.matchAll(PLACEHOLDER)].map((match) => match[1] ?? "").filter((name) => !known.includes(name)));
}

export type Expanded = { ok: true; args: string[] } | { ok: false; message: string };

/**
 * Fills the placeholders. An argument that a placeholder starts must not
 * come out starting with "-": the tool would read a ref like `--config=x`
 * as its own option.
 */
export function expandTemplate(template: string, values: Readonly<Record<string, string>>): Expanded {
  const args: string[] = [];
  for (const arg of templateArgs(template)) {
    const expanded = arg.replace(PLACEHOLDER, (_, name: string) => values[name] ?? "");
    if (!arg.startsWith("-") && expanded.startsWith("-")) {
      return { ok: false, message: `the command's argument ${arg} comes out as ${quoted(expanded)}, which would be read as an option` };
    }
    args.push(expanded);
  }
  return { ok: true, args };
}
