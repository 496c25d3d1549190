/** Every provider heaven knows, by the name `.github/heaven.yml` uses. */
import type { ProviderRegistry } from "../src/deploy/provider.js";
import { shell } from "./shell.js";

export const providers: ProviderRegistry = { shell };
