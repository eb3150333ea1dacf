// `pnpm --filter @dailies/server db:migrate:pg`: applies the PostgreSQL migrations to DAILIES_DATABASE_URL and
// exits, for deployments that migrate before rolling out processes (each process also migrates on start).
import pg from "pg";
import { migratePostgres } from "./migrate.js";

const url = process.env.DAILIES_DATABASE_URL;
if (!url || !/^postgres(ql)?:\/\//.test(url)) {
  console.error("Set DAILIES_DATABASE_URL to postgres://user:password@host:port/database");
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  const { applied } = await migratePostgres(pool);
  console.log(applied ? `Applied ${applied} migration(s).` : "The database is up to date.");
} catch (error) {
  console.error(`Migration failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
