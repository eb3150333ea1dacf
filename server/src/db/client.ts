import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunResult } from "better-sqlite3";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import * as schema from "./schema.js";

/** The database or a transaction on it: services take either, so they compose inside transactions. */
export type Db = BaseSQLiteDatabase<"sync", RunResult, typeof schema>;
/** The opened database with its driver handle (to close it). */
export type DbHandle = Db & { $client: Database.Database };

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/** Opens (creating if needed) the SQLite file, applies pending migrations, and tunes it for one busy writer. */
export function openDatabase(file: string): DbHandle {
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Statement journals in memory: every ingest runs in a savepoint of the group commit, and past 64 KiB its
  // journal spilled to a temp file (15 writes per capture with URLs, issue 17). Temporary sorts and tables use
  // memory too; this database's are small.
  sqlite.pragma("temp_store = MEMORY");
  // A page cache of up to 64 MiB (SQLite's default is 2 MiB), taken only as pages are read. With the default,
  // every capture's inserts read index pages back from the OS once the tables held some 100,000 rows: the
  // ingest's CPU per request grew from 135 to 180–215 µs over a benchmark, and stayed at ~140 µs with this
  // (issue 17).
  sqlite.pragma("cache_size = -65536");
  const db = drizzle(sqlite, { schema });
  // drizzle reads the last applied migration before it takes the write lock, so two processes starting at
  // once on a new file (an API and its workers) can both try to apply the same migration; the loser fails
  // on "already exists". Read again: by then the winner has committed and nothing is left to apply.
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(db, { migrationsFolder });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  return db;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, "dailies.sqlite");
}

export { schema };
