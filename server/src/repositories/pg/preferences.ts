import { DEFAULT_PREFERENCES, type Preferences } from "@dailies/shared";
import { eq } from "drizzle-orm";
import { userPreferences } from "../../db/pg/schema.js";
import { nowIso } from "../../ids.js";
import type { PgConn } from "./conn.js";

/** A user's stored preferences over the defaults. */
export async function readPreferences(db: PgConn, userId: string): Promise<Preferences> {
  const [row] = await db.select().from(userPreferences).where(eq(userPreferences.userId, userId));
  return { ...DEFAULT_PREFERENCES, ...(row?.preferences as Partial<Preferences> | undefined) };
}

/** One upsert: two processes writing the same user's preferences at once both succeed, the later one wins. */
export async function writePreferences(db: PgConn, userId: string, preferences: Preferences): Promise<void> {
  await db
    .insert(userPreferences)
    .values({ userId, preferences, updatedAt: nowIso() })
    .onConflictDoUpdate({ target: userPreferences.userId, set: { preferences, updatedAt: nowIso() } });
}
