/**
 * heaven's command line: `heaven deploy` (locally with no GitHub, or through
 * GitHub), `heaven logs`, `heaven completion` and the GitHub verbs. The
 * grammar is in program.ts; this is only the process around it.
 */
import { SettingsError } from "../settings.js";
import { EXIT } from "./exit-codes.js";
import { runCli } from "./program.js";

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof SettingsError ? `heaven: invalid settings:\n${error.message}` : error);
    process.exit(EXIT.error);
  },
);
