/**
 * Segments: the rows of the edit timeline (services/segments.ts explains timeline and source time).
 *
 * Every change is ONE unit of work whose transaction runs here and leaves the active segments' order_index a
 * clean 0..n-1. Edits are never deletes: a replaced, split, graded or removed segment is deactivated and kept,
 * so an earlier timeline can be restored. The service passes its decision in as a function that runs on the
 * rows read INSIDE the transaction (and throws to refuse), so a concurrent edit is judged on fresh rows (409)
 * rather than overwritten.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { type media, segments } from "../db/schema.js";
import { conflict } from "../errors.js";
import { newId } from "../ids.js";
import { findMediaMany, insertMedia, type MediaRow, mediaByPath } from "./media.js";

export type SegmentRow = typeof segments.$inferSelect;
/** A complete segment row to insert (id and order_index chosen by the caller). */
export type SegmentInsert = typeof segments.$inferInsert;
/** A segment to put on the timeline: the unit of work gives it an id, its project and its place. */
export type NewSegment = Omit<SegmentInsert, "id" | "orderIndex" | "projectId">;
/** What a service decides from the segment as it is inside the transaction (undefined: it does not exist). */
export type SegmentCheck<T> = (fresh: SegmentRow | undefined) => T;

export function findSegment(db: Db, segmentId: string): SegmentRow | undefined {
  return db.select().from(segments).where(eq(segments.id, segmentId)).get();
}

/** The project's timeline: its active segments in order. */
export function activeSegments(db: Db, projectId: string): SegmentRow[] {
  return db
    .select()
    .from(segments)
    .where(and(eq(segments.projectId, projectId), eq(segments.active, true)))
    .orderBy(asc(segments.orderIndex), asc(segments.createdAt))
    .all();
}

