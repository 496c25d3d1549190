/** The command line's exit statuses, the same for every command and mode. */
export const EXIT = { success: 0, failure: 1, error: 2, interrupted: 130 } as const;

/** The help epilogue: written once, shown by `heaven --help` and `heaven help <command>`. */
export const EXIT_CODES_HELP = `
Exit status:
  0    deployed (or the command did what it was asked)
  1    the deployment failed (the provider failed)
  2    heaven could not do it: usage, settings, configuration, unknown app, ref or environment, timeout
  130  interrupted (Ctrl-C, SIGTERM, SIGHUP)`;
