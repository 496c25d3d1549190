/** `heaven logs [id]`: a local deployment's log again, or the recent ones. */
import type { Command } from "commander";
import { parseLimit } from "./parse-limit.js";

export interface LogsArgs {
  /** Undefined: list the recent deployments. */
  id?: string | undefined;
  follow: boolean;
  limit: number;
}


export function addLogsCommand(program: Command, run: (args: LogsArgs) => Promise<void>): Command {
  return program
    .command("logs")
    .summary("print a local deployment's log, or list the recent ones")
    .description("Prints the log of deployment <id> (as `heaven deploy` printed it), or lists the recent deployments of this box's data directory.")
    .argument("[id]", "the deployment id, like local-20260102150405-a1b2c3")
    .option("-f, --follow", "keep printing as the log grows, until the deployment ends")
    .option("-n, --limit <count>", "how many recent deployments to list", parseLimit, 20)
    .action(async (id: string | undefined, options: { follow?: boolean; limit: number }) => {
      await run({ id, follow: options.follow === true, limit: options.limit });
    });
}
