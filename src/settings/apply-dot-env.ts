import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { SettingsError } from "./settings-error.js";

/**
 * Applies `dir/.env` to `env` the way Probot does when it starts (its values
 * win over the environment's), so heaven's settings are read from the same
 * place as Probot's. Returns the names it set; no file is no change.
 */
export function applyDotEnv(env: NodeJS.ProcessEnv, dir = process.cwd()): string[] {
  let text: string;
  try {
    text = readFileSync(join(dir, ".env"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new SettingsError(`could not read ${join(dir, ".env")}: ${(error as Error).message}`);
  }
  const values = parseEnv(text);
  Object.assign(env, values);
  return Object.keys(values);
}
