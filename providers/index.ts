/** Every provider heaven knows, by the name `.github/heaven.yml` uses. */
import type { ProviderRegistry } from "../src/core/provider.js";
import { ansible } from "./ansible.js";
import { shell } from "./shell.js";
import { ssh } from "./ssh.js";

export const providers: ProviderRegistry = { ansible, shell, ssh };
