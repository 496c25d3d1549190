/**
 * heaven's real server (`node lib/src/main.js`) against a fake GitHub, with
 * one origin whose deploy script notes "<deployment id> <epoch ms>" as its
 * first instruction; `event` builds a real `deployment` webhook for it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { webhookExample } from "../../test/helpers/examples.js";
import { FakeGitHub } from "../../test/helpers/fake-github.js";
import { createRepo, script } from "../../test/helpers/git-repo.js";
import { startHeaven, type HeavenProcess } from "../../test/helpers/heaven-server.js";

export interface ServerScenario {
  github: FakeGitHub;
  heaven: HeavenProcess;
  /** A `deployment` webhook to `environment`, with a fresh id. */
  event(environment: string): { deployment: { id: number } } & Record<string, unknown>;
  /** Deployment id → epoch ms its script started. */
  scriptStarts(): Map<string, number>;
  stop(): Promise<void>;
}

export async function startServerScenario(dir: string, env: Record<string, string>): Promise<ServerScenario> {
  const github = new FakeGitHub();
  await github.start();
  const heaven = await startHeaven({ githubHost: github.host, dataDir: join(dir, "data"), env });
  const startedAt = join(dir, "started-at");
  // `date +%s%3N`: wall-clock milliseconds, comparable with Date.now() here.
  const origin = createRepo(dir, "origin", { "script/deploy": script(`echo "$DEPLOYMENT_ID $(date +%s%3N)" >> '${startedAt}'`) });
  github.repo("Codertocat/Hello-World").config = "required_contexts: []\n";
  let id = 1;
  return {
    github,
    heaven,
    event: (environment) => {
      const e = webhookExample("deployment", (x) => x.installation !== undefined && x.deployment.environment === "production");
      e.repository.clone_url = `file://${origin.dir}`;
      Object.assign(e.deployment, { id: id++, sha: origin.sha, environment });
      return e;
    },
    scriptStarts: () => {
      let text = "";
      try {
        text = readFileSync(startedAt, "utf8");
      } catch {
        // No script has run yet.
      }
      const lines = text.trim().split("\n").filter((l) => l !== "");
      return new Map(lines.map((l) => l.split(" ") as [string, string]).map(([i, ms]) => [i, Number(ms)]));
    },
    stop: async () => {
      await heaven.stop();
      await github.stop();
    },
  };
}
