import { and, desc, eq, lt, or } from "drizzle-orm";
import { aiCalls } from "../../db/pg/schema.js";
import type { AiCallRow } from "../aiCalls.js";
import type { PgConn } from "./conn.js";

export async function insertAiCall(db: PgConn, row: AiCallRow): Promise<void> {
  await db.insert(aiCalls).values(row);
}

/** The user's calls, newest first, strictly before `after` (createdAt, then id), at most `limit`. */
export async function aiCallsOfUser(
  db: PgConn,
  userId: string,
  limit: number,
  after: { createdAt: string; id: string } | undefined,
): Promise<AiCallRow[]> {
  return db
    .select()
    .from(aiCalls)
    .where(
      and(
        eq(aiCalls.userId, userId),
        after
          ? or(
              lt(aiCalls.createdAt, after.createdAt),
              and(eq(aiCalls.createdAt, after.createdAt), lt(aiCalls.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(aiCalls.createdAt), desc(aiCalls.id))
    .limit(limit);
}
