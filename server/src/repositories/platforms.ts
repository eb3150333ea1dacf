import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { platforms } from "../db/schema.js";
import { newId } from "../ids.js";

export type PlatformRow = typeof platforms.$inferSelect;

export function listPlatforms(db: Db): PlatformRow[] {
  return db.select().from(platforms).orderBy(asc(platforms.custom), asc(platforms.name)).all();
}

/** Platforms are read on every ingest and almost never change: found rows are kept per database. */
export function platformBySlug(db: Db, slug: string): PlatformRow | undefined {
  const known = prepared(db, "platforms.cache", () => new Map<string, PlatformRow>());
  const cached = known.get(slug);
  if (cached) return cached;
  const row = prepared(db, "platforms.bySlug", () =>
    db
      .select()
      .from(platforms)
      .where(eq(platforms.slug, sql.placeholder("slug")))
      .prepare(),
  ).get({ slug });
  if (row) known.set(slug, row);
  return row;
}

export function platformById(db: Db, id: string): PlatformRow | undefined {
  return db.select().from(platforms).where(eq(platforms.id, id)).get();
}

/** Finds the platform for a key, registering a custom one for a key never seen before. */
export function ensurePlatform(db: Db, slug: string, label: string | undefined, assetType: string): PlatformRow {
  const existing = platformBySlug(db, slug);
  if (existing) return existing;
  return (
    db
      .insert(platforms)
      .values({
        id: newId("platform"),
        slug,
        name: label?.trim() || slug,
        provider: label?.trim() || slug,
        specialties: [assetType.toLowerCase()],
        supportedOutput: [assetType],
        custom: true,
      })
      .onConflictDoNothing({ target: platforms.slug })
      .returning()
      .get() ?? platformBySlug(db, slug)!
  );
}

/** Inserts platforms whose slug is not there yet; never overwrites. */
export function insertMissingPlatforms(db: Db, seeds: Omit<typeof platforms.$inferInsert, "id">[]): void {
  db.transaction((tx) => {
    for (const seed of seeds) {
      tx.insert(platforms)
        .values({ id: newId("platform"), ...seed })
        .onConflictDoNothing({ target: platforms.slug })
        .run();
    }
  });
}

export function platformsByIds(db: Db, ids: string[]): PlatformRow[] {
  return ids.length ? db.select().from(platforms).where(inArray(platforms.id, ids)).all() : [];
}
