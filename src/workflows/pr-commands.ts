/**
 * Pull-request commands: a comment becomes a deployment (or a lock, an
 * unlock, a rollback) created through the Deployments API with the person
 * and the comment in its payload — the pipeline then runs it like any other
 * and the reply sink reports on it — or one reply answering a question
 * (`/wcid`, `/deploys`, `/help`) or saying why not. Who may act is asked of
 * GitHub; any doubt is a refusal.
 */
import { checkDeployer, type Role } from "../decisions/check-deployer.js";
import { parseCommand, DEFAULT_PREFIXES, type Command } from "../decisions/parse-command.js";
import { planCommand } from "../decisions/plan-command.js";
import type { CommandComment } from "../decisions/read-comment.js";
import { renderHelp, renderRefusal } from "../decisions/render-command-reply.js";
import { repositorySettings, resolveConfig } from "../decisions/resolve-config.js";
import { addReaction, getCommitTime, getPermission, getPullRequest, isTeamMember } from "../github/conversation-api.js";
import { describeGitHubError } from "../github/describe-github-error.js";
import { createDeployment, type RequestApi } from "../github/deployments-api.js";
import { loadHeavenConfig, type ConfigApi } from "../github/load-heaven-config.js";
import type { OutboxWriter } from "../github/outbox.js";
import { COMMENT_ROUTE } from "../github/outbox-state.js";
import { answerQuestion, type QuestionDeps } from "./answer-question.js";

export interface CommandDeps extends QuestionDeps {
  outbox: OutboxWriter;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

type Octokit = RequestApi & ConfigApi;

export async function answerComment(comment: CommandComment, octokit: Octokit, deps: CommandDeps): Promise<void> {
  // Most comments are conversation: read no configuration for a line that cannot be a command.
  const quick = parseCommand(comment.body, { prefixes: DEFAULT_PREFIXES, app: comment.repo });
  const first = comment.body.trimStart()[0];
  // A configured prefix is punctuation; a line starting with a letter can only be hubot's `deploy …`.
  if (quick.kind === "none" && (first === undefined || (/[\p{L}\p{N}]/u.test(first) && !/^deploy/i.test(comment.body.trimStart())))) return;
  const target = { owner: comment.owner, repo: comment.repo };
  const read = await loadHeavenConfig(octokit, target);
  const file = read.ok ? read.file : null;
  const settings = repositorySettings(file);
  const parsed = parseCommand(comment.body, { prefixes: settings.prefixes, app: comment.repo });
  if (parsed.kind === "none") return;
  if (parsed.kind === "command" && "app" in parsed.command && parsed.command.app !== undefined && parsed.command.app.toLowerCase() !== comment.repo.toLowerCase()) return;
  const react = (content: "eyes" | "confused") =>
    addReaction(octokit, target, comment.commentId, content).catch((error: unknown) => deps.log.warn({ err: error }, "could not react to a command comment"));
  // Every write of an installation waits a second behind the one before (GitHub's rule): the reply
  // and the reaction are not on a deployment's critical path, so they go after the deployment.
  const reply = async (body: string) => {
    await replyTo(comment, body, deps.outbox);
    await react(parsed.kind === "invalid" ? "confused" : "eyes");
  };
  if (parsed.kind === "invalid") return reply(renderRefusal(parsed.text, `${parsed.message}\n\n${renderHelp(settings.prefixes)}`));
  if (!read.ok) return reply(renderRefusal(parsed.text, read.error));
  const { command } = parsed;
  if (command.kind === "help") return reply(renderHelp(settings.prefixes));
  try {
    if (command.kind === "wcid" || command.kind === "deploys") return await reply(await answerQuestion(command, { file, target, defaultBranch: comment.defaultBranch, octokit }, deps));
    return await act(command, parsed.text, comment, { octokit, file, defaultEnvironment: settings.defaultEnvironment }, deps, { reply, react: () => react("eyes") });
  } catch (error) {
    // The webhook was answered long ago: the person who asked hears of the failure here or nowhere.
    return reply(renderRefusal(parsed.text, `heaven could not answer this (${describeGitHubError(error)}); comment again`));
  }
}

async function act(
  command: Extract<Command, { kind: "deploy" | "lock" | "unlock" | "rollback" }>,
  text: string,
  comment: CommandComment,
  context: { octokit: Octokit; file: unknown; defaultEnvironment: string },
  deps: CommandDeps,
  { reply, react }: { reply: (body: string) => Promise<void>; react: () => Promise<void> },
): Promise<void> {
  const { octokit } = context;
  const target = { owner: comment.owner, repo: comment.repo };
  const environment = command.environment ?? context.defaultEnvironment;
  const resolved = resolveConfig({ file: context.file, payloadConfig: undefined, environment, providers: deps.providers, defaultTimeoutSeconds: deps.defaultTimeoutSeconds });
  if (!resolved.ok) return reply(renderRefusal(text, resolved.error));
  const { config } = resolved;
  try {
    const role: Role = await getPermission(octokit, target, comment.login);
    // Teams are asked about only when the role falls short: one request per team otherwise spent for nothing.
    const teams: string[] = [];
    const byRole = checkDeployer({ login: comment.login, role, teams }, config.deployers, environment);
    for (const team of byRole.ok ? [] : config.deployers.teams) {
      const [org = "", slug = ""] = team.split("/");
      if (await isTeamMember(octokit, org, slug, comment.login)) teams.push(team);
    }
    const allowed = byRole.ok ? byRole : checkDeployer({ login: comment.login, role, teams }, config.deployers, environment);
    if (!allowed.ok) return reply(renderRefusal(text, allowed.message));
  } catch (error) {
    return reply(renderRefusal(text, `heaven could not ask GitHub who may deploy (${describeGitHubError(error)}); nothing was done, comment again`));
  }
  // Locks, unlocks and rollbacks name no commit of the pull request: nothing to read for them.
  let pull;
  let headCommittedAt;
  try {
    if (command.kind === "deploy") {
      pull = await getPullRequest(octokit, target, comment.number);
      // Only a head that would be deployed is worth asking the time of.
      const deployable = pull.state === "open" && (!pull.fromFork || config.allowForks);
      if (command.ref === undefined && deployable) headCommittedAt = await getCommitTime(octokit, target, pull.headSha);
    }
  } catch (error) {
    return reply(renderRefusal(text, `heaven could not read this pull request (${describeGitHubError(error)}); comment again`));
  }
  const plan = planCommand({ command, text, comment, environment, pull, headCommittedAt, allowForks: config.allowForks });
  if (plan.kind === "refuse") return reply(renderRefusal(text, plan.message));
  try {
    const created = await createDeployment(octokit, target, plan.deployment);
    deps.log.info({ deploymentId: created.id, environment, command: text }, "deployment created from a pull-request comment");
    await react();
  } catch (error) {
    await reply(renderRefusal(text, `GitHub did not create the deployment (${describeGitHubError(error)}); comment again`));
  }
}

/** A reply that answers the comment itself (not a deployment): one per comment. */
function replyTo(comment: CommandComment, body: string, outbox: OutboxWriter): Promise<void> {
  const group = `reply:${comment.owner}/${comment.repo}:comment:${comment.commentId}`;
  return outbox
    .add({
      key: `${group}:answer`,
      group,
      installationId: comment.installationId,
      supersedable: false,
      route: COMMENT_ROUTE,
      params: { owner: comment.owner, repo: comment.repo, issue_number: comment.number, body },
    })
    .then(() => undefined);
}
