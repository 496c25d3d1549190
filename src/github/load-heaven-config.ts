/**
 * `.github/heaven.yml` from the default branch, through Probot's
 * context.config, so an organisation's `.github` repository can hold defaults
 * (and `_extends` works). One read when the repository has the file.
 */
import type { Context } from "probot";
import { CONFIG_FILE } from "../decisions/resolve-config.js";
import type { ConfigRead } from "../deploy/sources.js";

export async function loadHeavenConfig(context: Pick<Context, "config">): Promise<ConfigRead> {
  try {
    const file = await context.config("heaven.yml");
    return { ok: true, file };
  } catch (error) {
    // Probot's config plugin wraps the parser's error (which names line and column) as the cause.
    const cause = (error as { cause?: unknown }).cause;
    const message = (cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error)).split("\n")[0];
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number") {
      return { ok: false, error: `could not read ${CONFIG_FILE} from GitHub (HTTP ${status}); deploy again` };
    }
    return { ok: false, error: `${CONFIG_FILE} is not valid YAML: ${message}` };
  }
}
