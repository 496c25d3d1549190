import { describe, expect, it } from "@jest/globals";
import { z } from "zod";
import { CONFIG_FILE, configuredEnvironments, repositorySettings, resolveConfig, type ProviderSchemas, type ResolveConfigInput } from "../../src/decisions/resolve-config.js";

/** Providers with no options of their own, by name. */
const named = (...names: string[]): ProviderSchemas => Object.fromEntries(names.map((name) => [name, { options: z.object({}).strict() }]));

const resolve = (overrides: Partial<ResolveConfigInput>) =>
  resolveConfig({
    file: null,
    payloadConfig: undefined,
    environment: "production",
    providers: named("shell", "heroku", "capistrano"),
    defaultTimeoutSeconds: 300,
    ...overrides,
  });

/** The error message, or a failure naming what resolved instead. */
const errorOf = (overrides: Partial<ResolveConfigInput>): string => {
  const result = resolve(overrides);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.config)}`);
  return result.error;
};

/** The keys issue 3 added, at their defaults: expected configs spread this. */
const WORKFLOW_DEFAULTS = {
  autoDeploy: false,
  lockTtlSeconds: undefined,
  ciTimeoutSeconds: 1800,
  mergeDefaultBranch: true,
  options: {},
  env: {},
  secrets: [],
  parallel: 4,
  ciGate: "auto",
  deployers: { role: "write", teams: [] },
  allowForks: false,
};

const configOf = (overrides: Partial<ResolveConfigInput>) => {
  const result = resolve(overrides);
  if (!result.ok) throw new Error(`expected a configuration, got: ${result.error}`);
  return result.config;
};

describe("resolveConfig", () => {
  describe("defaults", () => {
    it("runs script/deploy with the shell provider and the default timeout when the repository has no file", () => {
      expect(resolve({ file: null })).toEqual({
        ok: true,
        listed: false,
        config: {
          provider: "shell",
          script: "script/deploy",
          timeoutSeconds: 300,
          environmentUrl: undefined,
          requiredContexts: undefined,
          ...WORKFLOW_DEFAULTS,
        },
      });
    });

    it("says whether the file lists the environment (its name is then taken as configured)", () => {
      expect(resolve({ file: { environments: { production: null } } })).toMatchObject({ ok: true, listed: true });
      expect(resolve({ file: { timeout: 60 } })).toMatchObject({ ok: true, listed: false });
    });

    it("treats an empty file like no file", () => {
      expect(resolve({ file: {} })).toEqual(resolve({ file: null }));
    });

    it("uses the default timeout it is given", () => {
      expect(configOf({ defaultTimeoutSeconds: 1200 }).timeoutSeconds).toBe(1200);
    });

    it("leaves required_contexts undefined when nobody sets it, so every reported context must be green", () => {
      expect(configOf({ file: { script: "script/ship" } }).requiredContexts).toBeUndefined();
    });
  });

  describe("valid settings", () => {
    it("reads every top-level key", () => {
      expect(
        configOf({
          file: {
            provider: "heroku",
            script: "bin/release",
            timeout: 900,
            environment_url: "https://app.example.com/",
            required_contexts: ["ci/test", "lint"],
          },
        }),
      ).toEqual({
        provider: "heroku",
        script: "bin/release",
        timeoutSeconds: 900,
        environmentUrl: "https://app.example.com/",
        requiredContexts: ["ci/test", "lint"],
        ...WORKFLOW_DEFAULTS,
      });
    });

    it("keeps required_contexts: [] as an empty list, which skips the CI check", () => {
      expect(configOf({ file: { required_contexts: [] } }).requiredContexts).toEqual([]);
    });

    it("normalises a script path written with ./ or doubled slashes", () => {
      expect(configOf({ file: { script: "./script/deploy" } }).script).toBe("script/deploy");
      expect(configOf({ file: { script: "script//deploy" } }).script).toBe("script/deploy");
    });

    it("accepts a plain http environment_url as well as https", () => {
      expect(configOf({ file: { environment_url: "http://staging.internal:8080/app" } }).environmentUrl).toBe(
        "http://staging.internal:8080/app",
      );
    });

    it("accepts the largest timeout, one day", () => {
      expect(configOf({ file: { timeout: 86_400 } }).timeoutSeconds).toBe(86_400);
    });
  });

  describe("unknown keys", () => {
    it("names the unknown key and the file when a top-level key is misspelled", () => {
      const error = errorOf({ file: { scirpt: "script/deploy" } });
      expect(error).toContain(CONFIG_FILE);
      expect(error).toContain('"scirpt"');
      expect(error).toBe('.github/heaven.yml: (top level): Unrecognized key: "scirpt"');
    });

    it("names the environment and the unknown key when a per-environment key is misspelled", () => {
      expect(errorOf({ file: { environments: { production: { timout: 60 } } } })).toBe(
        '.github/heaven.yml: environments.production: Unrecognized key: "timout"',
      );
    });

    it("refuses environments nested inside an environment", () => {
      expect(errorOf({ file: { environments: { production: { environments: {} } } } })).toBe(
        '.github/heaven.yml: environments.production: Unrecognized key: "environments"',
      );
    });
  });

  describe("wrong types", () => {
    it("refuses a file that is not a mapping", () => {
      expect(errorOf({ file: "script/deploy" })).toBe(
        ".github/heaven.yml: (top level): Invalid input: expected object, received string",
      );
      expect(errorOf({ file: ["script/deploy"] })).toBe(
        ".github/heaven.yml: (top level): Invalid input: expected object, received array",
      );
    });

    it("refuses a timeout written as a string", () => {
      expect(errorOf({ file: { timeout: "300" } })).toBe(
        ".github/heaven.yml: timeout: Invalid input: expected number, received string",
      );
    });

    it("refuses a timeout that is zero, fractional or longer than a day", () => {
      expect(errorOf({ file: { timeout: 0 } })).toMatch(/^\.github\/heaven\.yml: timeout: /);
      expect(errorOf({ file: { timeout: -5 } })).toMatch(/^\.github\/heaven\.yml: timeout: /);
      expect(errorOf({ file: { timeout: 1.5 } })).toMatch(/^\.github\/heaven\.yml: timeout: .*int/);
      expect(errorOf({ file: { timeout: 86_401 } })).toMatch(/^\.github\/heaven\.yml: timeout: .*86400/);
    });

    it("refuses required_contexts given as a single string", () => {
      expect(errorOf({ file: { required_contexts: "ci/test" } })).toBe(
        ".github/heaven.yml: required_contexts: Invalid input: expected array, received string",
      );
    });

    it("names the index of an empty context name", () => {
      expect(errorOf({ file: { required_contexts: ["ci/test", ""] } })).toMatch(
        /^\.github\/heaven\.yml: required_contexts\.1: /,
      );
    });

    it("refuses an empty provider name", () => {
      expect(errorOf({ file: { provider: "" } })).toMatch(/^\.github\/heaven\.yml: provider: /);
    });

    it("names the first wrong key and counts the others", () => {
      expect(errorOf({ file: { provider: 3, script: 4 } })).toBe(
        ".github/heaven.yml: provider: Invalid input: expected string, received number (+1 more)",
      );
    });

    it("names the full key path of a wrong type inside an environment", () => {
      expect(errorOf({ file: { environments: { staging: { timeout: "soon" } } }, environment: "staging" })).toBe(
        ".github/heaven.yml: environments.staging.timeout: Invalid input: expected number, received string",
      );
    });
  });

  describe("script paths", () => {
    it.each(["/etc/x", "/usr/local/bin/deploy", "../x", "script/../../x", "..", "script\\..\\..\\x"])(
      "refuses %s, which is outside the repository, and says how to write one",
      (script) => {
        expect(errorOf({ file: { script } })).toBe(
          ".github/heaven.yml: script: must be a path inside the repository, like script/deploy",
        );
      },
    );

    it("refuses a path with .. in it even when it would stay inside the repository", () => {
      expect(errorOf({ file: { script: "script/tools/../deploy" } })).toMatch(/^\.github\/heaven\.yml: script: /);
    });

    it("refuses an empty script", () => {
      expect(errorOf({ file: { script: "" } })).toMatch(/^\.github\/heaven\.yml: script: /);
    });

    it("refuses a script outside the repository in an environment, naming its path", () => {
      expect(errorOf({ file: { environments: { production: { script: "/bin/sh" } } } })).toBe(
        ".github/heaven.yml: environments.production.script: must be a path inside the repository, like script/deploy",
      );
    });

    it("refuses a script outside the repository in payload.config", () => {
      expect(errorOf({ payloadConfig: { script: "../../etc/passwd" } })).toBe(
        "payload.config: script: must be a path inside the repository, like script/deploy",
      );
    });
  });

  describe("environment_url", () => {
    it.each(["not a url", "ftp://files.example.com", "javascript:alert(1)", "app.example.com"])(
      "refuses %s and names the key",
      (url) => {
        expect(errorOf({ file: { environment_url: url } })).toMatch(/^\.github\/heaven\.yml: environment_url: /);
      },
    );
  });

  describe("environments", () => {
    const file = {
      script: "script/deploy",
      timeout: 600,
      environments: {
        production: { timeout: 1800, environment_url: "https://example.com" },
        staging: { script: "script/deploy-staging", required_contexts: [] },
        review: null,
      },
    };

    it("refuses an environment the file does not list, and lists the ones it does", () => {
      expect(errorOf({ file, environment: "qa" })).toBe(
        'environment "qa" is not in .github/heaven.yml (configured: production, staging, review)',
      );
    });

    it("says none are configured when environments is empty", () => {
      expect(errorOf({ file: { environments: {} } })).toBe(
        'environment "production" is not in .github/heaven.yml (configured: none)',
      );
    });

    it("does not mistake inherited object properties for environments", () => {
      for (const environment of ["constructor", "toString", "hasOwnProperty"]) {
        expect(errorOf({ file: { environments: { production: {} } }, environment })).toBe(
          `environment "${environment}" is not in .github/heaven.yml (configured: production)`,
        );
      }
    });

    it("accepts any environment when the file has no environments key", () => {
      for (const environment of ["production", "staging", "pr-42", "anything at all"]) {
        expect(configOf({ file: { script: "script/ship" }, environment }).script).toBe("script/ship");
      }
    });

    it("accepts any environment when there is no file", () => {
      expect(resolve({ environment: "qa" }).ok).toBe(true);
    });

    it("takes an environment listed as null with the top-level settings", () => {
      expect(configOf({ file, environment: "review" })).toEqual({
        provider: "shell",
        script: "script/deploy",
        timeoutSeconds: 600,
        environmentUrl: undefined,
        requiredContexts: undefined,
        ...WORKFLOW_DEFAULTS,
      });
    });

    it("lets an environment's settings override the top-level ones", () => {
      expect(configOf({ file, environment: "production" })).toEqual({
        provider: "shell",
        script: "script/deploy",
        timeoutSeconds: 1800,
        environmentUrl: "https://example.com",
        requiredContexts: undefined,
        ...WORKFLOW_DEFAULTS,
      });
      expect(configOf({ file, environment: "staging" })).toEqual({
        provider: "shell",
        script: "script/deploy-staging",
        timeoutSeconds: 600,
        environmentUrl: undefined,
        requiredContexts: [],
        ...WORKFLOW_DEFAULTS,
      });
    });

    it("lets an environment override required_contexts with [] even when the top level requires some", () => {
      expect(
        configOf({
          file: { required_contexts: ["ci/test"], environments: { production: { required_contexts: [] } } },
        }).requiredContexts,
      ).toEqual([]);
    });

    it("refuses an environment name that is empty", () => {
      expect(errorOf({ file: { environments: { "": {} } } })).toMatch(/^\.github\/heaven\.yml: environments/);
    });

    it("refuses environments that is not a mapping", () => {
      expect(errorOf({ file: { environments: ["production"] } })).toMatch(/^\.github\/heaven\.yml: environments: /);
    });
  });

  describe("workflow keys", () => {
    it("reads auto_deploy, lock_ttl, ci_timeout and merge_default_branch, per environment over the top level", () => {
      const file = { ci_timeout: 600, merge_default_branch: false, environments: { production: { auto_deploy: true, lock_ttl: 3600 }, staging: null } };
      expect(configOf({ file, environment: "production" })).toMatchObject({ autoDeploy: true, lockTtlSeconds: 3600, ciTimeoutSeconds: 600, mergeDefaultBranch: false });
      expect(configOf({ file, environment: "staging" })).toMatchObject({ autoDeploy: false, lockTtlSeconds: undefined, ciTimeoutSeconds: 600 });
    });

    it("names the key when a workflow setting has the wrong type", () => {
      expect(errorOf({ file: { environments: { production: { auto_deploy: "yes" } } } })).toMatch(/^\.github\/heaven\.yml: environments\.production\.auto_deploy: /);
      expect(errorOf({ file: { ci_timeout: -5 } })).toMatch(/^\.github\/heaven\.yml: ci_timeout: /);
    });
  });

  describe("configuredEnvironments", () => {
    it("lists each configured environment resolved, leaving out none that are valid", () => {
      const envs = configuredEnvironments({
        file: { environments: { production: { auto_deploy: true }, staging: null } },
        providers: named("shell"),
        defaultTimeoutSeconds: 300,
      });
      expect(envs.map((e) => [e.name, e.config.autoDeploy])).toEqual([["production", true], ["staging", false]]);
    });

    it("is empty when the file lists no environments or is invalid", () => {
      expect(configuredEnvironments({ file: { auto_deploy: true }, providers: named("shell"), defaultTimeoutSeconds: 300 })).toEqual([]);
      expect(configuredEnvironments({ file: { bogus: 1 }, providers: named("shell"), defaultTimeoutSeconds: 300 })).toEqual([]);
    });
  });

  describe("payload.config", () => {
    it("fills in what the repository's file leaves open", () => {
      expect(
        configOf({
          file: { script: "script/deploy" },
          payloadConfig: { timeout: 120, environment_url: "https://pr-7.example.com", required_contexts: [] },
        }),
      ).toEqual({
        provider: "shell",
        script: "script/deploy",
        timeoutSeconds: 120,
        environmentUrl: "https://pr-7.example.com",
        requiredContexts: [],
        ...WORKFLOW_DEFAULTS,
      });
    });

    it("is used alone when the repository has no file", () => {
      expect(configOf({ payloadConfig: { provider: "capistrano", script: "config/deploy" } })).toMatchObject({
        provider: "capistrano",
        script: "config/deploy",
      });
    });

    it("cannot override what the file's top level sets", () => {
      expect(
        configOf({
          file: { provider: "shell", script: "script/deploy", timeout: 600, required_contexts: ["ci/test"] },
          payloadConfig: { provider: "heroku", script: "script/evil", timeout: 5, required_contexts: [] },
        }),
      ).toEqual({
        provider: "shell",
        script: "script/deploy",
        timeoutSeconds: 600,
        environmentUrl: undefined,
        requiredContexts: ["ci/test"],
        ...WORKFLOW_DEFAULTS,
      });
    });

    it("cannot override what the file sets for the environment", () => {
      expect(
        configOf({
          file: { environments: { production: { script: "script/prod", required_contexts: ["ci/test"] } } },
          payloadConfig: { script: "script/other", required_contexts: [] },
        }),
      ).toMatchObject({ script: "script/prod", requiredContexts: ["ci/test"] });
    });

    it("does not widen the environments the file allows", () => {
      expect(errorOf({ file: { environments: { production: null } }, environment: "staging", payloadConfig: {} })).toBe(
        'environment "staging" is not in .github/heaven.yml (configured: production)',
      );
    });

    it("ignores keys it does not read, as in a hubot-deploy apps.json entry", () => {
      expect(resolve({ payloadConfig: { scirpt: "script/deploy", allowed_rooms: ["ops"], repository: "acme/web" } })).toEqual(resolve({ payloadConfig: undefined }));
    });

    it("says payload.config when payload.config has a wrong type", () => {
      expect(errorOf({ payloadConfig: { timeout: "600" } })).toBe(
        "payload.config: timeout: Invalid input: expected number, received string",
      );
      expect(errorOf({ payloadConfig: "production" })).toBe(
        "payload.config: (top level): Invalid input: expected object, received string",
      );
    });

    it("does not let environments in payload.config widen what the file allows", () => {
      expect(errorOf({ file: { environments: { production: null } }, environment: "staging", payloadConfig: { environments: ["production", "staging"] } })).toBe(
        'environment "staging" is not in .github/heaven.yml (configured: production)',
      );
    });

    it("reports the file's error before payload.config's when both are wrong", () => {
      expect(errorOf({ file: { timeout: "x" }, payloadConfig: { timeout: "y" } })).toMatch(/^\.github\/heaven\.yml: /);
    });

    it("treats a null payload.config like an absent one", () => {
      expect(resolve({ payloadConfig: null })).toEqual(resolve({ payloadConfig: undefined }));
    });
  });

  describe("providers", () => {
    it("refuses an unknown provider and lists the known ones", () => {
      expect(errorOf({ file: { provider: "kubernetes" } })).toBe(
        'provider "kubernetes" is not known to heaven (available: shell, heroku, capistrano)',
      );
    });

    it("refuses an unknown provider that came from payload.config", () => {
      expect(errorOf({ payloadConfig: { provider: "fabric" } })).toBe(
        'provider "fabric" is not known to heaven (available: shell, heroku, capistrano)',
      );
    });

    it("refuses the default shell provider when it is not registered", () => {
      expect(errorOf({ providers: named("heroku") })).toBe('provider "shell" is not known to heaven (available: heroku)');
    });

    it("takes a provider an environment names", () => {
      expect(configOf({ file: { environments: { production: { provider: "heroku" } } } }).provider).toBe("heroku");
    });
  });
});

describe("provider options", () => {
  const providers: ProviderSchemas = {
    shell: { options: z.object({}).strict() },
    ssh: { options: z.object({ hosts: z.array(z.string().min(1)).min(1), deploy_to: z.string().startsWith("/"), restart: z.string().optional() }).strict() },
    heroku: { options: z.object({ heroku_app: z.string().min(1) }).strict(), payloadKeys: ["heroku_app"] },
  };
  const resolveWith = (file: unknown, environment = "production", payloadConfig?: unknown) =>
    resolveConfig({ file, payloadConfig, environment, providers, defaultTimeoutSeconds: 300 });

  it("validates the chosen provider's keys, per environment over the top level", () => {
    const file = { provider: "ssh", hosts: ["a.example.com"], deploy_to: "/srv/app", environments: { production: { hosts: ["b.example.com", "c.example.com"] }, staging: null } };
    expect(resolveWith(file)).toMatchObject({ ok: true, config: { provider: "ssh", options: { hosts: ["b.example.com", "c.example.com"], deploy_to: "/srv/app" } } });
    expect(resolveWith(file, "staging")).toMatchObject({ ok: true, config: { options: { hosts: ["a.example.com"] } } });
  });

  it("names the key, where it was set and the provider when a value is wrong", () => {
    expect(resolveWith({ provider: "ssh", hosts: ["a"], environments: { production: { deploy_to: "srv" } } })).toEqual({
      ok: false,
      error: '.github/heaven.yml: environments.production.deploy_to: Invalid string: must start with "/" (provider ssh)',
    });
    expect(resolveWith({ provider: "ssh", deploy_to: "/srv" })).toEqual({
      ok: false,
      error: ".github/heaven.yml: hosts: Invalid input: expected array, received undefined (provider ssh)",
    });
  });

  it("refuses an environment's key that belongs to another provider", () => {
    expect(resolveWith({ environments: { production: { provider: "heroku", heroku_app: "x", hosts: ["a"] } } })).toEqual({
      ok: false,
      error: ".github/heaven.yml: environments.production.hosts: not an option of provider heroku (its options: heroku_app)",
    });
  });

  it("lets top-level keys of another provider serve the environments that use it", () => {
    const file = { hosts: ["a.example.com"], deploy_to: "/srv", environments: { production: { provider: "ssh" }, review: { provider: "heroku", heroku_app: "review" } } };
    expect(resolveWith(file, "review")).toMatchObject({ ok: true, config: { provider: "heroku", options: { heroku_app: "review" } } });
  });

  it("still refuses a key no provider knows", () => {
    expect(resolveWith({ hots: ["a"] })).toEqual({ ok: false, error: '.github/heaven.yml: (top level): Unrecognized key: "hots"' });
  });

  it("reads env, secrets and parallel as heaven's own keys", () => {
    const file = { env: { RAILS_ENV: "production" }, secrets: ["NPM_TOKEN"], parallel: 2 };
    expect(resolveWith(file)).toMatchObject({ ok: true, config: { env: { RAILS_ENV: "production" }, secrets: ["NPM_TOKEN"], parallel: 2 } });
    expect(resolveWith({ env: { "NOT A NAME": "x" } })).toMatchObject({ ok: false, error: expect.stringMatching(/^\.github\/heaven\.yml: env\.NOT A NAME: /) });
  });
});

describe("pull-request command settings", () => {
  const resolveWith = (file: unknown, environment = "production") => resolveConfig({ file, payloadConfig: undefined, environment, providers: named("shell"), defaultTimeoutSeconds: 300 });

  it("reads deployers as a role or a role with teams, per environment", () => {
    const file = { deployers: "maintain", environments: { production: { deployers: { role: "admin", teams: ["acme/sre"] } }, staging: null } };
    expect(resolveWith(file)).toMatchObject({ ok: true, config: { deployers: { role: "admin", teams: ["acme/sre"] } } });
    expect(resolveWith(file, "staging")).toMatchObject({ ok: true, config: { deployers: { role: "maintain", teams: [] } } });
    expect(resolveWith({ deployers: "triage" })).toMatchObject({ ok: false, error: expect.stringMatching(/^\.github\/heaven\.yml: deployers: /) });
  });

  it("takes default_environment and command_prefix at the top level only", () => {
    expect(repositorySettings({ default_environment: "staging", command_prefix: "!" })).toEqual({ defaultEnvironment: "staging", prefixes: ["!"] });
    expect(repositorySettings(null)).toEqual({ defaultEnvironment: "production", prefixes: ["/", "."] });
    expect(resolveWith({ environments: { production: { default_environment: "x" } } })).toMatchObject({ ok: false, error: expect.stringContaining('Unrecognized key: "default_environment"') });
  });
});

describe("command_prefix", () => {
  it("is punctuation: a comment starting with a word is never read as a command", () => {
    const resolved = resolveConfig({ file: { command_prefix: "hv" }, payloadConfig: undefined, environment: "production", providers: named("shell"), defaultTimeoutSeconds: 300 });
    expect(resolved).toMatchObject({ ok: false, error: expect.stringMatching(/^\.github\/heaven\.yml: command_prefix/) });
    expect(repositorySettings({ command_prefix: "!" }).prefixes).toEqual(["!"]);
  });
});
