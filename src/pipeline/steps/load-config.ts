/** Step: `.github/heaven.yml` from the default branch, merged with the payload's config, and the request checked against it. */
import type { DeploymentConfig } from "../../core/config.js";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { DeploymentRequest } from "../../core/request.js";
import type { DeploymentSources } from "../../core/sources.js";
import { checkRequest } from "../../decisions/check-request.js";
import { resolveConfig, type ProviderSchemas } from "../../decisions/resolve-config.js";

export async function loadConfig(
  request: DeploymentRequest,
  sources: DeploymentSources,
  defaults: { providers: ProviderSchemas; defaultTimeoutSeconds: number },
): Promise<{ kind: "config"; config: DeploymentConfig } | DeploymentOutcome> {
  const read = await sources.loadConfig();
  if (!read.ok) return { kind: "config-invalid", message: read.error };
  const resolved = resolveConfig({ file: read.file, payloadConfig: request.payloadConfig, payloadAws: request.record?.payload.aws, environment: request.environment, ...defaults });
  if (!resolved.ok) return { kind: "config-invalid", message: resolved.error };
  const checked = checkRequest(request, resolved.listed);
  if (!checked.ok) return { kind: "bad-request", message: checked.message };
  return { kind: "config", config: resolved.config };
}
