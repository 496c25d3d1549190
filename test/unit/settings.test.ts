import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { applyDotEnv, loadSettings, SettingsError } from "../../src/settings.js";
import { tempDir } from "../helpers/git-repo.js";

/** The message loadSettings throws for env, or a failure when it accepts env. */
const errorOf = (env: NodeJS.ProcessEnv): string => {
  try {
    const settings = loadSettings(env);
    throw new Error(`expected a SettingsError, got ${JSON.stringify(settings)}`);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return error.message;
  }
};

const LOG_SECRET = "0123456789abcdef0123";

describe("loadSettings", () => {
  describe("defaults", () => {
    it("listens on 3000, keeps data in .heaven, runs two deployments at once and times out after 300 s", () => {
      expect(loadSettings({})).toEqual({
        port: 3000,
        baseUrl: "http://localhost:3000",
        dataDir: resolve(".heaven"),
        concurrency: 2,
        defaultTimeoutSeconds: 300,
        shutdownGraceSeconds: 600,
        ssh: { privateKey: undefined, knownHosts: undefined },
        offeredSecrets: [],
        hostEnv: {},
        runAs: undefined,
        ingress: "webhook",
        pollSeconds: 5,
        logSecret: undefined,
        logMaxBytes: 50_000_000,
        logRetentionDays: 30,
        baseEnv: {},
        secrets: [],
        role: "all",
      });
    });

    it("treats empty and blank numbers as unset", () => {
      expect(loadSettings({ PORT: "", HEAVEN_CONCURRENCY: "  ", DEPLOYMENT_TIMEOUT: "" })).toMatchObject({
        port: 3000,
        concurrency: 2,
        defaultTimeoutSeconds: 300,
      });
    });
  });

  describe("numbers", () => {
    it("reads PORT, HEAVEN_CONCURRENCY and DEPLOYMENT_TIMEOUT", () => {
      expect(loadSettings({ PORT: "8080", HEAVEN_CONCURRENCY: "8", DEPLOYMENT_TIMEOUT: "1800" })).toMatchObject({
        port: 8080,
        concurrency: 8,
        defaultTimeoutSeconds: 1800,
      });
    });

    it("accepts the ends of each range", () => {
      expect(loadSettings({ PORT: "0", HEAVEN_CONCURRENCY: "1", DEPLOYMENT_TIMEOUT: "1" })).toMatchObject({
        port: 0,
        concurrency: 1,
        defaultTimeoutSeconds: 1,
      });
      expect(loadSettings({ PORT: "65535", HEAVEN_CONCURRENCY: "64", DEPLOYMENT_TIMEOUT: "86400" })).toMatchObject({
        port: 65535,
        concurrency: 64,
        defaultTimeoutSeconds: 86_400,
      });
    });

    it("names PORT, its range and the bad value when PORT is not a number", () => {
      expect(errorOf({ PORT: "http" })).toBe('PORT must be a whole number from 0 to 65535, got "http"');
    });

    it("refuses a port out of range", () => {
      expect(errorOf({ PORT: "70000" })).toBe('PORT must be a whole number from 0 to 65535, got "70000"');
      expect(errorOf({ PORT: "-1" })).toBe('PORT must be a whole number from 0 to 65535, got "-1"');
    });

    it("names HEAVEN_CONCURRENCY when it is zero or fractional", () => {
      expect(errorOf({ HEAVEN_CONCURRENCY: "0" })).toBe('HEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "0"');
      expect(errorOf({ HEAVEN_CONCURRENCY: "1.5" })).toBe(
        'HEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "1.5"',
      );
    });

    it("names DEPLOYMENT_TIMEOUT when it is written with a unit", () => {
      expect(errorOf({ DEPLOYMENT_TIMEOUT: "5m" })).toBe(
        'DEPLOYMENT_TIMEOUT must be a whole number from 1 to 86400, got "5m"',
      );
    });

    it("lists every bad variable, one a line", () => {
      expect(errorOf({ PORT: "x", HEAVEN_CONCURRENCY: "0", HEAVEN_LOG_SECRET: "short" }).split("\n")).toEqual([
        'PORT must be a whole number from 0 to 65535, got "x"',
        'HEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "0"',
        "HEAVEN_LOG_SECRET must be at least 16 characters",
      ]);
    });
  });

  describe("HEAVEN_URL", () => {
    it("defaults to localhost on the configured PORT", () => {
      expect(loadSettings({ PORT: "8080" }).baseUrl).toBe("http://localhost:8080");
    });

    it("is used as given, without trailing slashes", () => {
      expect(loadSettings({ HEAVEN_URL: "https://heaven.example.com" }).baseUrl).toBe("https://heaven.example.com");
      expect(loadSettings({ HEAVEN_URL: "https://heaven.example.com/" }).baseUrl).toBe("https://heaven.example.com");
      expect(loadSettings({ HEAVEN_URL: "https://example.com/heaven//" }).baseUrl).toBe("https://example.com/heaven");
    });

    it("does not depend on PORT when set", () => {
      expect(loadSettings({ PORT: "8080", HEAVEN_URL: "https://heaven.example.com" }).baseUrl).toBe(
        "https://heaven.example.com",
      );
    });

    it("refuses something that is not a URL, naming HEAVEN_URL", () => {
      expect(errorOf({ HEAVEN_URL: "heaven.example.com" })).toBe("HEAVEN_URL must be an absolute http(s) URL");
    });

    it("refuses URLs that are not http(s), as its message promises", () => {
      for (const url of ["ftp://heaven.example.com", "javascript:alert(1)", "mailto:ops@example.com"]) {
        expect({ url, error: errorOf({ HEAVEN_URL: url }) }).toEqual({
          url,
          error: "HEAVEN_URL must be an absolute http(s) URL",
        });
      }
    });
  });

  describe("HEAVEN_LOG_MAX_BYTES", () => {
    it("reads plain bytes and decimal and binary suffixes, and off or 0 as no cap", () => {
      const read = (value: string) => loadSettings({ HEAVEN_LOG_MAX_BYTES: value }).logMaxBytes;
      expect([read("2048"), read("50MB"), read("512KiB"), read(" 1 gib "), read("1.5kB"), read("off"), read("0"), read("")]).toEqual([
        2048, 50_000_000, 524_288, 1024 ** 3, 1500, 0, 0, 50_000_000,
      ]);
    });

    it("refuses an unknown unit, a negative size and a cap too small to hold a line, naming the variable", () => {
      for (const value of ["50 apples", "-5MB", "100", "MB"]) {
        expect(errorOf({ HEAVEN_LOG_MAX_BYTES: value })).toBe(
          `HEAVEN_LOG_MAX_BYTES must be a size of at least 1KiB such as 50MB or 512KiB, or off, got "${value}"`,
        );
      }
    });
  });

  describe("HEAVEN_DATA_DIR and HEAVEN_LOG_SECRET", () => {
    it("resolves the data directory to an absolute path", () => {
      expect(loadSettings({ HEAVEN_DATA_DIR: "/var/lib/heaven" }).dataDir).toBe("/var/lib/heaven");
      expect(loadSettings({ HEAVEN_DATA_DIR: "data" }).dataDir).toBe(resolve("data"));
    });

    it("keeps a log secret of 16 characters or more, and counts it as a secret", () => {
      const settings = loadSettings({ HEAVEN_LOG_SECRET: LOG_SECRET });
      expect(settings.logSecret).toBe(LOG_SECRET);
      expect(settings.secrets).toContain(LOG_SECRET);
    });

    it("refuses a short log secret, naming HEAVEN_LOG_SECRET", () => {
      expect(errorOf({ HEAVEN_LOG_SECRET: "hunter2" })).toBe("HEAVEN_LOG_SECRET must be at least 16 characters");
    });
  });

  describe("the environment provider processes start from", () => {
    const env = {
      PATH: "/usr/bin:/bin",
      HOME: "/home/heaven",
      LANG: "C.UTF-8",
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
      WEBHOOK_SECRET: "webhook-secret-value",
      APP_ID: "12345",
      GITHUB_TOKEN: "ghs_token",
      AWS_SECRET_ACCESS_KEY: "aws-secret",
    };

    it("passes the usual shell variables that are set", () => {
      expect(loadSettings(env).baseEnv).toEqual({ PATH: "/usr/bin:/bin", HOME: "/home/heaven", LANG: "C.UTF-8" });
    });

    it("does not pass heaven's own credentials or unrelated variables", () => {
      const { baseEnv } = loadSettings(env);
      for (const name of ["PRIVATE_KEY", "WEBHOOK_SECRET", "APP_ID", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"]) {
        expect(Object.keys(baseEnv)).not.toContain(name);
      }
    });

    it("passes the variables HEAVEN_PASS_ENV names and treats their values as secrets", () => {
      const settings = loadSettings({ ...env, HEAVEN_PASS_ENV: "AWS_SECRET_ACCESS_KEY, DATABASE_URL", DATABASE_URL: "postgres://db" });
      expect(settings.baseEnv).toEqual({
        PATH: "/usr/bin:/bin",
        HOME: "/home/heaven",
        LANG: "C.UTF-8",
        AWS_SECRET_ACCESS_KEY: "aws-secret",
        DATABASE_URL: "postgres://db",
      });
      expect(settings.secrets).toEqual(expect.arrayContaining(["aws-secret", "postgres://db"]));
    });

    it("ignores blanks and names of unset variables in HEAVEN_PASS_ENV", () => {
      const settings = loadSettings({ HEAVEN_PASS_ENV: " ,NOT_SET,, API_KEY ,", API_KEY: "k-123" });
      expect(settings.baseEnv).toEqual({ API_KEY: "k-123" });
      expect(settings.secrets).toEqual(["k-123"]);
    });

    it("does not count an empty passed variable as a secret", () => {
      const settings = loadSettings({ HEAVEN_PASS_ENV: "EMPTY", EMPTY: "" });
      expect(settings.baseEnv).toEqual({ EMPTY: "" });
      expect(settings.secrets).toEqual([]);
    });

    it("counts the webhook secret as a secret without passing it on", () => {
      const settings = loadSettings(env);
      expect(settings.secrets).toEqual(["webhook-secret-value"]);
      expect(Object.values(settings.baseEnv)).not.toContain("webhook-secret-value");
    });
  });
});

describe("HEAVEN_SHUTDOWN_GRACE", () => {
  it("defaults to ten minutes, takes 0 (stop at once) and names itself when invalid", () => {
    expect(loadSettings({}).shutdownGraceSeconds).toBe(600);
    expect(loadSettings({ HEAVEN_SHUTDOWN_GRACE: "0" }).shutdownGraceSeconds).toBe(0);
    expect(errorOf({ HEAVEN_SHUTDOWN_GRACE: "10m" })).toBe('HEAVEN_SHUTDOWN_GRACE must be a whole number from 0 to 86400, got "10m"');
  });
});

describe("applyDotEnv", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir("heaven-dotenv-")));
  afterEach(() => dir.remove());

  it("applies .env from the directory before settings are read, its values winning as in Probot", () => {
    writeFileSync(join(dir.path, ".env"), "# heaven\nHEAVEN_CONCURRENCY=5\nHEAVEN_URL=\"https://heaven.example.com\"\nPORT=4000\n");
    const env: NodeJS.ProcessEnv = { PORT: "3001" };
    expect(applyDotEnv(env, dir.path).sort()).toEqual(["HEAVEN_CONCURRENCY", "HEAVEN_URL", "PORT"]);
    expect(loadSettings(env)).toMatchObject({ concurrency: 5, baseUrl: "https://heaven.example.com", port: 4000 });
  });

  it("changes nothing when there is no .env", () => {
    const env: NodeJS.ProcessEnv = { PORT: "3001" };
    expect(applyDotEnv(env, dir.path)).toEqual([]);
    expect(env).toEqual({ PORT: "3001" });
  });

  it("lets a bad value in .env stop start-up, naming the variable", () => {
    writeFileSync(join(dir.path, ".env"), "HEAVEN_CONCURRENCY=lots\n");
    const env: NodeJS.ProcessEnv = {};
    applyDotEnv(env, dir.path);
    expect(errorOf(env)).toBe('HEAVEN_CONCURRENCY must be a whole number from 1 to 64, got "lots"');
  });

  it("says so when .env cannot be read", () => {
    mkdirSync(join(dir.path, ".env"));
    expect(() => applyDotEnv({}, dir.path)).toThrow(SettingsError);
  });
});

