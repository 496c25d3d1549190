/** `issue_comment.created`: a pull-request comment that may be a command. Kept on disk, answered, then read and handed on. */
import type { Context } from "probot";
import { readComment } from "../decisions/read-comment.js";
import type { DeferredHandler } from "../github/webhook-intake.js";
import { answerComment, type CommandDeps } from "../workflows/pr-commands.js";

type CommentPayload = Context<"issue_comment.created">["payload"];

export function handleIssueComment(deps: Omit<CommandDeps, "log">): DeferredHandler<CommentPayload> {
  return {
    // Comments on issues and by bots are no commands; one by a person may be, whatever it says.
    keep: (payload) => (readComment(payload) === undefined ? "drop" : "disk"),
    handle: async ({ payload, octokit, log }) => {
      const comment = readComment(payload);
      if (comment !== undefined) await answerComment(comment, octokit, { ...deps, log });
    },
  };
}
