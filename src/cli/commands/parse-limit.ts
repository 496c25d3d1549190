/** commander's parser for `-n, --limit`: a whole number above 0, or a usage error that says so. */
import { InvalidArgumentError } from "commander";

export function parseLimit(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`--limit must be a whole number above 0, got "${value}"`);
  return number;
}
