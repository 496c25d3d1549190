/** `wcid` and `deploys`: read GitHub's records, print a table (or JSON). Exit 0, or 2 when GitHub cannot be read. */
import { EXIT } from "../exit-codes.js";
import { gitHubMessage } from "../../github/create-record.js";
import { connect, getDefaultBranch } from "./client.js";
import { readEnvironments, readRecentDeploys } from "./read-environments.js";
import { renderDeploysTable, renderWcidTable } from "./render-tables.js";

interface Asked {
  repo?: string | undefined;
  json?: boolean | undefined;
}

const say = (text: string) => process.stdout.write(`${text}\n`);

async function answer(asked: Asked, read: (connection: Extract<Awaited<ReturnType<typeof connect>>, { ok: true }>["value"]) => Promise<string>): Promise<number> {
  const connected = await connect(asked.repo);
  if (!connected.ok) {
    process.stderr.write(`heaven: error: ${connected.message}\n`);
    return EXIT.error;
  }
  try {
    say(await read(connected.value));
    return EXIT.success;
  } catch (error) {
    process.stderr.write(`heaven: error: GitHub: ${gitHubMessage(error)}\n`);
    return EXIT.error;
  }
}

export function whereCanIDeploy(asked: Asked): Promise<number> {
  return answer(asked, async ({ octokit, target }) => {
    const defaultBranch = await getDefaultBranch(octokit, target);
    const views = await readEnvironments(octokit, target, defaultBranch, new Date().toISOString());
    return asked.json ? JSON.stringify({ repository: `${target.owner}/${target.repo}`, environments: views }) : renderWcidTable(views);
  });
}

export function recentDeploys(environment: string | undefined, asked: Asked & { limit: number }): Promise<number> {
  return answer(asked, async ({ octokit, target }) => {
    const views = await readRecentDeploys(octokit, target, environment, asked.limit);
    return asked.json ? JSON.stringify({ repository: `${target.owner}/${target.repo}`, deployments: views }) : renderDeploysTable(environment, views);
  });
}
