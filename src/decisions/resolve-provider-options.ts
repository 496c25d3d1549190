/**
 * A provider's own keys in `.github/heaven.yml` and the payload, resolved
 * for one environment and checked by the provider's schema. Pure.
 */
import type { z } from "zod";
import { CONFIG_FILE } from "../core/config.js";

/** What resolving needs of a provider: its option schema and the keys a payload may fill. */
export type ProviderSchemas = Readonly<
  Record<string, { options: z.ZodObject<z.ZodRawShape>; payloadKeys?: readonly string[] | undefined; aliases?: Readonly<Record<string, string>> | undefined }>
>;

/** A provider's keys, its old spellings included. */
export const keysOf = (provider: ProviderSchemas[string]): string[] => [...Object.keys(provider.options.shape), ...Object.keys(provider.aliases ?? {})];

type Settings = Record<string, unknown>;

export function describeIssues(where: string, error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const [first, ...rest] = error.issues;
  if (!first) return `${where} is invalid`;
  const path = [...prefix, ...first.path];
  const key = path.length > 0 ? path.map(String).join(".") : "(top level)";
  const more = rest.length > 0 ? ` (+${rest.length} more)` : "";
  return `${where}: ${key}: ${first.message}${more}`;
}

/**
 * The chosen provider's keys: from the payload (only those it lets a payload
 * fill), the file's top level (keys of other providers there serve other
 * environments) and the environment's own block, where a key of another
 * provider is a mistake worth naming.
 */
export function resolveOptions(
  name: string,
  provider: ProviderSchemas[string],
  sources: { payload: Settings; fileTop: Settings; perEnvironment: Settings },
  where: { environment: string; heavenKeys: ReadonlySet<string> },
): { ok: true; options: Record<string, unknown> } | { ok: false; error: string } {
  const own = new Set(keysOf(provider));
  const envPrefix = ["environments", where.environment];
  for (const key of Object.keys(sources.perEnvironment)) {
    if (!where.heavenKeys.has(key) && !own.has(key) && sources.perEnvironment[key] !== undefined) {
      return { ok: false, error: `${CONFIG_FILE}: ${[...envPrefix, key].join(".")}: not an option of provider ${name} (its options: ${[...own].join(", ") || "none"})` };
    }
  }
  // Old spellings (Heaven's `heroku_name`) become the key they stand for, each where it was written.
  const canonical = (settings: Settings): Settings =>
    Object.fromEntries(
      Object.entries(settings).flatMap(([key, value]) => {
        const target = provider.aliases?.[key];
        if (target === undefined) return [[key, value]];
        return target in settings ? [] : [[target, value]];
      }),
    );
  const fromPayload = pick(sources.payload, new Set(provider.payloadKeys ?? []));
  const fromTop = canonical(pick(sources.fileTop, own));
  const fromEnvironment = canonical(pick(sources.perEnvironment, own));
  const parsed = provider.options.safeParse({ ...fromPayload, ...fromTop, ...fromEnvironment });
  if (parsed.success) return { ok: true, options: parsed.data };
  const key = parsed.error.issues[0]?.path[0];
  // A missing key is the file's to add; a wrong one is named where it was set.
  const at = typeof key !== "string" ? [] : key in fromEnvironment ? envPrefix : key in fromPayload && !(key in fromTop) ? undefined : [];
  const message = describeIssues(at === undefined ? "payload.config" : CONFIG_FILE, parsed.error, at ?? []);
  return { ok: false, error: `${message} (provider ${name})` };
}

/** The keys of `value` in `keys` that are set. */
export function pick(value: Settings, keys: ReadonlySet<string>): Settings {
  return Object.fromEntries(Object.entries(value).filter(([key, v]) => keys.has(key) && v !== undefined));
}

