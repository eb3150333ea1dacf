import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { migratePostgres } from "./migrate.js";
import * as schema from "./schema.js";

/** The PostgreSQL database (or a transaction on it) the repositories' Postgres implementation takes. */
export type PgDb = NodePgDatabase<typeof schema>;
export type PgHandle = PgDb & { $client: pg.Pool };

export interface OpenPostgresOptions {
  /** Connections this process keeps at most (node-postgres default: 10). */
  poolSize?: number;
  /** An idle connection that breaks (server restart, network) is reported here instead of crashing the process. */
  onPoolError?: (error: Error) => void;
}

/**
 * Connects to `DAILIES_DATABASE_URL` (postgres://user:password@host:port/database), applies the pending
 * migrations under the migration lock, and returns drizzle over a connection pool. Close with `$client.end()`.
 */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<PgHandle> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  pool.on("error", options.onPoolError ?? ((error) => console.error(`PostgreSQL connection lost: ${error.message}`)));
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return drizzle(pool, { schema });
}

export { schema };
