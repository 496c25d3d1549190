/**
 * The verbs that create a record (deploy, lock, unlock, rollback): connect as
 * the person, plan the record as the PR path would, create it, and with
 * `--wait` follow its statuses — the server does the work. Exit status:
 * 0 done, 1 the deployment failed, 2 refused or could not be created.
 */
import { listEnvironmentHistory } from "../../github/deployments-api.js";
import { rollbackTarget } from "../../decisions/rollback-target.js";
import { EXIT } from "../exit-codes.js";
import { createRecord, gitHubMessage } from "../../github/create-record.js";
import { connect, getDefaultBranch, getLogin, type Connection } from "./client.js";
import { followStatuses, type SeenStatus } from "./follow-statuses.js";
import { createParams, planCliRecord, type CliVerb } from "../../github/plan-records.js";

export interface ActOptions {
  repo?: string | undefined;
  wait?: boolean | undefined;
  json?: boolean | undefined;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const complain = (line: string) => process.stderr.write(`heaven: ${line}\n`);

/** Poll interval for --wait: HEAVEN_WAIT_INTERVAL_MS (tests), else 3 s — a modest pace for a person's rate limit. */
function intervalMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.HEAVEN_WAIT_INTERVAL_MS);
  return Number.isInteger(value) && value > 0 ? value : 3000;
}

export async function act(verb: CliVerb, options: ActOptions): Promise<number> {
  const connected = await connect(options.repo);
  if (!connected.ok) return fail(connected.message);
  try {
    return await actConnected(connected.value, verb, options);
  } catch (error) {
    return fail(`GitHub: ${gitHubMessage(error)}`);
  }
}

async function actConnected({ octokit, target }: Connection, verb: CliVerb, options: ActOptions): Promise<number> {
  const fullName = `${target.owner}/${target.repo}`;
  const [login, defaultBranch] = await Promise.all([getLogin(octokit), getDefaultBranch(octokit, target)]);
  if (verb.kind === "rollback") {
    // The server decides the target when it runs; asking first spares a record that can only fail.
    const preview = rollbackTarget(await listEnvironmentHistory(octokit, target, verb.environment), Number.MAX_SAFE_INTEGER);
    if (preview.kind === "none") return fail(`cannot roll back ${verb.environment} of ${fullName}: ${preview.reason}`);
    if (!options.json) say(`heaven: rolling back ${verb.environment} from ${preview.currentSha.slice(0, 7)} to ${preview.sha.slice(0, 7)} (${preview.ref}, deployment ${preview.deploymentId})`);
  }
  const words = [verb.kind, verb.environment, verb.kind === "deploy" ? verb.ref : undefined].filter((w) => w !== undefined);
  const planned = planCliRecord(verb, { login, defaultBranch, command: `heaven ${words.join(" ")}` });
  if (!planned.ok) return fail(planned.message);
  const created = await createRecord(octokit, createParams(target, planned));
  if (!created.ok) return fail(created.message);
  const { deployment } = planned;
  const record = { id: created.id, repository: fullName, environment: deployment.environment, task: deployment.task, ref: deployment.ref, by: login };
  if (!options.json) say(`heaven: created deployment ${created.id}: ${deployment.task} ${deployment.ref} to ${deployment.environment} of ${fullName} as @${login}`);
  if (options.wait !== true) {
    if (options.json) say(JSON.stringify({ deployment: record }));
    else say(`heaven: the server takes it from here; --wait follows its statuses, heaven deploys -R ${fullName} lists them`);
    return EXIT.success;
  }
  let lastLog: string | undefined;
  const print = (status: SeenStatus) => {
    if (options.json) return;
    say(`${status.state}: ${status.description}`);
    if (status.logUrl !== undefined && status.logUrl !== lastLog) say(`  log: ${status.logUrl}`);
    if (status.environmentUrl !== undefined && status.state === "success") say(`  environment: ${status.environmentUrl}`);
    lastLog = status.logUrl ?? lastLog;
  };
  const followed = await followStatuses(octokit, target, created.id, { intervalMs: intervalMs(process.env), print, warn: complain, quietMs: 60_000 });
  if (options.json) say(JSON.stringify({ deployment: record, statuses: followed.statuses, exitCode: followed.code }));
  return followed.code;
}

function fail(message: string): number {
  complain(`error: ${message}`);
  return EXIT.error;
}
