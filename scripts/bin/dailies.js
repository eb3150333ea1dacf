#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so a global or npx install needs no build step.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// tsx is resolved from this package, not from the directory the user is in.
const tsx = import.meta.resolve("tsx");
const result = spawnSync(
  process.execPath,
  ["--import", tsx, join(here, "..", "src", "cli.ts"), ...process.argv.slice(2)],
  {
    stdio: "inherit",
    env: { ...process.env, DAILIES_CLI_CWD: process.cwd() },
  },
);
if (result.error) {
  process.stderr.write(`dailies: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
