// The media repository on PostgreSQL: repositories/media.ts with the same functions, awaited.
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { exports, media, projects, segments, variants } from "../../db/pg/schema.js";
import { newId } from "../../ids.js";
import type { MediaRow, SegmentRow, VariantRow } from "../media.js";

import type { PgConn } from "./conn.js";

export type { PgConn };

export async function findMedia(db: PgConn, id: string): Promise<MediaRow | undefined> {
  const [row] = await db.select().from(media).where(eq(media.id, id));
  return row;
}

export async function findMediaMany(db: PgConn, ids: string[]): Promise<MediaRow[]> {
  return ids.length ? db.select().from(media).where(inArray(media.id, ids)) : [];
}

/** Media rows by id (each id once in the query, however often a timeline uses it). */
export async function mediaByIds(db: PgConn, ids: readonly string[]): Promise<Map<string, MediaRow>> {
  return new Map((await findMediaMany(db, [...new Set(ids)])).map((m) => [m.id, m]));
}

/**
 * A job's variants, oldest first. insertVariantRows gives the variants of one call increasing times; the id
 * breaks a remaining tie so the order stays put when a row is updated (SQLite falls back on insertion order).
 */
export async function variantsOfJob(db: PgConn, jobId: string): Promise<VariantRow[]> {
  return db.select().from(variants).where(eq(variants.jobId, jobId)).orderBy(asc(variants.createdAt), asc(variants.id));
}

/** Registers a media row (a stored file, or one about to be written: status pending). */
export async function insertMedia(db: PgConn, values: typeof media.$inferInsert): Promise<MediaRow> {
  const [row] = await db.insert(media).values(values).returning();
  return row!;
}

/** The media row of a stored file (paths are unique: content-addressed or per render). */
export async function mediaByPath(db: PgConn, path: string): Promise<MediaRow | undefined> {
  const [row] = await db.select().from(media).where(eq(media.path, path)).limit(1);
  return row;
}

export async function updateMedia(db: PgConn, id: string, set: Partial<typeof media.$inferInsert>): Promise<void> {
  await db.update(media).set(set).where(eq(media.id, id));
}

/** The ready media row of a stored file, if any (an export finds its earlier render of the same timeline). */
export async function readyMediaByPath(db: PgConn, path: string): Promise<MediaRow | undefined> {
  const [row] = await db
    .select()
    .from(media)
    .where(and(eq(media.path, path), eq(media.status, "ready")))
    .limit(1);
  return row;
}

/** Sets columns and answers the updated row (undefined when it is gone). */
export async function updateMediaRow(
  db: PgConn,
  id: string,
  set: Partial<typeof media.$inferInsert>,
): Promise<MediaRow | undefined> {
  const [row] = await db.update(media).set(set).where(eq(media.id, id)).returning();
  return row;
}

export async function deleteMedia(db: PgConn, id: string): Promise<void> {
  await db.delete(media).where(eq(media.id, id));
}

/**
 * A project's own media library (uploads and mirrored files, not renders), oldest first. Rows of the same
 * millisecond: SQLite lists them in insertion order (rowid), which PostgreSQL has no column for; the id breaks
 * the tie, so the order stays put when a row is updated (a mirror turning ready moves its row in the heap).
 */
export async function libraryMediaOfProject(db: PgConn, projectId: string): Promise<MediaRow[]> {
  return db
    .select()
    .from(media)
    .where(and(eq(media.projectId, projectId), inArray(media.origin, ["upload", "mirror"])))
    .orderBy(asc(media.createdAt), asc(media.id));
}

/** Paths of every stored export file (one per distinct file, however many rows point at it). */
export async function exportFilePaths(db: PgConn): Promise<string[]> {
  const rows = await db
    .selectDistinct({ path: media.path })
    .from(media)
    .where(and(eq(media.origin, "export"), isNotNull(media.path)));
  return rows.flatMap((r) => (r.path ? [r.path] : []));
}

