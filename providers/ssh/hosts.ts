/**
 * The `hosts` of the ssh provider: `host`, `user@host` or `user@host:port`
 * (an IPv6 address in brackets), read strictly so nothing in an entry can be
 * taken by ssh as an option; and hubot-deploy's host filter applied to them.
 */

export interface SshHost {
  user: string | undefined;
  /** A name or address, brackets of an IPv6 address removed. */
  name: string;
  port: number | undefined;
}

const USER = "[A-Za-z_][A-Za-z0-9_.-]*";
const NAME = "[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]";
const ENTRY = new RegExp(`^(?:(${USER})@)?(${NAME})(?::([0-9]{1,5}))?$`);
const USER_ONLY = new RegExp(`^${USER}$`);

export function isSshUser(value: string): boolean {
  return USER_ONLY.test(value);
}

/** undefined: not a host entry heaven accepts. */
export function parseHost(entry: string): SshHost | undefined {
  const match = ENTRY.exec(entry);
  if (match === null) return undefined;
  const [, user, name = "", port] = match;
  const number = port === undefined ? undefined : Number(port);
  if (number !== undefined && (number < 1 || number > 65_535)) return undefined;
  return { user, name: name.replace(/^\[(.*)\]$/, "$1"), port: number };
}

/**
 * The configured hosts a filter keeps (`deploy app to production/fe` sends
 * "fe"): those that are an entry of it or start with one. The user part of
 * a host counts only when the filter entry names a user.
 */
export function narrowHosts(configured: readonly string[], filter: readonly string[] | undefined): string[] {
  if (filter === undefined) return [...configured];
  return configured.filter((host) => filter.some((wanted) => (wanted.includes("@") ? host : host.replace(/^[^@]*@/, "")).startsWith(wanted)));
}
