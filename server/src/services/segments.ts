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
 * The segments behind /api/segment/{id}/* and /api/project/{id}/segments: reading the timeline, splitting,
 * trimming, removing, adding and assembling segments. The mapping between the two times is pure and lives in
 * `./timeline/` (layout, locate, ranges, the one time tolerance); every edit is one unit of work in
 * `repositories/segments.ts`, which runs its transaction and keeps the active segments' order_index 0..n-1.
 * The decisions (what is valid, what answers 4xx) stay here and run on the rows read inside that transaction.
 */
import type { Segment } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { badRequest, conflict, HttpError, invalidPayload, notFound } from "../errors.js";
import type { Repos } from "../repositories/index.js";
import type { MediaRow } from "../repositories/media.js";
import type { NewSegment, SegmentRow } from "../repositories/segments.js";
import { type ProjectRow, requireVisible } from "./access.js";
import { segmentView } from "./mediaViews.js";
import { layoutTimeline, TIME_EPSILON, type TimelineLayout } from "./timeline/index.js";

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
export async function projectTimeline(repos: Repos, projectId: string): Promise<TimelineLayout<SegmentRow>> {
  return layoutTimeline(await repos.segments.activeSegments(projectId));
}

/** Segment views of the whole active timeline, with `timeline_start`. */
export async function timelineViews(
  deps: AppDeps,
  projectId: string,
): Promise<{ segments: Segment[]; duration: number }> {
  const layout = await projectTimeline(deps.repos, projectId);
  const rows = await mediaById(
    deps.repos,
    layout.entries.map((e) => e.segment.mediaId),
  );
  return {
    segments: await Promise.all(
      layout.entries.map((e) => segmentView(deps, e.segment, e.start, rows.get(e.segment.mediaId))),
    ),
    duration: layout.duration,
  };
}

export async function mediaById(repos: Repos, ids: readonly string[]): Promise<Map<string, MediaRow>> {
  return new Map((await repos.media.findMediaMany([...new Set(ids)])).map((m) => [m.id, m]));
}

/** The view of one segment, with its timeline start when it is active. */
export async function viewOf(deps: AppDeps, row: SegmentRow): Promise<Segment> {
  if (!row.active) return await segmentView(deps, row, null);
  const entry = (await projectTimeline(deps.repos, row.projectId)).entries.find((e) => e.segment.id === row.id);
  return await segmentView(deps, row, entry?.start ?? null);
}