/** The fields a segment cut from `parent` (a split half, a graded copy, a part around a variant) copies. */
export function derivedFrom(parent: SegmentRow): NewSegment {
  return {
    mediaId: parent.mediaId,
    startTs: parent.startTs,
    endTs: parent.endTs,
    source: parent.source,
    variantId: parent.variantId,
    assetVersionId: parent.assetVersionId,
    grade: parent.grade,
    parentSegmentId: parent.id,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Steps (inside a unit of work's transaction)
// ---------------------------------------------------------------------------------------------------------

function deactivate(tx: Db, segmentId: string): void {
  tx.update(segments).set({ active: false }).where(eq(segments.id, segmentId)).run();
}

/** Writes order_index 0..n-1 in the given order, touching only rows that change. */
function writeOrder(tx: Db, ordered: readonly { id: string; orderIndex: number }[]): void {
  ordered.forEach((row, i) => {
    if (row.orderIndex !== i) tx.update(segments).set({ orderIndex: i }).where(eq(segments.id, row.id)).run();
  });
}

/**
 * Replaces the active segment `replaceId` by `replacements` at its place (it is deactivated and kept), or with
 * `replaceId` null inserts them at `position` (clamped; default the end). Returns the inserted rows.
 */
function placeOnTimeline(
  tx: Db,
  projectId: string,
  change: { replaceId: string | null; position?: number | undefined; replacements: readonly NewSegment[] },
): SegmentRow[] {
  const current = activeSegments(tx, projectId);
  let position = change.position ?? current.length;
  if (change.replaceId !== null) {
    position = current.findIndex((s) => s.id === change.replaceId);
    if (position < 0) throw conflict("Segment is inactive", { segment_id: change.replaceId, active: false });
    deactivate(tx, change.replaceId);
  }
  const rest = current.filter((s) => s.id !== change.replaceId);
  const at = Math.max(0, Math.min(rest.length, Math.floor(position)));
  const inserted = change.replacements.map((values, i) =>
    tx
      .insert(segments)
      .values({ ...values, id: newId("seg"), projectId, orderIndex: at + i, active: true })
      .returning()
      .get(),
  );
  writeOrder(tx, [...rest.slice(0, at), ...inserted, ...rest.slice(at)]);
  return inserted;
}

// ---------------------------------------------------------------------------------------------------------
// Units of work (each one transaction)
// ---------------------------------------------------------------------------------------------------------

/** Split at source time `at`: `check` approves the segment; it is deactivated and its halves take its place. */
export function splitSegmentRows(
  db: Db,
  segmentId: string,
  at: number,
  check: SegmentCheck<SegmentRow>,
): [SegmentRow, SegmentRow] {
  return db.transaction((tx) => {
    const seg = check(findSegment(tx, segmentId));
    const [left, right] = placeOnTimeline(tx, seg.projectId, {
      replaceId: seg.id,
      replacements: [
        { ...derivedFrom(seg), endTs: at },
        { ...derivedFrom(seg), startTs: at },
      ],
    });
    return [left as SegmentRow, right as SegmentRow];
  });
}

/** Trim in place: `check` approves the segment and returns its new source bounds. */
export function trimSegmentRow(
  db: Db,
  segmentId: string,
  check: SegmentCheck<{ segment: SegmentRow; startTs: number; endTs: number }>,
): SegmentRow {
  return db.transaction((tx) => {
    const { segment, startTs, endTs } = check(findSegment(tx, segmentId));
    return tx.update(segments).set({ startTs, endTs }).where(eq(segments.id, segment.id)).returning().get();
  });
}

/** Soft delete: the row stays (active: false), the rest of the timeline closes up. */
export function removeSegmentRow(db: Db, segmentId: string, check: SegmentCheck<SegmentRow>): void {
  db.transaction((tx) => {
    const seg = check(findSegment(tx, segmentId));
    deactivate(tx, seg.id);
    writeOrder(tx, activeSegments(tx, seg.projectId));
  });
}

/** Inserts new segments at `position` of the timeline (default: the end). */
export function insertSegmentRows(
  db: Db,
  projectId: string,
  position: number | undefined,
  rows: readonly NewSegment[],
): SegmentRow[] {
  return db.transaction((tx) => placeOnTimeline(tx, projectId, { replaceId: null, position, replacements: rows }));
}

/** A new timeline: every active segment is deactivated (kept) and `rows` take their place. */
export function replaceTimelineRows(db: Db, projectId: string, rows: readonly NewSegment[]): SegmentRow[] {
  return db.transaction((tx) => {
    tx.update(segments)
      .set({ active: false })
      .where(and(eq(segments.projectId, projectId), eq(segments.active, true)))
      .run();
    return placeOnTimeline(tx, projectId, { replaceId: null, position: 0, replacements: rows });
  });
}

/**
 * Grade: `check` returns the segment as it must still be; the render's media row is registered (once per
 * path) and a copy of the segment with `grade` (source "graded") takes its place.
 */
export function gradeSegmentRows(
  db: Db,
  segmentId: string,
  check: SegmentCheck<SegmentRow>,
  grade: Record<string, number>,
  render: (current: SegmentRow) => typeof media.$inferInsert & { path: string },
): { segment: SegmentRow; media: MediaRow } {
  return db.transaction((tx) => {
    const current = check(findSegment(tx, segmentId));
    const values = render(current);
    const graded = mediaByPath(tx, values.path) ?? insertMedia(tx, values);
    const [replacement] = placeOnTimeline(tx, current.projectId, {
      replaceId: current.id,
      replacements: [{ ...derivedFrom(current), source: "graded", grade }],
    });
    return { segment: replacement as SegmentRow, media: graded };
  });
}

/** The new order of the active segments: `check` sees them first (and refuses a stale list). */
export function reorderSegmentRows(
  db: Db,
  projectId: string,
  ids: readonly string[],
  check: (current: SegmentRow[]) => void,
): void {
  db.transaction((tx) => {
    const current = activeSegments(tx, projectId);
    check(current);
    const byId = new Map(current.map((s) => [s.id, s]));
    writeOrder(
      tx,
      ids.map((id) => byId.get(id) as SegmentRow),
    );
  });
}

/** What a restore is judged on: the timeline now, the wanted rows of the project and their media's durations. */
export interface RestoreState {
  current: SegmentRow[];
  rows: Map<string, SegmentRow>;
  durations: Map<string, number | null>;
}

/**
 * Makes exactly `wanted` the active timeline, in that order and with those source times; every other active
 * segment is deactivated. `check` runs first on the state inside the transaction.
 */
export function restoreTimelineRows(
  db: Db,
  projectId: string,
  wanted: readonly { id: string; startTs: number; endTs: number }[],
  check: (state: RestoreState) => void,
): void {
  db.transaction((tx) => {
    const current = activeSegments(tx, projectId);
    const ids = [...new Set(wanted.map((w) => w.id))];
    const rows =
      ids.length === 0
        ? []
        : tx
            .select()
            .from(segments)
            .where(and(eq(segments.projectId, projectId), inArray(segments.id, ids)))
            .all();
    const durations = new Map(
      findMediaMany(tx, [...new Set(rows.map((r) => r.mediaId))]).map((m) => [m.id, m.durationSec]),
    );
    check({ current, rows: new Map(rows.map((r) => [r.id, r])), durations });
    const keep = new Set(ids);
    for (const s of current) if (!keep.has(s.id)) deactivate(tx, s.id);
    wanted.forEach((w, i) => {
      tx.update(segments)
        .set({ active: true, orderIndex: i, startTs: w.startTs, endTs: w.endTs })
        .where(eq(segments.id, w.id))
        .run();
    });
  });
}

/** A rewrite of the timeline planned from its active segments (the variant accept). */
export interface TimelineRewrite {
  /** Active segments that leave the timeline (kept). */
  deactivate: readonly string[];
  /** New rows, complete with ids and order_index. */
  insert: readonly SegmentInsert[];
  /** Every active segment afterwards, in timeline order: the existing ones are renumbered to match. */
  order: readonly string[];
}

/** Applies a rewrite inside the caller's unit of work (see variants.ts `acceptVariantRows`). */
export function rewriteTimeline(tx: Db, active: readonly SegmentRow[], rewrite: TimelineRewrite): void {
  for (const id of rewrite.deactivate) deactivate(tx, id);
  for (const row of rewrite.insert) tx.insert(segments).values(row).run();
  const existing = new Map(active.map((s) => [s.id, s.orderIndex]));
  // New rows were inserted at their place; only the existing ones may need a new number.
  writeOrder(
    tx,
    rewrite.order.map((id, index) => ({ id, orderIndex: existing.get(id) ?? index })),
  );
}
