import { sql } from "drizzle-orm";
import type { Db } from "../db/client.js";

/** Whether the database answers a trivial query (the health check). */
export function databaseAnswers(db: Db): boolean {
  try {
    db.get(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
