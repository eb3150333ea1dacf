import { databasePath, openDatabase } from "../db/client.js";
import { type Repos, sqliteRepos } from "./index.js";

export interface OpenedRepositories {
  repos: Repos;
  /** Which database: the embedded SQLite file, or PostgreSQL (DAILIES_DATABASE_URL). */
  kind: "sqlite" | "postgres";
  close(): Promise<void>;
}

/** The repositories of an installation without a server around them (the CLI's token commands, scripts). */
export async function openRepositories(config: { dataDir: string }): Promise<OpenedRepositories> {
  const db = openDatabase(databasePath(config.dataDir));
  return {
    repos: sqliteRepos(db),
    kind: "sqlite",
    close: async () => {
      db.$client.close();
    },
  };
}
