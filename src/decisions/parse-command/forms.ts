/**
 * One line per command form, for the help reply and for the "Use: …" part of
 * an invalid command's message. `<x>` is a value, `[x]` is optional. Pure.
 */
export const PREFIXED_FORMS = {
  deploy: "deploy [<ref>] [to <environment>[/<hosts>]]",
  force: "deploy! [<ref>] [to <environment>[/<hosts>]]",
  task: "deploy:<task> [<ref>] [to <environment>[/<hosts>]]",
  lock: "lock <environment> [<reason>] [for <duration>]",
  unlock: "unlock <environment>",
  wcid: "wcid",
  deploys: "deploys [<environment>]",
  rollback: "rollback <environment>",
  help: "help",
} as const;

export type FormName = keyof typeof PREFIXED_FORMS;

/** hubot-deploy's grammar, written without a prefix (atmos/hubot-deploy src/models/patterns.coffee). */
export const HUBOT_FORMS: readonly string[] = [
  "deploy[!][:<task>] <app>[/<ref>] [to <environment>[/<hosts>]]",
  "deploy:lock <app> in <environment> [<reason>] [for <duration>]",
  "deploy:unlock <app> in <environment>",
  "deploy:rollback <app> in <environment>",
];

export function formWith(prefix: string, name: FormName): string {
  return `${prefix}${PREFIXED_FORMS[name]}`;
}
