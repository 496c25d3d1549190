/**
 * Files heaven ships for the tools its providers run (a Python module for
 * Fabric, Ruby files for Capistrano and Bundler). tsc copies only .ts, so
 * they are found in the source tree, `providers/<dir>/<file>` under the
 * project root, whether this runs from providers/ (tests) or lib/providers/.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function projectRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export type ShippedFile = { ok: true; path: string } | { ok: false; message: string };

/**
 * The file's absolute path, checked readable by whoever owns `checkoutDir`:
 * that is who runs the tool (HEAVEN_RUN_AS gives it the checkout), and a
 * Python module it cannot read would be skipped without a word.
 */
export function shippedFile(checkoutDir: string, ...segments: string[]): ShippedFile {
  const root = projectRoot();
  const shown = join("providers", ...segments);
  const path = root === undefined ? undefined : join(root, shown);
  if (path === undefined || !existsSync(path)) return { ok: false, message: `heaven's ${shown} is missing from its installation; reinstall heaven` };
  const blocked = unreadableFor(path, ownerOf(checkoutDir));
  if (blocked !== undefined) {
    return { ok: false, message: `the deploy user cannot read heaven's ${shown}: run chmod a+rX on ${blocked}, or install heaven where every user can read it` };
  }
  return { ok: true, path };
}

function ownerOf(dir: string): number | undefined {
  try {
    return statSync(dir).uid;
  } catch {
    return undefined;
  }
}

/** The file, or the first directory above it, that `uid` cannot get through (judged by the others' bits). */
export function unreadableFor(path: string, uid: number | undefined): string | undefined {
  if (uid === undefined || uid === 0 || uid === process.getuid?.()) return undefined;
  if ((statSync(path).mode & 0o004) === 0) return path;
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    const stat = statSync(dir);
    if (stat.uid !== uid && (stat.mode & 0o001) === 0) return dir;
  }
  return undefined;
}
