/** A full commit sha: 40 hex characters (64 for SHA-256 repositories), lower case. */
const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value);
}