/** Paths of export files a timeline segment plays (an export brought back onto a timeline). */
export async function exportPathsOnTimelines(db: PgConn): Promise<Set<string>> {
  const rows = await db
    .select({ path: media.path })
    .from(segments)
    .innerJoin(media, eq(media.id, segments.mediaId))
    .where(eq(media.origin, "export"));
  return new Set(rows.flatMap((r) => (r.path ? [r.path] : [])));
}

/**
 * Serialises the writers of one stored file's media rows until the transaction ends (registering a render once
 * per path, forgetting an evicted file): SQLite's single writer did this; here a transaction-scoped advisory
 * lock on the path's hash does, in its own key space (the two-key form never meets a one-key lock).
 */
export async function lockMediaPath(tx: PgConn, path: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('media.path'), hashtext(${path}))`);
}

/**
 * Forgets the media rows of an evicted file, in one transaction: the exports that produced it lose their link
 * and the rows go. A row something else still references (a variant's source) makes the delete throw and
 * rolls everything back, so the caller keeps the file.
 */
export async function forgetMediaAtPath(db: PgConn, path: string): Promise<void> {
  await db.transaction(async (tx) => {
    // A render registered at this path by another process (gradeSegmentRows) waits, or is seen and deleted.
    await lockMediaPath(tx, path);
    const ids = (await tx.select({ id: media.id }).from(media).where(eq(media.path, path))).map((r) => r.id);
    if (ids.length === 0) return;
    await tx.update(exports).set({ mediaId: null }).where(inArray(exports.mediaId, ids));
    await tx.delete(media).where(inArray(media.id, ids));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Timeline segments as far as media needs them (reads of the timeline, and its first segment).
// ---------------------------------------------------------------------------------------------------------

/** A project's timeline: its active segments in order (one reader, owned by the segments repository). */
export { activeSegments } from "./segments.js";

/** Every project's timeline in one query: active segments by project id, each in timeline order. */
export async function activeSegmentsByProject(db: PgConn): Promise<Map<string, SegmentRow[]>> {
  const byProject = new Map<string, SegmentRow[]>();
  const rows = await db
    .select()
    .from(segments)
    .where(eq(segments.active, true))
    .orderBy(asc(segments.projectId), asc(segments.orderIndex), asc(segments.createdAt));
  for (const row of rows) {
    const list = byProject.get(row.projectId);
    if (list) list.push(row);
    else byProject.set(row.projectId, [row]);
  }
  return byProject;
}

/**
 * Locks the project's row until the transaction ends: every unit of work that reads and rewrites a project's
 * timeline takes it first, so they take turns per project (SQLite's single writer did this for all of them).
 * `for no key update` still lets other transactions insert rows that reference the project (their foreign key
 * check takes `key share`). A project that does not exist locks nothing; the writes that follow fail or find
 * nothing, as on SQLite.
 */
export async function lockProjectTimeline(tx: PgConn, projectId: string): Promise<void> {
  await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).for("no key update");
}

/**
 * Puts a media file on a project's timeline as its only segment (0 to `durationSec`), unless the project has
 * a segment already. The project row is locked first (lockProjectTimeline), so of two first uploads in two
 * processes the second waits, then sees the first one's segment and inserts nothing.
 */
export async function insertFirstSegment(
  db: PgConn,
  projectId: string,
  mediaId: string,
  durationSec: number,
): Promise<SegmentRow | undefined> {
  return db.transaction(async (tx) => {
    await lockProjectTimeline(tx, projectId);
    const [existing] = await tx
      .select({ id: segments.id })
      .from(segments)
      .where(eq(segments.projectId, projectId))
      .limit(1);
    if (existing) return undefined;
    const [row] = await tx
      .insert(segments)
      .values({
        id: newId("seg"),
        projectId,
        mediaId,
        startTs: 0,
        endTs: durationSec,
        orderIndex: 0,
        source: "original",
      })
      .returning();
    return row;
  });
}
