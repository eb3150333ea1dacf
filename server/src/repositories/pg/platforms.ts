import { asc, eq, inArray, sql } from "drizzle-orm";
import { platforms } from "../../db/pg/schema.js";
import { newId } from "../../ids.js";
import type { PlatformRow } from "../platforms.js";
import { bytewise, type PgConn } from "./conn.js";

export async function listPlatforms(db: PgConn): Promise<PlatformRow[]> {
  return db
    .select()
    .from(platforms)
    .orderBy(asc(platforms.custom), sql`${platforms.name} collate ${sql.identifier(bytewise)}`);
}

// Found rows per database (or transaction) object, as on SQLite: platforms are read on every ingest and are
// never updated or deleted, so a row another process inserted is simply found on its first miss. A row read
// inside a transaction is kept only on that transaction's object, so a rolled-back insert is not remembered.
const cache = new WeakMap<object, Map<string, PlatformRow>>();

export async function platformBySlug(db: PgConn, slug: string): Promise<PlatformRow | undefined> {
  let known = cache.get(db);
  if (!known) {
    known = new Map();
    cache.set(db, known);
  }
  const cached = known.get(slug);
  if (cached) return cached;
  const [row] = await db.select().from(platforms).where(eq(platforms.slug, slug));
  if (row) known.set(slug, row);
  return row;
}

export async function platformById(db: PgConn, id: string): Promise<PlatformRow | undefined> {
  const [row] = await db.select().from(platforms).where(eq(platforms.id, id));
  return row;
}

/**
 * Finds the platform for a key, registering a custom one for a key never seen before. Concurrent first
 * captures of a new key from several processes: `on conflict do nothing` waits for the other insert of the slug
 * to commit and then inserts nothing; the select after it (a new statement under READ COMMITTED) sees that row.
 */
export async function ensurePlatform(
  db: PgConn,
  slug: string,
  label: string | undefined,
  assetType: string,
): Promise<PlatformRow> {
  const existing = await platformBySlug(db, slug);
  if (existing) return existing;
  const [inserted] = await db
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
    .returning();
  return inserted ?? (await platformBySlug(db, slug))!;
}

/** Inserts platforms whose slug is not there yet; never overwrites (one statement: atomic, race-free). */
export async function insertMissingPlatforms(
  db: PgConn,
  seeds: Omit<typeof platforms.$inferInsert, "id">[],
): Promise<void> {
  if (seeds.length === 0) return;
  await db
    .insert(platforms)
    .values(seeds.map((seed) => ({ id: newId("platform"), ...seed })))
    .onConflictDoNothing({ target: platforms.slug });
}

/** By id, in id order (SQLite answers `id in (…)` by walking its primary-key index). */
export async function platformsByIds(db: PgConn, ids: string[]): Promise<PlatformRow[]> {
  return ids.length
    ? db
        .select()
        .from(platforms)
        .where(inArray(platforms.id, ids))
        .orderBy(sql`${platforms.id} collate ${sql.identifier(bytewise)}`)
    : [];
}
