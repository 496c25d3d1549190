/**
 * Local development as Probot documents it: with WEBHOOK_PROXY_URL set,
 * heaven's real server listens to that smee channel (smee-client is
 * installed) and handles the webhooks it forwards: a deployment runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startFakeSmee, type FakeSmee } from "../helpers/fake-smee.js";
import { startHeaven, WEBHOOK_SECRET } from "../helpers/heaven-server.js";

const FULL_NAME = "Codertocat/Hello-World";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let smee: FakeSmee;

beforeAll(async () => {
  tmp = tempDir("heaven-proxy-");
  github = new FakeGitHub();
  await github.start();
  smee = await startFakeSmee();
});

afterAll(async () => {
  await smee?.stop();
  await github?.stop();
  tmp?.remove();
});

describe("WEBHOOK_PROXY_URL", () => {
  it("forwards a signed webhook from the smee channel to heaven, which deploys it", async () => {
    const origin = createRepo(tmp.path, "origin", { "script/deploy": script('echo "deploying $SHA"') });
    origin.git("branch", "-m", "master");
    github.addRepo(FULL_NAME, { dir: origin.dir, defaultBranch: "master" });
    const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
    event.repository.clone_url = `file://${origin.dir}`;
    Object.assign(event.deployment, { id: 7101, sha: origin.sha, payload: {} });

    const heaven = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "data"), env: { WEBHOOK_PROXY_URL: smee.url } });
    try {
      await smee.connected;
      await heaven.waitForOutput(`Connected to ${smee.url}`);
      smee.send("deployment", event, WEBHOOK_SECRET);
      const final = await github.waitForFinalStatus(7101);
      expect(final.state).toBe("success");
      // smee-client's own line: heaven's webhook path took it.
      await heaven.waitForOutput(/POST http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks - 20\d/);
    } finally {
      expect(await heaven.stop()).toBe(0);
    }
    expect(heaven.output()).not.toContain("SmeeClient is not available");
    expect(heaven.output()).not.toContain("npm install --save-dev smee-client");
  });
});
