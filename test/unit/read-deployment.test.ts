import { describe, expect, it } from "@jest/globals";
import { readDeployment, readHosts } from "../../src/decisions/read-deployment.js";
import { webhookExample } from "../helpers/examples.js";

/** GitHub's example `deployment` event for Codertocat/Hello-World, production, from an installation. */
const production = () => webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production");
/** GitHub's example `deployment` event GitHub Pages creates for gh-pages. */
const pages = () => webhookExample("deployment", (e) => e.deployment.environment === "github-pages");

const SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const where = { owner: "Codertocat", repo: "Hello-World", deploymentId: 145988746 };

const requestOf = (event: unknown) => {
  const read = readDeployment(event);
  if (!read.ok) throw new Error(`expected a request, got: ${read.reason}`);
  return read.request;
};

describe("readDeployment", () => {
  describe("GitHub's example payloads", () => {
    it("reads a production deployment into a request", () => {
      expect(readDeployment(production())).toEqual({
        ok: true,
        ...where,
        request: {
          id: "145988746",
          repository: { fullName: "Codertocat/Hello-World", cloneUrl: "https://github.com/Codertocat/Hello-World.git" },
          environment: "production",
          ref: "master",
          sha: SHA,
          task: "deploy",
          force: false,
          payloadConfig: undefined,
          creator: "Codertocat",
          defaultBranch: "master",
          automatic: false,
          record: {
            id: 145988746,
            sha: SHA,
            ref: "master",
            task: "deploy",
            environment: "production",
            createdAt: "2019-05-15T15:20:53Z",
            creator: { login: "Codertocat", type: "User" },
            payload: {},
            description: null,
          },
        },
      });
    });

    it("marks heaven's own auto-deployments as automatic", () => {
      const event = production();
      event.deployment.payload = { heaven: { auto: true } };
      const read = readDeployment(event);
      expect(read.ok && read.request.automatic).toBe(true);
    });

    it("reads the GitHub Pages deployment with its bot creator and ref", () => {
      expect(requestOf(pages())).toMatchObject({
        environment: "github-pages",
        ref: "gh-pages",
        sha: SHA,
        creator: "github-pages[bot]",
      });
    });

    it("reads every example GitHub publishes for the event", () => {
      for (const pick of [0, 1, 2, 3]) {
        let seen = -1;
        const event = webhookExample("deployment", () => ++seen === pick);
        expect(readDeployment(event)).toMatchObject({ ok: true, ...where, request: { sha: SHA } });
      }
    });
  });

  describe("the deployment payload", () => {
    it("reads force and config from a payload object", () => {
      const event = production();
      event.deployment.payload = { force: true, config: { script: "script/ship", timeout: 60 } };
      expect(requestOf(event)).toMatchObject({ force: true, payloadConfig: { script: "script/ship", timeout: 60 } });
    });

    it("reads force and config from a payload sent as a JSON string, as hubot-deploy does", () => {
      const event = production();
      event.deployment.payload = JSON.stringify({ force: true, config: { provider: "heroku" } });
      expect(requestOf(event)).toMatchObject({ force: true, payloadConfig: { provider: "heroku" } });
    });

    it("hands payload.config on as it came, without validating it", () => {
      const event = production();
      event.deployment.payload = { config: "not even an object" };
      expect(requestOf(event).payloadConfig).toBe("not even an object");
    });

    it("treats a payload string that is not JSON as an empty payload", () => {
      const event = production();
      event.deployment.payload = "deploy it please";
      expect(requestOf(event)).toMatchObject({ force: false, payloadConfig: undefined });
    });

    it("treats a JSON string holding an array or a scalar as an empty payload", () => {
      for (const payload of ["[true]", "true", "null", '"force"']) {
        const event = production();
        event.deployment.payload = payload;
        expect(requestOf(event)).toMatchObject({ force: false, payloadConfig: undefined });
      }
    });

    it("treats a missing or null payload as an empty one", () => {
      const missing = production();
      delete missing.deployment.payload;
      expect(requestOf(missing)).toMatchObject({ force: false, payloadConfig: undefined });
      const nullPayload = production();
      nullPayload.deployment.payload = null;
      expect(requestOf(nullPayload)).toMatchObject({ force: false, payloadConfig: undefined });
    });

    it("forces only for force: true, not for truthy look-alikes", () => {
      for (const force of ["true", 1, "yes", {}]) {
        const event = production();
        event.deployment.payload = { force };
        expect({ force, read: requestOf(event).force }).toEqual({ force, read: false });
      }
    });
  });

  describe("fields with defaults", () => {
    it("deploys the sha as the ref when the deployment has no ref", () => {
      const event = production();
      delete event.deployment.ref;
      expect(requestOf(event).ref).toBe(SHA);
    });

    it("takes the task to be deploy when the deployment names none or an empty one", () => {
      const missing = production();
      delete missing.deployment.task;
      expect(requestOf(missing).task).toBe("deploy");
      const empty = production();
      empty.deployment.task = "";
      expect(requestOf(empty).task).toBe("deploy");
    });

    it("keeps another task such as deploy:migrations", () => {
      const event = production();
      event.deployment.task = "deploy:migrations";
      expect(requestOf(event).task).toBe("deploy:migrations");
    });

    it("calls the creator unknown when the deployment has none", () => {
      const event = production();
      event.deployment.creator = null;
      expect(requestOf(event).creator).toBe("unknown");
    });

    it("builds the full name from owner and name when full_name is missing", () => {
      const event = production();
      delete event.repository.full_name;
      expect(requestOf(event).repository.fullName).toBe("Codertocat/Hello-World");
    });
  });

  describe("payloads it refuses", () => {
    it.each([
      ["nothing", undefined],
      ["null", null],
      ["a string", "deployment"],
      ["an array", [{ deployment: {} }]],
    ])("refuses %s as an event", (_what, event) => {
      expect(readDeployment(event)).toEqual({ ok: false, reason: "the event has no deployment or repository" });
    });

    it("refuses an event without a deployment", () => {
      const event = production();
      delete event.deployment;
      expect(readDeployment(event)).toEqual({ ok: false, reason: "the event has no deployment or repository" });
    });

    it("refuses an event without a repository", () => {
      const event = production();
      delete event.repository;
      expect(readDeployment(event)).toEqual({ ok: false, reason: "the event has no deployment or repository" });
    });

    it("refuses an event whose repository has no owner login", () => {
      const event = production();
      delete event.repository.owner.login;
      expect(readDeployment(event)).toEqual({
        ok: false,
        reason: "the event names no repository owner, repository or deployment id",
      });
    });

    it("refuses an event whose repository has no name", () => {
      const event = production();
      event.repository.name = "";
      expect(readDeployment(event)).toEqual({
        ok: false,
        reason: "the event names no repository owner, repository or deployment id",
      });
    });

    it("refuses a deployment id that is not a number", () => {
      const event = production();
      event.deployment.id = "145988746";
      expect(readDeployment(event)).toEqual({
        ok: false,
        reason: "the event names no repository owner, repository or deployment id",
      });
    });

    it("refuses a deployment without a sha, saying where so a status can be posted", () => {
      const event = production();
      delete event.deployment.sha;
      expect(readDeployment(event)).toEqual({ ok: false, reason: "the deployment has no sha", ...where });
    });

    it("refuses a deployment whose sha is empty or not a string", () => {
      for (const sha of ["", 42, null]) {
        const event = production();
        event.deployment.sha = sha;
        expect(readDeployment(event)).toEqual({ ok: false, reason: "the deployment has no sha", ...where });
      }
    });

    it("refuses a deployment without an environment", () => {
      const event = production();
      event.deployment.environment = "";
      expect(readDeployment(event)).toEqual({ ok: false, reason: "the deployment has no environment", ...where });
    });

    it("refuses a repository without a clone_url", () => {
      const event = production();
      delete event.repository.clone_url;
      expect(readDeployment(event)).toEqual({ ok: false, reason: "the repository has no clone_url", ...where });
    });
  });
});

