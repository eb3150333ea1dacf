/**
 * The edit timeline. Two kinds of time:
 *
 * - SOURCE time: seconds in a segment's own media. A segment's `start_ts`/`end_ts` (and `split_ts`, trim
 *   times) are source times.
 * - TIMELINE time: seconds on the project timeline, which is the ACTIVE segments laid end to end in
 *   order_index order, the first starting at 0. Segment i covers [Tᵢ, Tᵢ + (end_tsᵢ − start_tsᵢ)), where Tᵢ
 *   is the sum of the lengths before it; the timeline's duration is the sum of all lengths. Preview `ts`,
 *   `start`, `end` and returned `timestamp`s are timeline times.
 *
 * The mapping is pure and lives in `./timeline/` (layout, locate, ranges, the one time tolerance), re-exported
 * here; the edits below run each change in ONE transaction and keep the active segments' order_index a clean
 * 0..n-1.
 */
import type { Segment } from "@dailies/shared";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import type { Db } from "../db/client.js";
import { assetVersions, media, scenes, segments } from "../db/schema.js";
import { badRequest, conflict, HttpError, invalidPayload, notFound } from "../errors.js";
import { newId } from "../ids.js";
import { findMedia } from "../repositories/media.js";
import { findProject, type ProjectRow } from "./access.js";
import { activeSegments, type MediaRow, type SegmentRow, segmentView } from "./projectMedia.js";
import { insertAt, layoutTimeline, TIME_EPSILON, type TimelineLayout } from "./timeline/index.js";

export * from "./timeline/index.js";

/** The timeline time semantics, for the OpenAPI descriptions of the preview routes. */
export const TIMELINE_TIME_DOC =
  "Timeline time: seconds on the project timeline, which is the ACTIVE segments laid end to end in order_index " +
  "order starting at 0; segment i covers [Tᵢ, Tᵢ + end_ts − start_ts) where Tᵢ (its `timeline_start`) is the sum " +
  "of the lengths before it, and the timeline's end (ts = duration) shows the last segment's last frame. " +
  "A segment's start_ts/end_ts are times in its source media.";

/** Adds a message to a fieldErrors map. */
export function addFieldError(errors: Record<string, string[]>, field: string, message: string): void {
  errors[field] = [...(errors[field] ?? []), message];
}

// ---------------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------------

/** The project's active segments with their timeline layout. */
export function projectTimeline(db: Db, projectId: string): TimelineLayout<SegmentRow> {
  return layoutTimeline(activeSegments(db, projectId));
}

/** Segment views of the whole active timeline, with `timeline_start`. */
export function timelineViews(deps: AppDeps, projectId: string): { segments: Segment[]; duration: number } {
  const layout = projectTimeline(deps.db, projectId);
  const rows = mediaById(
    deps.db,
    layout.entries.map((e) => e.segment.mediaId),
  );
  return {
    segments: layout.entries.map((e) => segmentView(deps, e.segment, e.start, rows.get(e.segment.mediaId))),
    duration: layout.duration,
  };
}

export function mediaById(db: Db, ids: readonly string[]): Map<string, MediaRow> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map(
    db
      .select()
      .from(media)
      .where(inArray(media.id, unique))
      .all()
      .map((m) => [m.id, m]),
  );
}

/** The view of one segment, with its timeline start when it is active. */
export function viewOf(deps: AppDeps, row: SegmentRow): Segment {
  if (!row.active) return segmentView(deps, row, null);
  const entry = projectTimeline(deps.db, row.projectId).entries.find((e) => e.segment.id === row.id);
  return segmentView(deps, row, entry?.start ?? null);
}

/** A segment of a project the user can see; anything else is 404. */
export function requireSegment(
  db: Db,
  auth: AuthContext,
  segmentId: string,
): { segment: SegmentRow; project: ProjectRow } {
  const segment = db.select().from(segments).where(eq(segments.id, segmentId)).get();
  const project = segment && findProject(db, auth, segment.projectId);
  if (!segment || !project) throw notFound("Segment");
  return { segment, project };
}

