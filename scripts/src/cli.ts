import { commands } from "./commands/index.js";
import { runCli } from "./lib/run.js";

// `dailies … | head` closes the pipe early; that is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

// `pnpm dailies` runs in scripts/ (INIT_CWD is where the user typed it); bin/dailies.js passes its own cwd.
const cwd = process.env.DAILIES_CLI_CWD ?? process.env.INIT_CWD ?? process.cwd();

process.exitCode = await runCli(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd,
  },
  commands,
);
