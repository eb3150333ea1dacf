import { and, asc, eq, getTableColumns, inArray, is, isNotNull, SQL } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { exports, media, segments, variants } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";

export type MediaRow = typeof media.$inferSelect;
export type VariantRow = typeof variants.$inferSelect;
export type SegmentRow = typeof segments.$inferSelect;

export function findMedia(db: Db, id: string): MediaRow | undefined {
  return db.select().from(media).where(eq(media.id, id)).get();
}

export function findMediaMany(db: Db, ids: string[]): MediaRow[] {
  return ids.length ? db.select().from(media).where(inArray(media.id, ids)).all() : [];
}

/** Media rows by id (each id once in the query, however often a timeline uses it). */
export function mediaByIds(db: Db, ids: readonly string[]): Map<string, MediaRow> {
  return new Map(findMediaMany(db, [...new Set(ids)]).map((m) => [m.id, m]));
}

/** A job's variants, oldest first. */
export function variantsOfJob(db: Db, jobId: string): VariantRow[] {
  return db.select().from(variants).where(eq(variants.jobId, jobId)).orderBy(asc(variants.createdAt)).all();
}

const MEDIA_COLUMNS = Object.entries(getTableColumns(media));

/**
 * Registers a media row (a stored file, or one about to be written: status pending). On the root database the
 * insert is prepared once and the row is built here from the values and the schema's defaults (building the
 * query per call cost ~1 ms of the API thread per mirrored file); inside a drizzle transaction it goes through
 * the query builder.
 */
export function insertMedia(db: Db, values: typeof media.$inferInsert): MediaRow {
  const client = (db as Partial<DbHandle>).$client;
  if (!client) return db.insert(media).values(values).returning().get();
  const row = Object.fromEntries(
    MEDIA_COLUMNS.map(([key, column]) => [key, values[key as keyof typeof values] ?? mediaDefault(column)]),
  ) as MediaRow;
  prepared(db, "media.insert", () =>
    client.prepare(
      `insert into media (${MEDIA_COLUMNS.map(([, c]) => c.name).join(", ")})
       values (${MEDIA_COLUMNS.map(([key]) => `@${key}`).join(", ")})`,
    ),
  ).run(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "boolean" ? Number(v) : v])));
  return row;
}

/** A column's default from the schema; the only SQL default in it is the current time (db/schema.ts `now`). */
function mediaDefault(column: (typeof MEDIA_COLUMNS)[number][1]): unknown {
  if (!column.hasDefault) return null;
  return is(column.default, SQL) ? nowIso() : column.default;
}

/** The media row of a stored file (paths are unique: content-addressed or per render). */
export function mediaByPath(db: Db, path: string): MediaRow | undefined {
  return db.select().from(media).where(eq(media.path, path)).get();
}

export function updateMedia(db: Db, id: string, set: Partial<typeof media.$inferInsert>): void {
  db.update(media).set(set).where(eq(media.id, id)).run();
}

/** The ready media row of a stored file, if any (an export finds its earlier render of the same timeline). */
export function readyMediaByPath(db: Db, path: string): MediaRow | undefined {
  return db
    .select()
    .from(media)
    .where(and(eq(media.path, path), eq(media.status, "ready")))
    .get();
}

/** Sets columns and answers the updated row (undefined when it is gone). */
export function updateMediaRow(db: Db, id: string, set: Partial<typeof media.$inferInsert>): MediaRow | undefined {
  return db.update(media).set(set).where(eq(media.id, id)).returning().get();
}

export function deleteMedia(db: Db, id: string): void {
  db.delete(media).where(eq(media.id, id)).run();
}

/** A project's own media library (uploads and mirrored files, not renders), oldest first. */
export function libraryMediaOfProject(db: Db, projectId: string): MediaRow[] {
  return db
    .select()
    .from(media)
    .where(and(eq(media.projectId, projectId), inArray(media.origin, ["upload", "mirror"])))
    .orderBy(asc(media.createdAt))
    .all();
}

/** Paths of every stored export file (one per distinct file, however many rows point at it). */
export function exportFilePaths(db: Db): string[] {
  return db
    .selectDistinct({ path: media.path })
    .from(media)
    .where(and(eq(media.origin, "export"), isNotNull(media.path)))
    .all()
    .flatMap((r) => (r.path ? [r.path] : []));
}

/** Paths of export files a timeline segment plays (an export brought back onto a timeline). */
export function exportPathsOnTimelines(db: Db): Set<string> {
  return new Set(
    db
      .select({ path: media.path })
      .from(segments)
      .innerJoin(media, eq(media.id, segments.mediaId))
      .where(eq(media.origin, "export"))
      .all()
      .flatMap((r) => (r.path ? [r.path] : [])),
  );
}

/**
 * Forgets the media rows of an evicted file, in one transaction: the exports that produced it lose their link
 * and the rows go. A row something else still references (a variant's source) makes the delete throw and
 * rolls everything back, so the caller keeps the file.
 */
export function forgetMediaAtPath(db: Db, path: string): void {
  db.transaction((tx) => {
    const ids = tx
      .select({ id: media.id })
      .from(media)
      .where(eq(media.path, path))
      .all()
      .map((r) => r.id);
    if (ids.length === 0) return;
    tx.update(exports).set({ mediaId: null }).where(inArray(exports.mediaId, ids)).run();
    tx.delete(media).where(inArray(media.id, ids)).run();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Timeline segments as far as media needs them (reads of the timeline, and its first segment). The editing
// statements live with the timeline's own repository.
// ---------------------------------------------------------------------------------------------------------

/** A project's timeline: its active segments in order (one reader, owned by the segments repository). */
export { activeSegments } from "./segments.js";

/** Every project's timeline in one query: active segments by project id, each in timeline order. */
export function activeSegmentsByProject(db: Db): Map<string, SegmentRow[]> {
  const byProject = new Map<string, SegmentRow[]>();
  const rows = db
    .select()
    .from(segments)
    .where(eq(segments.active, true))
    .orderBy(asc(segments.projectId), asc(segments.orderIndex), asc(segments.createdAt))
    .all();
  for (const row of rows) {
    const list = byProject.get(row.projectId);
    if (list) list.push(row);
    else byProject.set(row.projectId, [row]);
  }
  return byProject;
}

/**
 * Puts a media file on a project's timeline as its only segment (0 to `durationSec`), unless the project has
 * a segment already: the check and the insert are one transaction, so two first uploads make one segment.
 */
export function insertFirstSegment(
  db: Db,
  projectId: string,
  mediaId: string,
  durationSec: number,
): SegmentRow | undefined {
  return db.transaction((tx) => {
    if (tx.select({ id: segments.id }).from(segments).where(eq(segments.projectId, projectId)).get()) return undefined;
    return tx
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
      .returning()
      .get();
  });
}
