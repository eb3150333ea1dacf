/**
 * The first-start message with the owner's token. The token is a secret: on a terminal it is printed once;
 * when stdout is not a terminal (a service manager, a container log) it is written instead to a 0600 file in
 * the data folder and only that file's path is printed, so it never lands in a log.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FILE_MODE } from "./storage/permissions.js";

export const FIRST_START_TOKEN_FILE = "first-start-token.txt";

export interface FirstStartOutput {
  isTTY: boolean;
  write(text: string): void;
}

/** Shows (or stores) the first-start token; returns where it went. */
export function announceFirstStart(
  token: string,
  dataDir: string,
  out: FirstStartOutput = { isTTY: process.stdout.isTTY === true, write: (t) => process.stdout.write(t) },
  moreTokensCommand = "pnpm --silent dailies token create --name NAME",
  signInLink?: string,
): { printed: true } | { file: string } {
  // The link carries the token in its fragment (never sent to a server log), so it follows the token's rule.
  const signIn = signInLink ? `Sign in to the web app (link shown once): ${signInLink}\n\n` : "";
  const more = `More tokens (run in the folder you start the server from): ${moreTokensCommand}`;
  if (out.isTTY) {
    out.write(
      `\nFirst start: created the owner account. Your API token (shown only once, keep it safe):\n\n  ${token}\n\n${signIn}${more}\n\n`,
    );
    return { printed: true };
  }
  const file = join(dataDir, FIRST_START_TOKEN_FILE);
  writeFileSync(file, signInLink ? `${token}\n${signInLink}\n` : `${token}\n`, { mode: FILE_MODE });
  out.write(
    `\nFirst start: created the owner account. Its API token${signInLink ? " and a web sign-in link were" : " was"} written to ${file} (readable by this user only; ` +
      `stdout is not a terminal, so it is not printed). Read it, keep it safe, then delete the file.\n${more}\n\n`,
  );
  return { file };
}