describe("readHosts", () => {
  it("reads hubot-deploy's host filter string, and lists from API clients", () => {
    expect(readHosts("")).toBeUndefined();
    expect(readHosts(undefined)).toBeUndefined();
    expect(readHosts("fe")).toEqual(["fe"]);
    expect(readHosts("fe1, fe2")).toEqual(["fe1", "fe2"]);
    expect(readHosts(["app1.example.com"])).toEqual(["app1.example.com"]);
    expect(readHosts([1, 2])).toBeUndefined();
  });
});

describe("readDeployment: who and where to reply", () => {
  const event = (creator: { login: string; type: string }, payload: unknown) => {
    const e = webhookExample("deployment", (x) => x.installation !== undefined);
    Object.assign(e.deployment, { creator: { ...e.deployment.creator, ...creator }, payload });
    return e;
  };

  it("names hubot-deploy's chat user, not its machine user", () => {
    const read = readDeployment(event({ login: "acme-hubot", type: "User" }, JSON.stringify({ notify: { user: "U1", user_name: "atmos", room: "ops", adapter: "slack" } })));
    expect(read).toMatchObject({ ok: true, request: { creator: "atmos" } });
  });

  it("believes what heaven wrote for itself (where to reply, the sha asked for, the checks a merge had) only of heaven's own deployments", () => {
    const heaven = { heaven: { comment: { number: 7, id: 900 }, sha: "b".repeat(40), required_contexts: [] } };
    const trusted = { ok: true, comment: { number: 7, id: 900 }, request: { expectedSha: "b".repeat(40), requiredContexts: [] } };
    const untrusted = { ok: true, comment: undefined, request: { expectedSha: undefined, requiredContexts: undefined } };
    expect(readDeployment(event({ login: "heaven[bot]", type: "Bot" }, heaven), "heaven[bot]")).toMatchObject(trusted);
    expect(readDeployment(event({ login: "Heaven[bot]", type: "Bot" }, heaven), "heaven[bot]")).toMatchObject(trusted);
    // Another app that may create deployments: `required_contexts: []` would skip CI.
    expect(readDeployment(event({ login: "other-app[bot]", type: "Bot" }, heaven), "heaven[bot]")).toMatchObject(untrusted);
    expect(readDeployment(event({ login: "mallory", type: "User" }, heaven), "heaven[bot]")).toMatchObject(untrusted);
    // GitHub could not say who heaven is: nothing is believed.
    expect(readDeployment(event({ login: "heaven[bot]", type: "Bot" }, heaven))).toMatchObject(untrusted);
  });
});
