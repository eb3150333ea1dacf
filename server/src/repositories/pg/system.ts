import { sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";

/** Health check: the database answers a trivial query. */
export async function databaseAnswers(db: PgDb): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
