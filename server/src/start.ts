import { tokenCreateCommand } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { announceFirstStart } from "./firstStart.js";
import { laneConcurrency } from "./jobs/lanes.js";
import type { Repos } from "./repositories/index.js";
import { createToken } from "./services/users.js";
import { StorageError } from "./storage/objectStore.js";
import { usePrivateUmask } from "./storage/permissions.js";

export type Role = Config["DAILIES_ROLE"];

/**
 * Starts one Dailies process in its role (DAILIES_ROLE, or `role` from the `dailies worker` command): `all`
 * and `api` migrate, create the first owner on an empty database and listen; `api` never runs jobs; `worker`
 * builds the same app without an HTTP listener and runs jobs. SIGINT/SIGTERM shut it down cleanly (running
 * jobs go back to the queue). Resolves once started; the process lives until a signal.
 */
export async function startDailies(env: Record<string, string | undefined> = process.env, role?: Role): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(role ? { ...env, DAILIES_ROLE: role } : env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  // Before anything is written: the data folder and every file in it are private to this user.
  usePrivateUmask();
  const serves = config.DAILIES_ROLE !== "worker";
  const app = await buildApp(config).catch((error: unknown) => {
    // The bucket is missing, unreachable or refuses these credentials: one line naming the setting to fix.
    if (error instanceof StorageError) {
      process.stderr.write(`Media storage: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  });
  shutDownOnSignals(app);
  const firstRunToken = serves ? await createOwnerIfEmpty(app.deps.repos) : null;

  if (!serves) {
    // No listener: onReady starts the job worker. Its timers are unref'd (they must not hold up a clean close),
    // so this one keeps the process alive until a signal ends it.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    app.addHook("onClose", async () => clearInterval(keepAlive));
    await app.ready();
    const lanes = Object.entries(laneConcurrency(config))
      .map(([lane, slots]) => `${lane} ${slots}`)
      .join(", ");
    process.stdout.write(
      `\nDailies worker ${app.deps.worker.workerId} is running jobs (slots: ${lanes}; lease ${config.DAILIES_JOB_LEASE_SECONDS} s; data: ${config.DAILIES_DATABASE_URL ? "PostgreSQL" : config.dataDir})\n`,
    );
    return;
  }
  await app.listen({ host: config.DAILIES_HOST, port: config.DAILIES_PORT });
  const url = app.deps.publicUrl();
  const jobs = config.DAILIES_ROLE === "api" ? "; role api: jobs run in `dailies worker` processes" : "";
  process.stdout.write(`\nDailies is running at ${url}  (API docs: ${url}/docs, data: ${config.dataDir}${jobs})\n`);
  // The CLI opens the database itself: with a non-default data folder it needs the same DAILIES_DATA_DIR.
  const moreTokens = tokenCreateCommand({ dataDir: env.DAILIES_DATA_DIR ? config.dataDir : null });
  if (firstRunToken)
    announceFirstStart(firstRunToken, config.dataDir, undefined, moreTokens, `${url}/signin#token=${firstRunToken}`);
}

function shutDownOnSignals(app: FastifyInstance): void {
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, "shutting down");
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

async function createOwnerIfEmpty(repos: Repos): Promise<string | null> {
  const owner = await repos.users.createFirstUser("owner");
  return owner ? (await createToken(repos, owner.id, "first-run")).token : null;
}
