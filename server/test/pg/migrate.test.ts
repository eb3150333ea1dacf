import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/db/pg/client.js";
import { MIGRATION_LOCK_KEY, migratePostgres, pgMigrationsFolder } from "../../src/db/pg/migrate.js";
import * as pgSchema from "../../src/db/pg/schema.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const journal = JSON.parse(readFileSync(join(pgMigrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: unknown[];
};
const migrationCount = journal.entries.length;
const schemaTables = Object.values(pgSchema)
  .filter((v) => is(v, PgTable))
  .map((t) => getTableConfig(t).name)
  .sort();

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanup.push(() => db.drop());
  return db;
}

function poolOn(db: TestDatabase): pg.Pool {
  const pool = new pg.Pool({ connectionString: db.url, max: 3 });
  // The database is dropped WITH (FORCE) after the test: a connection still closing then reports its end here.
  pool.on("error", () => {});
  cleanup.push(() => pool.end());
  return pool;
}

async function publicTables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
  );
  return rows.map((r) => r.table_name);
}

async function appliedRows(pool: pg.Pool): Promise<number> {
  return (await pool.query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations")).rows[0]!.n;
}

describe("PostgreSQL migrations", () => {
  it("apply on an empty database and create every table of the schema", async () => {
    const pool = poolOn(await freshDatabase());
    expect(await publicTables(pool)).toEqual([]);
    expect(await migratePostgres(pool)).toEqual({ applied: migrationCount });
    expect(await publicTables(pool)).toEqual(schemaTables);
    expect(await appliedRows(pool)).toBe(migrationCount);
  });

  it("the committed migrations build exactly the schema file (run `pnpm db:generate:pg` after changing it)", async () => {
    const pool = poolOn(await freshDatabase());
    await migratePostgres(pool);
    const columns = await pool.query<{ t: string; c: string; nullable: string; type: string }>(
      `select table_name as t, column_name as c, is_nullable as nullable, data_type as type
       from information_schema.columns where table_schema = 'public'`,
    );
    const indexes = await pool.query<{ t: string; name: string }>(
      "select tablename as t, indexname as name from pg_indexes where schemaname = 'public'",
    );
    const foreignKeys = await pool.query<{ t: string; n: number }>(
      `select table_name as t, count(*)::int as n from information_schema.table_constraints
       where table_schema = 'public' and constraint_type = 'FOREIGN KEY' group by table_name`,
    );
    const inDatabase = (t: string) => ({
      columns: columns.rows
        .filter((r) => r.t === t)
        .map((r) => `${r.c} ${r.type}${r.nullable === "NO" ? " not null" : ""}`)
        .sort(),
      indexes: indexes.rows
        .filter((r) => r.t === t && !/_pkey$|_pk$/.test(r.name))
        .map((r) => r.name)
        .sort(),
      foreignKeys: foreignKeys.rows.find((r) => r.t === t)?.n ?? 0,
    });
    for (const table of Object.values(pgSchema).filter((v) => is(v, PgTable))) {
      const config = getTableConfig(table);
      expect(inDatabase(config.name), config.name).toEqual({
        columns: config.columns.map((c) => `${c.name} ${c.getSQLType()}${c.notNull ? " not null" : ""}`).sort(),
        indexes: [
          ...config.indexes.map((i) => i.config.name!),
          ...config.columns.filter((c) => c.isUnique).map((c) => c.uniqueName!),
        ].sort(),
        foreignKeys: config.foreignKeys.length,
      });
    }
  });

  it("a re-run applies nothing and changes nothing", async () => {
    const pool = poolOn(await freshDatabase());
    await migratePostgres(pool);
    await pool.query("insert into users (id, name) values ('u1', 'Ada')");
    expect(await migratePostgres(pool)).toEqual({ applied: 0 });
    expect(await appliedRows(pool)).toBe(migrationCount);
    expect((await pool.query("select id, name from users")).rows).toEqual([{ id: "u1", name: "Ada" }]);
  });

  it("two processes starting together: one migrates, the other waits and finds nothing to do", async () => {
    const db = await freshDatabase();
    const [a, b] = [poolOn(db), poolOn(db)];
    const results = await Promise.all([migratePostgres(a), migratePostgres(b)]);
    expect(results.map((r) => r.applied).sort()).toEqual([0, migrationCount]);
    expect(await publicTables(a)).toEqual(schemaTables);
    expect(await appliedRows(b)).toBe(migrationCount);
  });

  it("waits while another session holds the migration lock, then migrates", async () => {
    const db = await freshDatabase();
    const holder = new pg.Client({ connectionString: db.url });
    holder.on("error", () => {});
    await holder.connect();
    cleanup.push(() => holder.end());
    await holder.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);

    const pool = poolOn(db);
    let done = false;
    const migrating = migratePostgres(pool).finally(() => {
      done = true;
    });
    // The migrator is queued on the lock (seen by the server), and has created nothing meanwhile.
    await expect
      .poll(
        async () =>
          (
            await holder.query<{ n: number }>(
              "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted",
            )
          ).rows[0]!.n,
        { timeout: 10_000 },
      )
      .toBe(1);
    expect(done).toBe(false);
    expect(await publicTables(pool)).toEqual([]);

    await holder.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]);
    expect(await migrating).toEqual({ applied: migrationCount });
    // The migrator let go of the lock: another session takes it at once.
    expect((await holder.query("select pg_try_advisory_lock($1) as ok", [MIGRATION_LOCK_KEY.toString()])).rows).toEqual(
      [{ ok: true }],
    );
  });

  it("openPostgres migrates and hands back drizzle over a pool", async () => {
    const db = await freshDatabase();
    const handle = await openPostgres(db.url, { poolSize: 2 });
    cleanup.push(() => handle.$client.end());
    await handle.insert(pgSchema.users).values({ id: "u1", name: "Ada" });
    expect(
      await handle.select({ name: pgSchema.users.name, createdAt: pgSchema.users.createdAt }).from(pgSchema.users),
    ).toEqual([{ name: "Ada", createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }]);
  });

  it("`db:migrate:pg` migrates DAILIES_DATABASE_URL once, then reports it up to date", async () => {
    const db = await freshDatabase();
    const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
    const run = (url: string) =>
      spawnSync("pnpm", ["--silent", "db:migrate:pg"], {
        cwd: serverDir,
        env: { ...process.env, DAILIES_DATABASE_URL: url },
        encoding: "utf8",
      });
    const first = run(db.url);
    expect(first.stdout.trim()).toBe(`Applied ${migrationCount} migration(s).`);
    expect(first.status).toBe(0);
    const again = run(db.url);
    expect(again.stdout.trim()).toBe("The database is up to date.");
    const wrong = run("mysql://nope");
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("DAILIES_DATABASE_URL");
  });
});
