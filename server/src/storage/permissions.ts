/**
 * The data folder holds the database, the signing key, tokens' hashes and everyone's media: only the server's
 * own user may read it (issue 9). New files get 0600 and folders 0700 from the process umask; folders and
 * files of an existing install are tightened once at start.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const PRIVATE_UMASK = 0o077;
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Makes every file the server creates from now on private to its user. */
export function usePrivateUmask(): void {
  process.umask(PRIVATE_UMASK);
}

/**
 * Creates the data folder if needed and removes group/other access from it and everything under it
 * (owner bits are kept; symbolic links are left alone). Returns how many entries were changed.
 */
export function tightenDataDir(dataDir: string): number {
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  let changed = 0;
  const visit = (path: string) => {
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (!info || info.isSymbolicLink()) return;
    if ((info.mode & 0o077) !== 0) {
      chmodSync(path, info.isDirectory() ? DIR_MODE : info.mode & 0o700);
      changed++;
    }
    if (info.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(dataDir);
  return changed;
}
