/**
 * End to end: heaven's real server deploys with the elastic_beanstalk
 * provider, its AWS SDK pointed by heaven's environment (AWS_ENDPOINT_URL)
 * at a local fake of S3 and Elastic Beanstalk, against the fake GitHub.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { FakeAws, type EnvironmentStep } from "../helpers/fake-aws.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createRepo, tempDir, type Files } from "../helpers/git-repo.js";
import { webhookExample } from "../helpers/examples.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";
import { readZip } from "../helpers/read-zip.js";

const FULL_NAME = "Codertocat/Hello-World";
const ACCESS_KEY_ID = "AKIAHEAVENE2ETEST";
const SECRET_ACCESS_KEY = "e2e-secret-access-key-never-logged";
const BUCKET = "heaven-bundles";

let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let aws: FakeAws;
let heaven: HeavenProcess;
let nextId = 7100;

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-eb-");
  github = new FakeGitHub();
  aws = new FakeAws();
  await Promise.all([github.start(), aws.start()]);
  aws.addBucket(BUCKET);
  heaven = await startHeaven({
    githubHost: github.host,
    dataDir: join(tmp.path, "data"),
    env: {
      DEPLOYMENT_TIMEOUT: "20",
      // A host name, not an IP: S3 would put the bucket in it without path-style addressing.
      AWS_ENDPOINT_URL: aws.url.replace("127.0.0.1", "localhost"),
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      BEANSTALK_ACCESS_KEY_ID: ACCESS_KEY_ID,
      BEANSTALK_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      BEANSTALK_S3_BUCKET: BUCKET,
    },
  });
});

afterAll(async () => {
  await heaven?.stop();
  await Promise.all([github?.stop(), aws?.stop()]);
  tmp?.remove();
});

/** A fresh origin repository, the environment's scripted states after its update, and the deployment event for it. */
function scenario(name: string, files: Files, environment: { application: string; steps: EnvironmentStep[] }, payload: unknown = { force: true }) {
  const origin = createRepo(tmp.path, name, files);
  origin.git("branch", "-m", "master");
  github.addRepo(FULL_NAME, { dir: origin.dir, defaultBranch: "master" });
  aws.addEnvironment(environment.application, `${environment.application}-production`, environment.steps);
  const id = nextId++;
  const event = webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
  event.repository.clone_url = `file://${origin.dir}`;
  Object.assign(event.deployment, { id, sha: origin.sha, environment: "production", payload });
  return { origin, id, event, label: `${origin.sha.slice(0, 12)}-${id}` };
}

async function deploy(s: ReturnType<typeof scenario>) {
  await heaven.webhook("deployment", s.event);
  const final = await github.waitForFinalStatus(s.id);
  const log = await (await fetch(final.log_url as string)).text();
  return { final, log };
}

const callsOf = (application: string) => aws.calls.filter((call) => call.application === application);

