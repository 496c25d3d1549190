/** What provider unit tests build a context from: a plausible deployment request, resolved configuration. */
import { providers } from "../../providers/index.js";
import type { ProviderContext, SshMaterials } from "../../src/core/provider.js";
import type { DeploymentRequest } from "../../src/core/request.js";
import { resolveConfig } from "../../src/decisions/resolve-config.js";

export const SHA = "0123456789abcdef0123456789abcdef01234567";

export function deploymentRequest(overrides: Partial<DeploymentRequest> = {}): DeploymentRequest {
  return {
    id: "42",
    repository: { fullName: "acme/app", cloneUrl: "https://github.com/acme/app.git" },
    environment: "production",
    ref: "main",
    sha: SHA,
    task: "deploy",
    force: false,
    payloadConfig: undefined,
    creator: "octocat",
    ...overrides,
  };
}

export const SSH_FILES: SshMaterials = { identityFile: "/keys/id", knownHostsFile: "/keys/known_hosts", sshArgs: [] };

export interface ContextOptions {
  request?: Partial<DeploymentRequest>;
  /** The environment's block of `.github/heaven.yml` (the provider is added). */
  file?: Record<string, unknown>;
  /** The file's top level. */
  top?: Record<string, unknown>;
  /** Default: the configuration's own `env`. */
  env?: Record<string, string>;
  ssh?: SshMaterials;
  checkoutDir?: string;
}

/** A provider's context as heaven builds it: the configuration resolved with the real registry. */
export function providerContext(provider: string, options: ContextOptions = {}): ProviderContext {
  const environment = options.request?.environment ?? "production";
  const file = { ...options.top, environments: { [environment]: { provider, ...options.file } } };
  const resolved = resolveConfig({ file, payloadConfig: undefined, environment, providers, defaultTimeoutSeconds: 300 });
  if (!resolved.ok) throw new Error(resolved.error);
  return {
    request: deploymentRequest(options.request),
    config: resolved.config,
    options: resolved.config.options,
    checkoutDir: options.checkoutDir ?? "/checkout",
    ssh: options.ssh ?? SSH_FILES,
    env: options.env ?? resolved.config.env,
  };
}
