// Runs one repository contract against both implementations: the SQLite functions (bound through sqliteRepos)
// and the PostgreSQL ones (pg/<area>.ts, bound through pgRepos), each on a fresh, migrated database per file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { type DbHandle, openDatabase } from "../../src/db/client.js";
import { type PgDb, schema as pgSchema } from "../../src/db/pg/client.js";
import { migratePostgres } from "../../src/db/pg/migrate.js";
import { type PgModules, pgRepos, type Repos, sqliteRepos } from "../../src/repositories/index.js";
import { useTestDatabase } from "./testDatabase.js";

/** What a contract test gets: the bound repositories, and the raw database for seeding rows the areas do not write. */
export interface Backend {
  readonly name: "sqlite" | "postgres";
  readonly repos: Repos;
  /** Runs a statement given as SQL text with `?`-free literal values (seeding only). */
  exec(sql: string): Promise<void>;
}

/**
 * `describe(name)` once per backend. `pgAreas` are the PostgreSQL areas under test (the others are absent and
 * throw when called), so an area can be tested before every area exists.
 */
export function describeOnBoth(
  name: string,
  pgAreas: Partial<PgModules>,
  body: (backend: () => Backend) => void,
): void {
  describe(`${name} (sqlite)`, () => {
    let dir = "";
    let db: DbHandle | undefined;
    let backend: Backend | undefined;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "dailies-contract-"));
      db = openDatabase(join(dir, "test.sqlite"));
      const handle = db;
      backend = {
        name: "sqlite",
        repos: sqliteRepos(handle),
        exec: async (text) => {
          handle.$client.exec(text);
        },
      };
    });
    afterAll(() => {
      db?.$client.close();
      rmSync(dir, { recursive: true, force: true });
    });
    body(() => backend!);
  });

  describe(`${name} (postgres)`, () => {
    const database = useTestDatabase();
    let pool: pg.Pool | undefined;
    let backend: Backend | undefined;
    beforeAll(async () => {
      pool = new pg.Pool({ connectionString: database.url, max: 5 });
      pool.on("error", () => {});
      await migratePostgres(pool);
      const db: PgDb = drizzle(pool, { schema: pgSchema });
      const p = pool;
      backend = {
        name: "postgres",
        repos: pgRepos(db, pgAreas as PgModules),
        exec: async (text) => {
          await p.query(text);
        },
      };
    });
    afterAll(async () => {
      await pool?.end();
    });
    body(() => backend!);
  });
}
