import { startDailies } from "./start.js";

/** `pnpm start`: one process in the role DAILIES_ROLE names (all, api or worker; start.ts). */
startDailies().catch((error) => {
  process.stderr.write(`Dailies failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