describe("HEAVEN_INGRESS and HEAVEN_POLL_SECONDS", () => {
  it("take webhook (the default) or poll, and a poll interval of 1 s to an hour", () => {
    expect(loadSettings({ HEAVEN_INGRESS: "poll", HEAVEN_POLL_SECONDS: "2" })).toMatchObject({ ingress: "poll", pollSeconds: 2 });
    expect(loadSettings({ HEAVEN_INGRESS: " " })).toMatchObject({ ingress: "webhook", pollSeconds: 5 });
    expect(errorOf({ HEAVEN_INGRESS: "smee" })).toBe('HEAVEN_INGRESS must be webhook or poll, got "smee"');
    expect(errorOf({ HEAVEN_POLL_SECONDS: "0" })).toBe('HEAVEN_POLL_SECONDS must be a whole number from 1 to 3600, got "0"');
  });

describe("provider credentials and keys", () => {
  const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----";

  it("reads DEPLOYMENT_PRIVATE_KEY written on one line with \\n escapes, as Heaven took it", () => {
    expect(loadSettings({ DEPLOYMENT_PRIVATE_KEY: KEY.replaceAll("\n", "\\n") }).ssh.privateKey).toBe(KEY);
  });

  it("reads DEPLOYMENT_PRIVATE_KEY and HEAVEN_KNOWN_HOSTS from files", () => {
    const dir = mkdtempSync(join(tmpdir(), "heaven-settings-"));
    writeFileSync(join(dir, "key"), KEY);
    writeFileSync(join(dir, "known"), "[h]:22 ssh-ed25519 AAAA\n");
    expect(loadSettings({ DEPLOYMENT_PRIVATE_KEY: join(dir, "key"), HEAVEN_KNOWN_HOSTS: join(dir, "known") }).ssh).toEqual({ privateKey: KEY, knownHosts: "[h]:22 ssh-ed25519 AAAA\n" });
  });

  it("takes HEAVEN_KNOWN_HOSTS lines given inline", () => {
    expect(loadSettings({ HEAVEN_KNOWN_HOSTS: "a ssh-ed25519 AAAA\\nb ssh-ed25519 BBBB" }).ssh.knownHosts).toBe("a ssh-ed25519 AAAA\nb ssh-ed25519 BBBB");
  });

  it("says when the key is neither a key nor a file", () => {
    expect(errorOf({ DEPLOYMENT_PRIVATE_KEY: "/nonexistent/key" })).toMatch(/^DEPLOYMENT_PRIVATE_KEY is neither a private key nor a readable file: /);
  });

  it("lists the secrets repositories may ask for, never heaven's own", () => {
    expect(loadSettings({ HEAVEN_SECRETS: "NPM_TOKEN, SENTRY_DSN" }).offeredSecrets).toEqual(["NPM_TOKEN", "SENTRY_DSN"]);
    expect(errorOf({ HEAVEN_SECRETS: "NPM_TOKEN,PRIVATE_KEY,WEBHOOK_SECRET" })).toBe("HEAVEN_SECRETS may not offer heaven's own credentials: PRIVATE_KEY, WEBHOOK_SECRET");
  });

  it("refuses HEAVEN_RUN_AS naming a user this machine does not have", () => {
    expect(errorOf({ HEAVEN_RUN_AS: "no-such-user-here" })).toBe(
      'HEAVEN_RUN_AS names "no-such-user-here", which is not a user of this machine; create it (useradd --system --create-home no-such-user-here)',
    );
  });
});
});

describe("HEAVEN_METRICS_TOKEN", () => {
  it("is the bearer token /metrics asks for, masked in logs; unset or empty leaves /metrics open", () => {
    const token = "metrics-token-0123456789";
    const settings = loadSettings({ HEAVEN_METRICS_TOKEN: token });
    expect(settings.metricsToken).toBe(token);
    expect(settings.secrets).toContain(token);
    expect(loadSettings({}).metricsToken).toBeUndefined();
    expect(loadSettings({ HEAVEN_METRICS_TOKEN: "" }).metricsToken).toBeUndefined();
  });

  it("refuses a short token, and a repository may not ask for it as a secret", () => {
    expect(errorOf({ HEAVEN_METRICS_TOKEN: "short" })).toBe("HEAVEN_METRICS_TOKEN must be at least 16 characters (or unset, for an open /metrics)");
    expect(errorOf({ HEAVEN_SECRETS: "HEAVEN_METRICS_TOKEN" })).toBe("HEAVEN_SECRETS may not offer heaven's own credentials: HEAVEN_METRICS_TOKEN");
  });
});
