import { tokenCreateCommand } from "@dailies/shared";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { databasePath, openDatabase } from "./db/client.js";
import { announceFirstStart } from "./firstStart.js";
import { countUsers, createToken, createUser } from "./services/users.js";
import { StorageError } from "./storage/objectStore.js";
import { usePrivateUmask } from "./storage/permissions.js";

/** Reads config, migrates, creates the first owner on an empty database, listens, and shuts down cleanly. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  // Before anything is written: the data folder and every file in it are private to this user.
  usePrivateUmask();
  const firstRunToken = createOwnerIfEmpty(config.dataDir);
  const app = await buildApp(config).catch((error: unknown) => {
    // The bucket is missing, unreachable or refuses these credentials: one line naming the setting to fix.
    if (error instanceof StorageError) {
      process.stderr.write(`Media storage: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, "shutting down");
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  await app.listen({ host: config.DAILIES_HOST, port: config.DAILIES_PORT });
  const url = app.deps.publicUrl();
  process.stdout.write(`\nDailies is running at ${url}  (API docs: ${url}/docs, data: ${config.dataDir})\n`);
  // The CLI opens the database itself: with a non-default data folder it needs the same DAILIES_DATA_DIR.
  const moreTokens = tokenCreateCommand({ dataDir: process.env.DAILIES_DATA_DIR ? config.dataDir : null });
  if (firstRunToken)
    announceFirstStart(firstRunToken, config.dataDir, undefined, moreTokens, `${url}/signin#token=${firstRunToken}`);
}

function createOwnerIfEmpty(dataDir: string): string | null {
  const db = openDatabase(databasePath(dataDir));
  try {
    if (countUsers(db) > 0) return null;
    const owner = createUser(db, { name: "owner" });
    return createToken(db, owner.id, "first-run").token;
  } finally {
    db.$client.close();
  }
}

main().catch((error) => {
  process.stderr.write(`Dailies failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
