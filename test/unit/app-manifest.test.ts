/**
 * app.yml, the manifest Probot's setup page registers heaven with: it asks
 * for exactly the events heaven handles, and leaves the webhook address to
 * Probot (the smee channel of WEBHOOK_PROXY_URL, or this server).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ManifestCreation } from "../../node_modules/probot/lib/manifest-creation.js";
import { tempDir } from "../helpers/git-repo.js";
import { testApp, type TestApp } from "../helpers/probot.js";

interface Manifest {
  default_events: string[];
  default_permissions: Record<string, string>;
  hook_attributes?: { url?: string };
}

const appYml = parse(readFileSync(join(process.cwd(), "app.yml"), "utf8")) as Manifest;

let tmp: ReturnType<typeof tempDir>;
let app: TestApp;
/** The webhook events heaven's own code registers handlers for (`deployment.created` → `deployment`). */
const handled = new Set<string>();

beforeAll(async () => {
  tmp = tempDir("heaven-manifest-");
  app = await testApp({
    dataDir: join(tmp.path, "data"),
    beforeLoad: (probot) => {
      const on = probot.on;
      probot.on = ((names: string | string[], handler: never) => {
        for (const name of [names].flat()) handled.add(name.split(".")[0] as string);
        return on(names as never, handler);
      }) as typeof probot.on;
    },
  });
});

afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

describe("app.yml", () => {
  it("subscribes to every event heaven handles, and to nothing it does not", () => {
    expect(handled.size).toBeGreaterThan(0);
    expect([...appYml.default_events].sort()).toEqual([...handled].sort());
    expect(appYml.default_events).not.toContain("deployment_status");
  });

  it("asks to write issues, which pull-request commands answer in", () => {
    expect(handled).toContain("issue_comment");
    expect(appYml.default_permissions.issues).toBe("write");
  });

  it("sets no webhook address of its own", () => {
    expect(appYml.hook_attributes?.url).toBeUndefined();
  });
});

describe("the manifest Probot's setup page registers", () => {
  const manifest = (): Manifest => JSON.parse(new ManifestCreation().getManifest({ pkg: { name: "heaven" }, baseUrl: "https://heaven.example.com" })) as Manifest;
  const proxy = process.env.WEBHOOK_PROXY_URL;
  afterAll(() => {
    if (proxy === undefined) delete process.env.WEBHOOK_PROXY_URL;
    else process.env.WEBHOOK_PROXY_URL = proxy;
  });

  it("sends webhooks to the smee channel of WEBHOOK_PROXY_URL", () => {
    process.env.WEBHOOK_PROXY_URL = "https://smee.io/heaven-dev-channel";
    expect(manifest().hook_attributes?.url).toBe("https://smee.io/heaven-dev-channel");
  });

  it("sends webhooks to the server it was opened on without a proxy", () => {
    delete process.env.WEBHOOK_PROXY_URL;
    expect(manifest().hook_attributes?.url).toBe("https://heaven.example.com/");
  });

  it("keeps app.yml's events and permissions", () => {
    expect(manifest()).toMatchObject({ default_events: appYml.default_events, default_permissions: appYml.default_permissions });
  });
});
