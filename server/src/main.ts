import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { databasePath, openDatabase } from "./db/client.js";
import { countUsers, createToken, createUser } from "./services/users.js";

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

  const firstRunToken = createOwnerIfEmpty(config.dataDir);
  const app = await buildApp(config);
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
  if (firstRunToken) {
    process.stdout.write(
      `\nFirst start: created the owner account. Your API token (shown only once, keep it safe):\n\n  ${firstRunToken}\n\nSign in to the web app (link shown once): ${url}/signin#token=${firstRunToken}\n\nMore tokens: pnpm --silent dailies token create --name NAME\n\n`,
    );
  }
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