describe("the elastic_beanstalk provider", () => {
  it("uploads the sha's files, creates its version, updates the environment, waits for Green and logs the events", async () => {
    github.repo(FULL_NAME).config = "provider: elastic_beanstalk\napplication: acme-web\npoll_seconds: 1\n";
    const s = scenario(
      "eb-happy",
      { "index.js": "console.log('hello from acme-web')\n", "Procfile": "web: node index.js\n" },
      {
        application: "acme-web",
        steps: [
          { status: "Updating", health: "Grey", events: [{ message: "Deploying new version to instance(s)." }] },
          { status: "Ready", health: "Green", events: [{ message: "Environment update completed successfully." }] },
        ],
      },
    );
    const { final, log } = await deploy(s);

    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(new RegExp(`^Elastic Beanstalk acme-web-production succeeded in \\d+ s \\(release ${s.label}\\)$`)) });
    const key = `acme-web/${s.label}.zip`;
    expect(aws.versions).toContainEqual({ application: "acme-web", label: s.label, description: `heaven: ${s.event.deployment.ref} at ${s.origin.sha}`, bucket: BUCKET, key });
    expect(aws.updates).toContainEqual({ application: "acme-web", environment: "acme-web-production", label: s.label });
    const files = readZip(aws.objects.get(`${BUCKET}/${key}`) ?? Buffer.alloc(0));
    expect([...files.keys()].sort()).toEqual(["Procfile", "index.js"]);
    expect(files.get("index.js")?.toString()).toBe("console.log('hello from acme-web')\n");

    const lines = log.split("\n");
    const order = ["INFO Environment update is starting.", "INFO Deploying new version to instance(s).", "INFO Environment update completed successfully.", "is Ready and Green"];
    const positions = order.map((text) => lines.findIndex((line) => line.includes(text)));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(log).toContain(`release ${s.label}: http://acme-web-production.fake.elasticbeanstalk.com`);
    expect(log).not.toContain(SECRET_ACCESS_KEY);
    // The bucket is a setting, not a secret: the log names it.
    expect(log).toContain(`s3://${BUCKET}/${key}`);
    // heaven's own keys and the SDK's region from heaven's environment signed every call.
    expect(callsOf("acme-web").every((call) => call.accessKeyId === ACCESS_KEY_ID && call.region === "us-east-1")).toBe(true);
  });

  it("fails a deployment whose environment turns Red, naming the health", async () => {
    github.repo(FULL_NAME).config = "provider: elastic_beanstalk\napplication: acme-red\npoll_seconds: 1\n";
    const s = scenario("eb-red", { "index.js": "throw new Error('boom')\n" }, {
      application: "acme-red",
      steps: [
        { status: "Updating", health: "Grey" },
        { status: "Ready", health: "Red", healthStatus: "Severe", events: [{ severity: "WARN", message: "Environment health has transitioned from Ok to Severe." }] },
      ],
    });
    const { final, log } = await deploy(s);
    expect(final).toMatchObject({ state: "failure", description: "Elastic Beanstalk acme-red-production failed: health is Red (Severe), status Ready" });
    expect(log).toContain("WARN Environment health has transitioned from Ok to Severe.");
    expect(log).not.toContain(SECRET_ACCESS_KEY);
  });

  it("fails at the first ERROR event, naming it", async () => {
    github.repo(FULL_NAME).config = "provider: elastic_beanstalk\napplication: acme-err\npoll_seconds: 1\n";
    const s = scenario("eb-error", { "index.js": "0\n" }, {
      application: "acme-err",
      steps: [{ status: "Updating", health: "Grey", events: [{ severity: "ERROR", message: "Failed to deploy application." }] }],
    });
    const { final, log } = await deploy(s);
    expect(final).toMatchObject({ state: "failure", description: "Elastic Beanstalk acme-err-production failed: ERROR event: Failed to deploy application." });
    expect(log).toContain("ERROR Failed to deploy application.");
  });

  it("deploys a hubot-deploy deployment to its app_name in the region payload.aws names", async () => {
    github.repo(FULL_NAME).config = undefined;
    const s = scenario(
      "eb-hubot",
      { "app.rb": "puts 'acme-api'\n" },
      { application: "acme-api", steps: [{ status: "Ready", health: "Green" }] },
      { config: { provider: "elastic_beanstalk", app_name: "acme-api", repository: FULL_NAME, environments: ["production"] }, aws: { region: "eu-west-1" } },
    );
    const { final } = await deploy(s);
    expect(final).toMatchObject({ state: "success", description: expect.stringMatching(/^Elastic Beanstalk acme-api-production succeeded/) });
    expect(aws.updates).toContainEqual({ application: "acme-api", environment: "acme-api-production", label: s.label });
    const calls = callsOf("acme-api");
    expect(calls.map((call) => call.region)).toEqual(calls.map(() => "eu-west-1"));
    expect(calls[0]).toMatchObject({ service: "s3", action: `PUT /${BUCKET}/acme-api/${s.label}.zip` });
  });

  it("stops looking at an environment that never settles once the deployment times out", async () => {
    github.repo(FULL_NAME).config = "provider: elastic_beanstalk\napplication: acme-slow\npoll_seconds: 1\ntimeout: 2\n";
    const slow = scenario("eb-slow", { "index.js": "1\n" }, { application: "acme-slow", steps: [{ status: "Updating", health: "Grey" }] });
    const { final } = await deploy(slow);
    expect(final).toMatchObject({ state: "error", description: expect.stringMatching(/^Elastic Beanstalk acme-slow-production timed out after 2 s; heaven stopped waiting/) });
    const looksAtTimeout = aws.looks("acme-slow");

    // A later deployment that polls for a second: the slow environment is not looked at meanwhile.
    github.repo(FULL_NAME).config = "provider: elastic_beanstalk\napplication: acme-next\npoll_seconds: 1\n";
    const next = scenario("eb-next", { "index.js": "2\n" }, { application: "acme-next", steps: [{ status: "Updating", health: "Grey" }, { status: "Ready", health: "Green" }] });
    expect((await deploy(next)).final.state).toBe("success");
    expect(aws.looks("acme-next")).toBe(2);
    expect(aws.looks("acme-slow")).toBe(looksAtTimeout);
  });
});