/** Editing a segment that is no longer on the timeline is a conflict: the client's view is stale. */
export function assertActive(segment: SegmentRow): void {
  if (!segment.active)
    throw conflict("Segment is inactive: it was split, graded, replaced or deleted", {
      segment_id: segment.id,
      active: false,
    });
}

// ---------------------------------------------------------------------------------------------------------
// Edits (each one transaction)
// ---------------------------------------------------------------------------------------------------------

/** Writes order_index 0..n-1 for the given active segment ids, touching only rows that change. */
function writeOrder(tx: Db, ordered: readonly { id: string; orderIndex: number }[]): void {
  ordered.forEach((row, i) => {
    if (row.orderIndex !== i) tx.update(segments).set({ orderIndex: i }).where(eq(segments.id, row.id)).run();
  });
}

/** Re-reads the segment inside the transaction, so a concurrent edit is seen (409) rather than overwritten. */
function lockActive(tx: Db, segmentId: string): SegmentRow {
  const fresh = tx.select().from(segments).where(eq(segments.id, segmentId)).get();
  if (!fresh) throw notFound("Segment");
  assertActive(fresh);
  return fresh;
}

type NewSegment = Omit<typeof segments.$inferInsert, "id" | "orderIndex" | "projectId">;

/**
 * Replaces one active segment by `replacements` at its place (the original is deactivated and kept), or
 * with `replaceId` null inserts them at `position`. Returns the inserted rows.
 */
export function replaceOnTimeline(
  tx: Db,
  projectId: string,
  change: { replaceId: string | null; position?: number; replacements: NewSegment[] },
): SegmentRow[] {
  const current = activeSegments(tx, projectId);
  let position = change.position ?? current.length;
  if (change.replaceId !== null) {
    position = current.findIndex((s) => s.id === change.replaceId);
    if (position < 0) throw conflict("Segment is inactive", { segment_id: change.replaceId, active: false });
    tx.update(segments).set({ active: false }).where(eq(segments.id, change.replaceId)).run();
  }
  const rest = current.filter((s) => s.id !== change.replaceId);
  const at = Math.max(0, Math.min(rest.length, position));
  const inserted = change.replacements.map((values, i) =>
    tx
      .insert(segments)
      .values({ ...values, id: newId("seg"), projectId, orderIndex: at + i, active: true })
      .returning()
      .get(),
  );
  writeOrder(tx, insertAt(rest, at, inserted));
  return inserted;
}

