/**
 * May this person act on this environment from a comment? Pure: GitHub's
 * answers in (their role on the repository, the configured teams they are
 * in), a yes or a refusal that says what it takes out. Fails closed.
 */
import type { DeploymentConfig } from "../core/config.js";

export type Role = "admin" | "maintain" | "write" | "triage" | "read" | "none";

const RANK: Record<Role, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export type DeployerCheck = { ok: true } | { ok: false; message: string };

export function checkDeployer(
  who: { login: string; role: Role; teams: readonly string[] },
  rule: DeploymentConfig["deployers"],
  environment: string,
): DeployerCheck {
  if (RANK[who.role] >= RANK[rule.role]) return { ok: true };
  if (rule.teams.some((team) => who.teams.includes(team))) return { ok: true };
  const teams = rule.teams.length === 0 ? "" : ` or membership of ${rule.teams.join(", ")}`;
  return { ok: false, message: `@${who.login} may not act on ${environment} from here: it takes ${rule.role} access to this repository${teams} (you have ${who.role})` };
}
