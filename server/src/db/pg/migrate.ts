import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";

export const pgMigrationsFolder = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * The advisory lock key every Dailies process migrates under (an arbitrary constant: "Dailies" in ASCII). Other
 * software sharing the database would have to pick the same number by chance to wait on it.
 */
export const MIGRATION_LOCK_KEY = 0x4461696c696573n;

const APPLIED = "select count(*)::int as n from drizzle.__drizzle_migrations";

/**
 * Applies the pending PostgreSQL migrations, one process at a time. Several API processes and workers start
 * together: each takes the session-level `pg_advisory_lock` on one connection and migrates on that same connection,
 * so the first one applies everything while the others wait, then find nothing to do. The lock goes with the
 * connection: a process that dies while migrating frees it, and its migration transaction rolls back.
 * Returns how many migrations this call applied (0 when the database was already current).
 */
export async function migratePostgres(pool: pg.Pool): Promise<{ applied: number }> {
  const client = await pool.connect();
  let locked = false;
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
    locked = true;
    const count = async () => {
      const exists = await client.query<{ t: string | null }>(
        "select to_regclass('drizzle.__drizzle_migrations')::text as t",
      );
      return exists.rows[0]!.t ? (await client.query<{ n: number }>(APPLIED)).rows[0]!.n : 0;
    };
    const before = await count();
    await migrate(drizzle(client), { migrationsFolder: pgMigrationsFolder });
    return { applied: (await count()) - before };
  } finally {
    let broken = false;
    if (locked) {
      // A connection that cannot unlock is discarded instead of going back to the pool: closing it frees the lock.
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]).catch(() => {
        broken = true;
      });
    }
    client.release(broken);
  }
}
