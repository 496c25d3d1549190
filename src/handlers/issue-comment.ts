/** `issue_comment.created`: a pull-request comment that may be a command. Read it, hand it on. */
import type { Context } from "probot";
import { readComment } from "../decisions/read-comment.js";
import { answerComment, type CommandDeps } from "../workflows/pr-commands.js";

export function handleIssueComment(deps: Omit<CommandDeps, "log">) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const comment = readComment(context.payload);
    if (comment === undefined) return;
    await answerComment(comment, context.octokit, { ...deps, log: context.log });
  };
}
