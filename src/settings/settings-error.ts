/** A setting heaven cannot start with; the message says which, and how to fix it. */
export class SettingsError extends Error {}
