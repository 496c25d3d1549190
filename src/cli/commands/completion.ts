/** `heaven completion bash|zsh`: a completion script made from the commands defined here. */
import { Argument, type Command } from "commander";

export function addCompletionCommand(program: Command, run: (shell: string) => Promise<void>): Command {
  return program
    .command("completion")
    .summary("print a shell completion script")
    .description("Prints a completion script for bash or zsh. Load it with:\n  source <(heaven completion bash)      # in ~/.bashrc\n  source <(heaven completion zsh)       # in ~/.zshrc")
    .addArgument(new Argument("<shell>", "the shell").choices(["bash", "zsh"]))
    .action(async (shell: string) => {
      await run(shell);
    });
}
