import type { Command } from "../lib/command.js";

export const workerCommand: Command = {
  name: "worker",
  summary: "run queued jobs (exports, mirrors, AI) without serving HTTP",
  local: true,
  details:
    "Starts a Dailies process in the worker role (DAILIES_ROLE=worker): it opens the database in DAILIES_DATA_DIR " +
    "(default ./data), takes jobs from the queue and runs them, with DAILIES_JOB_CONCURRENCY slots per lane " +
    "(DAILIES_JOB_CONCURRENCY_MEDIA for renders, _DOWNLOADS for mirrors). Run any number beside an API process " +
    "started with DAILIES_ROLE=api. A worker that dies loses its jobs' leases (DAILIES_JOB_LEASE_SECONDS) and " +
    "another worker takes them over. Stop it with Ctrl-C or SIGTERM: its running jobs go back to the queue.",
  examples: [
    "pnpm --silent dailies worker",
    "DAILIES_DATA_DIR=/srv/dailies DAILIES_JOB_CONCURRENCY_MEDIA=1 pnpm --silent dailies worker",
  ],
  async run(ctx) {
    const { startDailies } = await import("@dailies/server");
    await startDailies(ctx.io.env, "worker");
    // Runs until a signal: startDailies installed the handlers that stop the worker and exit.
    await new Promise(() => {});
    return 0;
  },
};
