import { databasePath, openDatabase } from "../db/client.js";
import { openPostgres } from "../db/pg/client.js";
import { pgRepos, type Repos, sqliteRepos } from "./index.js";
import { pgModules } from "./pg/index.js";

export interface OpenedRepositories {
  repos: Repos;
  /** Which database: the embedded SQLite file, or PostgreSQL (DAILIES_DATABASE_URL). */
  kind: "sqlite" | "postgres";
  close(): Promise<void>;
}

/**
 * The repositories of an installation without a server around them (the CLI's token commands, scripts): the
 * PostgreSQL database of DAILIES_DATABASE_URL when set, else the SQLite file of the data folder.
 */
export async function openRepositories(config: {
  dataDir: string;
  DAILIES_DATABASE_URL?: string | undefined;
}): Promise<OpenedRepositories> {
  if (config.DAILIES_DATABASE_URL) {
    const db = await openPostgres(config.DAILIES_DATABASE_URL, { poolSize: 2 });
    return { repos: pgRepos(db, pgModules), kind: "postgres", close: () => db.$client.end() };
  }
  const db = openDatabase(databasePath(config.dataDir));
  return {
    repos: sqliteRepos(db),
    kind: "sqlite",
    close: async () => {
      db.$client.close();
    },
  };
}