/** The fields a derived segment copies from its parent. */
function inherit(parent: SegmentRow): NewSegment {
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

/** Split at a source time strictly inside the segment: the original is deactivated, left and right take its place. */
export function splitSegment(deps: AppDeps, segmentId: string, splitTs: number): { left: Segment; right: Segment } {
  const [left, right] = deps.db.transaction((tx) => {
    const seg = lockActive(tx, segmentId);
    if (!(splitTs > seg.startTs + TIME_EPSILON && splitTs < seg.endTs - TIME_EPSILON))
      throw invalidPayload({
        split_ts: [`Must be strictly between the segment's start_ts (${seg.startTs}) and end_ts (${seg.endTs})`],
      });
    return replaceOnTimeline(tx, seg.projectId, {
      replaceId: seg.id,
      replacements: [
        { ...inherit(seg), endTs: splitTs },
        { ...inherit(seg), startTs: splitTs },
      ],
    });
  });
  return { left: viewOf(deps, left as SegmentRow), right: viewOf(deps, right as SegmentRow) };
}

/**
 * Trim in place to [newStart, newEnd] inside the segment's current bounds (trimming only shortens; to
 * lengthen, add the media again with POST /api/project/{id}/segments).
 */
export function trimSegment(deps: AppDeps, segmentId: string, newStart: number, newEnd: number): Segment {
  const row = deps.db.transaction((tx) => {
    const seg = lockActive(tx, segmentId);
    const errors: Record<string, string[]> = {};
    if (newStart < seg.startTs - TIME_EPSILON || newStart > seg.endTs + TIME_EPSILON)
      errors.new_start_ts = [`Must be within the segment's bounds ${seg.startTs}..${seg.endTs}`];
    if (newEnd < seg.startTs - TIME_EPSILON || newEnd > seg.endTs + TIME_EPSILON)
      errors.new_end_ts = [`Must be within the segment's bounds ${seg.startTs}..${seg.endTs}`];
    if (!(newEnd > newStart + TIME_EPSILON)) addFieldError(errors, "new_end_ts", "Must be greater than new_start_ts");
    if (Object.keys(errors).length > 0) throw invalidPayload(errors);
    return tx
      .update(segments)
      .set({ startTs: Math.max(seg.startTs, newStart), endTs: Math.min(seg.endTs, newEnd) })
      .where(eq(segments.id, seg.id))
      .returning()
      .get();
  });
  return viewOf(deps, row);
}

/** Soft delete: the row stays (active: false), the rest of the timeline closes up. */
export function deleteSegment(deps: AppDeps, segmentId: string): void {
  deps.db.transaction((tx) => {
    const seg = lockActive(tx, segmentId);
    tx.update(segments).set({ active: false }).where(eq(segments.id, seg.id)).run();
    writeOrder(tx, activeSegments(tx, seg.projectId));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Building the timeline from the film's material
// ---------------------------------------------------------------------------------------------------------

/** A stored, probed video of this project that can be cut (400 when not). */
export function requireCuttableMedia(row: MediaRow | undefined, projectId: string, field: string): MediaRow {
  if (!row || row.projectId !== projectId) throw new HttpError(404, "Media not found", { field });
  if (row.status !== "ready" || !row.path)
    throw conflict("The media is not ready yet", { [field]: row.id, status: row.status });
  if (row.kind !== "video" || !row.durationSec)
    throw badRequest("Only a video with a known duration can be a segment", {
      fieldErrors: { [field]: [`Media ${row.id} is ${row.kind ?? "unknown"}, not a probed video`] },
    });
  return row;
}

export interface AddSegmentInput {
  mediaId?: string | undefined;
  assetVersionId?: string | undefined;
  startTs?: number | undefined;
  endTs?: number | undefined;
  orderIndex?: number | undefined;
}

/** The media of a captured version of this project whose file the server mirrored. */
export function mediaOfAssetVersion(db: Db, projectId: string, assetVersionId: string): { media: MediaRow } {
  const asset = db.select().from(assetVersions).where(eq(assetVersions.id, assetVersionId)).get();
  if (!asset || asset.projectId !== projectId) throw new HttpError(404, "Asset version not found");
  if (!asset.mediaId)
    throw conflict("The version's media has not been mirrored yet", {
      asset_version_id: asset.id,
      mirror_status: asset.mirrorStatus,
    });
  const row = findMedia(db, asset.mediaId);
  return { media: requireCuttableMedia(row, projectId, "asset_version_id") };
}

/** Appends (or inserts before `orderIndex`) one segment with optional in/out points. */
export function addSegment(deps: AppDeps, project: ProjectRow, input: AddSegmentInput): Segment {
  const { db } = deps;
  const source = input.assetVersionId
    ? mediaOfAssetVersion(db, project.id, input.assetVersionId).media
    : requireCuttableMedia(findMedia(db, input.mediaId ?? ""), project.id, "media_id");
  const duration = source.durationSec as number;
  const start = input.startTs ?? 0;
  const end = input.endTs ?? duration;
  const errors: Record<string, string[]> = {};
  if (start > duration + TIME_EPSILON) errors.start_ts = [`Must be within the media's duration 0..${duration}`];
  if (end > duration + TIME_EPSILON) errors.end_ts = [`Must be within the media's duration 0..${duration}`];
  if (!(end > start + TIME_EPSILON)) addFieldError(errors, "end_ts", "Must be greater than start_ts");
  if (Object.keys(errors).length > 0) throw invalidPayload(errors);
  const [row] = db.transaction((tx) =>
    replaceOnTimeline(tx, project.id, {
      replaceId: null,
      ...(input.orderIndex !== undefined ? { position: input.orderIndex } : {}),
      replacements: [
        {
          mediaId: source.id,
          startTs: start,
          endTs: Math.min(end, duration),
          source: "original",
          assetVersionId: input.assetVersionId ?? null,
        },
      ],
    }),
  );
  return viewOf(deps, row as SegmentRow);
}

/**
 * The timeline from the film's material: for each scene in scene order (sort order, then code), its
 * selected VIDEO version (the newest selected one), else its newest VIDEO version, when its media was
 * mirrored and is a video. The current active segments are deactivated (kept) and the new ones take their
 * place, all in one transaction. 409 when no scene has a usable version (the timeline is left as it was).
 */
export function assembleTimeline(
  deps: AppDeps,
  project: ProjectRow,
  sceneCodes?: readonly string[],
): { segments: Segment[]; skipped: { scene_id: string; reason: string }[]; duration: number } {
  const { db } = deps;
  const wanted = sceneCodes ? new Set(sceneCodes.map((c) => c.toUpperCase())) : null;
  const sceneRows = db
    .select()
    .from(scenes)
    .where(eq(scenes.projectId, project.id))
    .orderBy(asc(scenes.sortOrder), asc(scenes.sceneCode))
    .all()
    .filter((s) => !wanted || wanted.has(s.sceneCode));
  if (wanted) {
    const known = new Set(sceneRows.map((s) => s.sceneCode));
    const unknown = [...wanted].filter((c) => !known.has(c));
    if (unknown.length > 0) throw invalidPayload({ scene_ids: [`Unknown scene(s): ${unknown.join(", ")}`] });
  }

  const picks: { scene: string; asset: typeof assetVersions.$inferSelect; media: MediaRow }[] = [];
  const skipped: { scene_id: string; reason: string }[] = [];
  for (const scene of sceneRows) {
    const versions = db
      .select()
      .from(assetVersions)
      .where(and(eq(assetVersions.sceneId, scene.id), eq(assetVersions.assetType, "VIDEO")))
      .orderBy(desc(assetVersions.selected), desc(assetVersions.createdAt), desc(assetVersions.versionNumber))
      .all();
    const chosen = versions[0];
    if (!chosen) {
      skipped.push({ scene_id: scene.sceneCode, reason: "no VIDEO version" });
      continue;
    }
    const row = chosen.mediaId ? findMedia(db, chosen.mediaId) : undefined;
    if (row?.status !== "ready" || !row.path) {
      skipped.push({
        scene_id: scene.sceneCode,
        reason: `version ${chosen.versionNumber} is not mirrored (${chosen.mirrorStatus})`,
      });
      continue;
    }
    if (row.kind !== "video" || !row.durationSec) {
      skipped.push({ scene_id: scene.sceneCode, reason: `version ${chosen.versionNumber} is not a probed video` });
      continue;
    }
    picks.push({ scene: scene.sceneCode, asset: chosen, media: row });
  }
  if (picks.length === 0) throw conflict("No scene has a usable VIDEO version: the timeline is unchanged", { skipped });

  db.transaction((tx) => {
    tx.update(segments)
      .set({ active: false })
      .where(and(eq(segments.projectId, project.id), eq(segments.active, true)))
      .run();
    replaceOnTimeline(tx, project.id, {
      replaceId: null,
      position: 0,
      replacements: picks.map((p) => ({
        mediaId: p.media.id,
        startTs: 0,
        endTs: p.media.durationSec as number,
        source: "original" as const,
        assetVersionId: p.asset.id,
      })),
    });
  });
  return { ...timelineViews(deps, project.id), skipped };
}
