// The segments repository on PostgreSQL: repositories/segments.ts (which explains the units of work) with the
// same functions, awaited.
//
// Concurrency: SQLite's single writer made each unit of work's read-check-write exclusive. Here every unit of
// work that reads a timeline and rewrites it first locks the project's row (lockProjectTimeline, `for no key
// update`), then reads: edits of one project's timeline from any process take turns, and READ COMMITTED lets
// each statement after the lock see what the previous holder committed, so `check` judges fresh rows and
// order_index stays a clean 0..n-1. Edits of different projects run in parallel.
import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { media } from "../../db/pg/schema.js";
import { segments } from "../../db/pg/schema.js";
import { conflict } from "../../errors.js";
import { newId } from "../../ids.js";
import type { MediaRow } from "../media.js";
import {
  derivedFrom,
  type NewSegment,
  type RestoreState,
  type SegmentCheck,
  type SegmentRow,
  type TimelineRewrite,
} from "../segments.js";
import { findMediaMany, insertMedia, lockMediaPath, lockProjectTimeline, mediaByPath, type PgConn } from "./media.js";

export async function findSegment(db: PgConn, segmentId: string): Promise<SegmentRow | undefined> {
  const [row] = await db.select().from(segments).where(eq(segments.id, segmentId));
  return row;
}

/** The project's timeline: its active segments in order. */
export async function activeSegments(db: PgConn, projectId: string): Promise<SegmentRow[]> {
  return db
    .select()
    .from(segments)
    .where(and(eq(segments.projectId, projectId), eq(segments.active, true)))
    .orderBy(asc(segments.orderIndex), asc(segments.createdAt));
}

// ---------------------------------------------------------------------------------------------------------
// Steps (inside a unit of work's transaction)
// ---------------------------------------------------------------------------------------------------------

/**
 * The segment as it is once its project's timeline is ours: read to learn the project (a segment never moves
 * to another one), lock the project, read again (a concurrent edit may have committed in between).
 */
async function lockedSegment(tx: PgConn, segmentId: string): Promise<SegmentRow | undefined> {
  const seen = await findSegment(tx, segmentId);
  if (!seen) return undefined;
  await lockProjectTimeline(tx, seen.projectId);
  return findSegment(tx, segmentId);
}

async function deactivate(tx: PgConn, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(segments)
    .set({ active: false })
    .where(inArray(segments.id, [...ids]));
}

/** Writes order_index 0..n-1 in the given order, touching only rows that change (one statement). */
async function writeOrder(tx: PgConn, ordered: readonly { id: string; orderIndex: number }[]): Promise<void> {
  const changed = ordered.flatMap((row, i) => (row.orderIndex !== i ? [{ id: row.id, index: i }] : []));
  if (changed.length === 0) return;
  const cases: SQL[] = changed.map((c) => sql`when ${c.id} then ${c.index}::int`);
  await tx
    .update(segments)
    .set({ orderIndex: sql`case ${segments.id} ${sql.join(cases, sql` `)} end` })
    .where(
      inArray(
        segments.id,
        changed.map((c) => c.id),
      ),
    );
}

/**
 * Replaces the active segment `replaceId` by `replacements` at its place (it is deactivated and kept), or with
 * `replaceId` null inserts them at `position` (clamped; default the end). Returns the inserted rows.
 */
async function placeOnTimeline(
  tx: PgConn,
  projectId: string,
  change: { replaceId: string | null; position?: number | undefined; replacements: readonly NewSegment[] },
): Promise<SegmentRow[]> {
  const current = await activeSegments(tx, projectId);
  let position = change.position ?? current.length;
  if (change.replaceId !== null) {
    position = current.findIndex((s) => s.id === change.replaceId);
    if (position < 0) throw conflict("Segment is inactive", { segment_id: change.replaceId, active: false });
    await deactivate(tx, [change.replaceId]);
  }
  const rest = current.filter((s) => s.id !== change.replaceId);
  const at = Math.max(0, Math.min(rest.length, Math.floor(position)));
  const values = change.replacements.map((v, i) => ({
    ...v,
    id: newId("seg"),
    projectId,
    orderIndex: at + i,
    active: true,
  }));
  // One multi-row insert; its rows are put back in the order asked for by id.
  const byId = new Map(
    (values.length ? await tx.insert(segments).values(values).returning() : []).map((r) => [r.id, r]),
  );
  const inserted = values.map((v) => byId.get(v.id) as SegmentRow);
  await writeOrder(tx, [...rest.slice(0, at), ...inserted, ...rest.slice(at)]);
  return inserted;
}

// ---------------------------------------------------------------------------------------------------------
// Units of work (each one transaction, holding the project's timeline lock)
// ---------------------------------------------------------------------------------------------------------

