/**
 * A value quoted for a POSIX shell: heaven writes shell strings only for a
 * remote command (ssh) and GIT_SSH_COMMAND, and every value in them goes
 * through this. Pure.
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
