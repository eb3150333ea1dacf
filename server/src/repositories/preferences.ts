import { DEFAULT_PREFERENCES, type Preferences } from "@dailies/shared";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { userPreferences } from "../db/schema.js";
import { nowIso } from "../ids.js";

/** A user's stored preferences over the defaults. */
export function readPreferences(db: Db, userId: string): Preferences {
  const row = db.select().from(userPreferences).where(eq(userPreferences.userId, userId)).get();
  return { ...DEFAULT_PREFERENCES, ...(row?.preferences as Partial<Preferences> | undefined) };
}

export function writePreferences(db: Db, userId: string, preferences: Preferences): void {
  db.insert(userPreferences)
    .values({ userId, preferences, updatedAt: nowIso() })
    .onConflictDoUpdate({ target: userPreferences.userId, set: { preferences, updatedAt: nowIso() } })
    .run();
}
