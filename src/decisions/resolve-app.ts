/** An app of apps.yml and one of its environments, or an error listing the known ones. Pure. */
export interface AppChoice<App> {
  apps: Record<string, App>;
  environmentsOf(app: App): string[];
  name: string;
  environment: string;
  source: string;
}

export type AppResolution<App> = { ok: true; app: App } | { ok: false; message: string };

export function resolveApp<App>(choice: AppChoice<App>): AppResolution<App> {
  const app = Object.hasOwn(choice.apps, choice.name) ? choice.apps[choice.name] : undefined;
  if (app === undefined) {
    const known = Object.keys(choice.apps).join(", ") || "none";
    return { ok: false, message: `app "${choice.name}" is not in ${choice.source} (known apps: ${known})` };
  }
  const environments = choice.environmentsOf(app);
  if (environments.length > 0 && !environments.includes(choice.environment)) {
    return { ok: false, message: `app "${choice.name}" has no environment "${choice.environment}" in ${choice.source} (known: ${environments.join(", ")})` };
  }
  return { ok: true, app };
}