/** Split at source time `at`: `check` approves the segment; it is deactivated and its halves take its place. */
export async function splitSegmentRows(
  db: PgConn,
  segmentId: string,
  at: number,
  check: SegmentCheck<SegmentRow>,
): Promise<[SegmentRow, SegmentRow]> {
  return db.transaction(async (tx) => {
    const seg = check(await lockedSegment(tx, segmentId));
    const [left, right] = await placeOnTimeline(tx, seg.projectId, {
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
export async function trimSegmentRow(
  db: PgConn,
  segmentId: string,
  check: SegmentCheck<{ segment: SegmentRow; startTs: number; endTs: number }>,
): Promise<SegmentRow> {
  return db.transaction(async (tx) => {
    const { segment, startTs, endTs } = check(await lockedSegment(tx, segmentId));
    const [row] = await tx.update(segments).set({ startTs, endTs }).where(eq(segments.id, segment.id)).returning();
    return row as SegmentRow;
  });
}

/** Soft delete: the row stays (active: false), the rest of the timeline closes up. */
export async function removeSegmentRow(db: PgConn, segmentId: string, check: SegmentCheck<SegmentRow>): Promise<void> {
  await db.transaction(async (tx) => {
    const seg = check(await lockedSegment(tx, segmentId));
    await deactivate(tx, [seg.id]);
    await writeOrder(tx, await activeSegments(tx, seg.projectId));
  });
}

/** Inserts new segments at `position` of the timeline (default: the end). */
export async function insertSegmentRows(
  db: PgConn,
  projectId: string,
  position: number | undefined,
  rows: readonly NewSegment[],
): Promise<SegmentRow[]> {
  return db.transaction(async (tx) => {
    await lockProjectTimeline(tx, projectId);
    return placeOnTimeline(tx, projectId, { replaceId: null, position, replacements: rows });
  });
}

/** A new timeline: every active segment is deactivated (kept) and `rows` take their place. */
export async function replaceTimelineRows(
  db: PgConn,
  projectId: string,
  rows: readonly NewSegment[],
): Promise<SegmentRow[]> {
  return db.transaction(async (tx) => {
    await lockProjectTimeline(tx, projectId);
    await tx
      .update(segments)
      .set({ active: false })
      .where(and(eq(segments.projectId, projectId), eq(segments.active, true)));
    return placeOnTimeline(tx, projectId, { replaceId: null, position: 0, replacements: rows });
  });
}

/**
 * Grade: `check` returns the segment as it must still be; the render's media row is registered (once per
 * path: the path's lock makes that exact across processes and projects) and a copy of the segment with `grade`
 * (source "graded") takes its place.
 */
export async function gradeSegmentRows(
  db: PgConn,
  segmentId: string,
  check: SegmentCheck<SegmentRow>,
  grade: Record<string, number>,
  render: (current: SegmentRow) => typeof media.$inferInsert & { path: string },
): Promise<{ segment: SegmentRow; media: MediaRow }> {
  return db.transaction(async (tx) => {
    const current = check(await lockedSegment(tx, segmentId));
    const values = render(current);
    await lockMediaPath(tx, values.path);
    const graded = (await mediaByPath(tx, values.path)) ?? (await insertMedia(tx, values));
    const [replacement] = await placeOnTimeline(tx, current.projectId, {
      replaceId: current.id,
      replacements: [{ ...derivedFrom(current), source: "graded", grade }],
    });
    return { segment: replacement as SegmentRow, media: graded };
  });
}

/** The new order of the active segments: `check` sees them first (and refuses a stale list). */
export async function reorderSegmentRows(
  db: PgConn,
  projectId: string,
  ids: readonly string[],
  check: (current: SegmentRow[]) => void,
): Promise<void> {
  await db.transaction(async (tx) => {
    await lockProjectTimeline(tx, projectId);
    const current = await activeSegments(tx, projectId);
    check(current);
    const byId = new Map(current.map((s) => [s.id, s]));
    await writeOrder(
      tx,
      ids.map((id) => byId.get(id) as SegmentRow),
    );
  });
}

/**
 * Makes exactly `wanted` the active timeline, in that order and with those source times; every other active
 * segment is deactivated. `check` runs first on the state inside the transaction.
 */
export async function restoreTimelineRows(
  db: PgConn,
  projectId: string,
  wanted: readonly { id: string; startTs: number; endTs: number }[],
  check: (state: RestoreState) => void,
): Promise<void> {
  await db.transaction(async (tx) => {
    await lockProjectTimeline(tx, projectId);
    const current = await activeSegments(tx, projectId);
    const ids = [...new Set(wanted.map((w) => w.id))];
    const rows =
      ids.length === 0
        ? []
        : await tx
            .select()
            .from(segments)
            .where(and(eq(segments.projectId, projectId), inArray(segments.id, ids)));
    const durations = new Map(
      (await findMediaMany(tx, [...new Set(rows.map((r) => r.mediaId))])).map((m) => [m.id, m.durationSec]),
    );
    check({ current, rows: new Map(rows.map((r) => [r.id, r])), durations });
    const keep = new Set(ids);
    await deactivate(
      tx,
      current.filter((s) => !keep.has(s.id)).map((s) => s.id),
    );
    for (const [i, w] of wanted.entries()) {
      await tx
        .update(segments)
        .set({ active: true, orderIndex: i, startTs: w.startTs, endTs: w.endTs })
        .where(eq(segments.id, w.id));
    }
  });
}

/**
 * Applies a rewrite inside the caller's unit of work (see variants.ts `acceptVariantRows`, which holds the
 * project's timeline lock while it plans and applies it).
 */
export async function rewriteTimeline(
  db: PgConn,
  active: readonly SegmentRow[],
  rewrite: TimelineRewrite,
): Promise<void> {
  await deactivate(db, rewrite.deactivate);
  if (rewrite.insert.length > 0) await db.insert(segments).values([...rewrite.insert]);
  const existing = new Map(active.map((s) => [s.id, s.orderIndex]));
  // New rows were inserted at their place; only the existing ones may need a new number.
  await writeOrder(
    db,
    rewrite.order.map((id, index) => ({ id, orderIndex: existing.get(id) ?? index })),
  );
}
