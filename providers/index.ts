/** Every provider heaven knows, by the name `.github/heaven.yml` uses. */
import type { ProviderRegistry } from "../src/core/provider.js";
import { shell } from "./shell.js";

export const providers: ProviderRegistry = { shell };
