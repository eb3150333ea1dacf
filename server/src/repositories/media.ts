import { asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { media, variants } from "../db/schema.js";

export type MediaRow = typeof media.$inferSelect;
export type VariantRow = typeof variants.$inferSelect;

export function findMedia(db: Db, id: string): MediaRow | undefined {
  return db.select().from(media).where(eq(media.id, id)).get();
}

export function findMediaMany(db: Db, ids: string[]): MediaRow[] {
  return ids.length ? db.select().from(media).where(inArray(media.id, ids)).all() : [];
}

/** A job's variants, oldest first. */
export function variantsOfJob(db: Db, jobId: string): VariantRow[] {
  return db.select().from(variants).where(eq(variants.jobId, jobId)).orderBy(asc(variants.createdAt)).all();
}

/** Registers a media row (a stored file, or one about to be written: status pending). */
export function insertMedia(db: Db, values: typeof media.$inferInsert): MediaRow {
  return db.insert(media).values(values).returning().get();
}

/** The media row of a stored file (paths are unique: content-addressed or per render). */
export function mediaByPath(db: Db, path: string): MediaRow | undefined {
  return db.select().from(media).where(eq(media.path, path)).get();
}

export function updateMedia(db: Db, id: string, set: Partial<typeof media.$inferInsert>): void {
  db.update(media).set(set).where(eq(media.id, id)).run();
}
