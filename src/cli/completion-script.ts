/**
 * Shell completion generated from the commander definitions: the commands,
 * each one's options, and argument choices (completion's bash|zsh). Nothing
 * here is typed twice: a new command or option completes by itself.
 */
import type { Command } from "commander";
import { EXIT } from "./exit-codes.js";

interface Words {
  commands: string[];
  /** Per command: its option flags and its arguments' fixed choices. */
  words: Record<string, string[]>;
}

export function completionWords(program: Command): Words {
  const visible = program.commands.filter((command) => !(command as Command & { _hidden?: boolean })._hidden);
  const commands = [...visible.map((command) => command.name()), "help"];
  const flags = (command: Command) => command.options.flatMap((option) => [option.short, option.long]).filter((flag): flag is string => flag !== undefined);
  const words: Record<string, string[]> = Object.fromEntries(
    visible.map((command) => [command.name(), [...flags(command), "--help", ...command.registeredArguments.flatMap((argument) => argument.argChoices ?? [])]]),
  );
  words.help = commands.filter((name) => name !== "help");
  return { commands, words };
}

/** Words are command and option names (letters, digits, -), safe to put in a script unquoted. */
function bash(name: string, { commands, words }: Words): string {
  const cases = Object.entries(words).map(([command, list]) => `    ${command}) words="${list.join(" ")}" ;;`);
  return `# bash completion for ${name}: source <(${name} completion bash)
_${name}_complete() {
  local current="\${COMP_WORDS[COMP_CWORD]}" words
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${commands.join(" ")} --help --version"
  else
    case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    *) words="" ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$current"))
  # Paths and app names are files and words of the user's: fall back to file names.
  [ \${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$current"))
  return 0
}
complete -F _${name}_complete ${name}
`;
}

function zsh(name: string, { commands, words }: Words): string {
  const cases = Object.entries(words).map(([command, list]) => `    ${command}) compadd -- ${list.join(" ")}; _files ;;`);
  return `#compdef ${name}
# zsh completion for ${name}: source <(${name} completion zsh)
_${name}() {
  if (( CURRENT == 2 )); then
    compadd -- ${commands.join(" ")} --help --version
    return
  fi
  case "\${words[2]}" in
${cases.join("\n")}
    *) _files ;;
  esac
}
compdef _${name} ${name}
`;
}

export function completionScript(shell: string, program: Command): string {
  const words = completionWords(program);
  return shell === "zsh" ? zsh(program.name(), words) : bash(program.name(), words);
}

export async function printCompletion(shell: string, program: Command): Promise<number> {
  process.stdout.write(completionScript(shell, program));
  return EXIT.success;
}