/** A segment of a project the user can see; anything else is 404. */
export async function requireSegment(
  repos: Repos,
  auth: AuthContext,
  segmentId: string,
): Promise<{ segment: SegmentRow; project: ProjectRow }> {
  const { row: segment, project } = await requireVisible(
    repos,
    auth,
    await repos.segments.findSegment(segmentId),
    "Segment",
  );
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

/** The segment as an edit finds it inside its transaction: 404 when gone, 409 when no longer active. */
export function requireActive(fresh: SegmentRow | undefined): SegmentRow {
  if (!fresh) throw notFound("Segment");
  assertActive(fresh);
  return fresh;
}

// ---------------------------------------------------------------------------------------------------------
// Edits (each one unit of work)
// ---------------------------------------------------------------------------------------------------------

/** Split at a source time strictly inside the segment: the original is deactivated, left and right take its place. */
export async function splitSegment(
  deps: AppDeps,
  segmentId: string,
  splitTs: number,
): Promise<{ left: Segment; right: Segment }> {
  const [left, right] = await deps.repos.segments.splitSegmentRows(segmentId, splitTs, (fresh) => {
    const seg = requireActive(fresh);
    if (!(splitTs > seg.startTs + TIME_EPSILON && splitTs < seg.endTs - TIME_EPSILON))
      throw invalidPayload({
        split_ts: [`Must be strictly between the segment's start_ts (${seg.startTs}) and end_ts (${seg.endTs})`],
      });
    return seg;
  });
  return { left: await viewOf(deps, left), right: await viewOf(deps, right) };
}

/**
 * Trim in place to [newStart, newEnd] inside the segment's current bounds (trimming only shortens; to
 * lengthen, add the media again with POST /api/project/{id}/segments).
 */
export async function trimSegment(
  deps: AppDeps,
  segmentId: string,
  newStart: number,
  newEnd: number,
): Promise<Segment> {
  const row = await deps.repos.segments.trimSegmentRow(segmentId, (fresh) => {
    const seg = requireActive(fresh);
    const errors: Record<string, string[]> = {};
    if (newStart < seg.startTs - TIME_EPSILON || newStart > seg.endTs + TIME_EPSILON)
      errors.new_start_ts = [`Must be within the segment's bounds ${seg.startTs}..${seg.endTs}`];
    if (newEnd < seg.startTs - TIME_EPSILON || newEnd > seg.endTs + TIME_EPSILON)
      errors.new_end_ts = [`Must be within the segment's bounds ${seg.startTs}..${seg.endTs}`];
    if (!(newEnd > newStart + TIME_EPSILON)) addFieldError(errors, "new_end_ts", "Must be greater than new_start_ts");
    if (Object.keys(errors).length > 0) throw invalidPayload(errors);
    return { segment: seg, startTs: Math.max(seg.startTs, newStart), endTs: Math.min(seg.endTs, newEnd) };
  });
  return await viewOf(deps, row);
}

/** Soft delete: the row stays (active: false), the rest of the timeline closes up. */
export async function deleteSegment(deps: AppDeps, segmentId: string): Promise<void> {
  await deps.repos.segments.removeSegmentRow(segmentId, requireActive);
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
export async function mediaOfAssetVersion(
  repos: Repos,
  projectId: string,
  assetVersionId: string,
): Promise<{ media: MediaRow }> {
  const asset = await repos.assetVersions.assetById(assetVersionId);
  if (!asset || asset.projectId !== projectId) throw new HttpError(404, "Asset version not found");
  if (!asset.mediaId)
    throw conflict("The version's media has not been mirrored yet", {
      asset_version_id: asset.id,
      mirror_status: asset.mirrorStatus,
    });
  const row = await repos.media.findMedia(asset.mediaId);
  return { media: requireCuttableMedia(row, projectId, "asset_version_id") };
}

/** Appends (or inserts before `orderIndex`) one segment with optional in/out points. */
export async function addSegment(deps: AppDeps, project: ProjectRow, input: AddSegmentInput): Promise<Segment> {
  const { repos } = deps;
  const source = input.assetVersionId
    ? (await mediaOfAssetVersion(repos, project.id, input.assetVersionId)).media
    : requireCuttableMedia(await repos.media.findMedia(input.mediaId ?? ""), project.id, "media_id");
  const duration = source.durationSec as number;
  const start = input.startTs ?? 0;
  const end = input.endTs ?? duration;
  const errors: Record<string, string[]> = {};
  if (start > duration + TIME_EPSILON) errors.start_ts = [`Must be within the media's duration 0..${duration}`];
  if (end > duration + TIME_EPSILON) errors.end_ts = [`Must be within the media's duration 0..${duration}`];
  if (!(end > start + TIME_EPSILON)) addFieldError(errors, "end_ts", "Must be greater than start_ts");
  if (Object.keys(errors).length > 0) throw invalidPayload(errors);
  const [row] = await repos.segments.insertSegmentRows(project.id, input.orderIndex, [
    wholeVideo(source, input.assetVersionId ?? null, start, Math.min(end, duration)),
  ]);
  return await viewOf(deps, row as SegmentRow);
}

/** An original segment of a stored video. */
function wholeVideo(source: MediaRow, assetVersionId: string | null, startTs: number, endTs: number): NewSegment {
  return { mediaId: source.id, startTs, endTs, source: "original", assetVersionId };
}

/**
 * The timeline from the film's material: for each scene in scene order (sort order, then code), its
 * selected VIDEO version (the newest selected one), else its newest VIDEO version, when its media was
 * mirrored and is a video. The current active segments are deactivated (kept) and the new ones take their
 * place, all in one transaction. 409 when no scene has a usable version (the timeline is left as it was).
 */
export async function assembleTimeline(
  deps: AppDeps,
  project: ProjectRow,
  sceneCodes?: readonly string[],
): Promise<{ segments: Segment[]; skipped: { scene_id: string; reason: string }[]; duration: number }> {
  const { repos } = deps;
  const wanted = sceneCodes ? new Set(sceneCodes.map((c) => c.toUpperCase())) : null;
  const sceneRows = (await repos.scenes.scenesOfProject(project.id)).filter((s) => !wanted || wanted.has(s.sceneCode));
  if (wanted) {
    const known = new Set(sceneRows.map((s) => s.sceneCode));
    const unknown = [...wanted].filter((c) => !known.has(c));
    if (unknown.length > 0) throw invalidPayload({ scene_ids: [`Unknown scene(s): ${unknown.join(", ")}`] });
  }

  const picks: NewSegment[] = [];
  const skipped: { scene_id: string; reason: string }[] = [];
  for (const scene of sceneRows) {
    const chosen = await repos.assetVersions.pickedVideoOfScene(scene.id);
    if (!chosen) {
      skipped.push({ scene_id: scene.sceneCode, reason: "no VIDEO version" });
      continue;
    }
    const row = chosen.mediaId ? await repos.media.findMedia(chosen.mediaId) : undefined;
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
    picks.push(wholeVideo(row, chosen.id, 0, row.durationSec));
  }
  if (picks.length === 0) throw conflict("No scene has a usable VIDEO version: the timeline is unchanged", { skipped });

  await repos.segments.replaceTimelineRows(project.id, picks);
  return { ...(await timelineViews(deps, project.id)), skipped };
}
