import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { aiCalls } from "../db/schema.js";

export type AiCallRow = typeof aiCalls.$inferSelect;

export function insertAiCall(db: Db, row: AiCallRow): void {
  db.insert(aiCalls).values(row).run();
}

/** The user's calls, newest first, strictly before `after` (createdAt, then id), at most `limit`. */
export function aiCallsOfUser(
  db: Db,
  userId: string,
  limit: number,
  after: { createdAt: string; id: string } | undefined,
): AiCallRow[] {
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
    .limit(limit)
    .all();
}
