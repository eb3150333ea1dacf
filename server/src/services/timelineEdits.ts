/**
 * Timeline edits the web editor adds to the editing reference: reorder, and restoring a snapshot (the server
 * half of undo/redo). Each is one unit of work in repositories/segments.ts (one transaction, the active
 * segments' order_index left 0..n-1); the checks here run on the timeline as read inside it.
 *
 * Undo/redo design: the client keeps a stack of { before, after } snapshots (segment ids with their source
 * in/out times). Undo restores `before` when the timeline still equals `after`; redo the reverse. Every edit
 * deactivates rather than deletes, so any earlier snapshot's rows still exist and can be switched back on.
 */
import type { TimelineEntry } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import { conflict, invalidPayload } from "../errors.js";
import type { SegmentRow } from "../repositories/segments.js";
import type { ProjectRow } from "./access.js";
import { timelineViews } from "./segments.js";
import { sameTime, TIME_EPSILON } from "./timeline/index.js";

const staleTimeline = (details: Record<string, unknown>) =>
  conflict("The timeline changed since this view was loaded (another edit came first); reload it", details);

/** True when `a` and `b` list the same segments in the same order with the same times. */
export function sameTimeline(
  a: readonly TimelineEntry[],
  b: readonly { id: string; startTs: number; endTs: number }[],
): boolean {
  return (
    a.length === b.length &&
    a.every(
      (e, i) =>
        e.id === b[i]?.id &&
        sameTime(e.start_ts, b[i]?.startTs ?? Number.NaN) &&
        sameTime(e.end_ts, b[i]?.endTs ?? Number.NaN),
    )
  );
}

/** New order of the active segments: the ids must be exactly the active set (409 otherwise). */
export async function reorderSegments(deps: AppDeps, project: ProjectRow, ids: readonly string[]) {
  await deps.repos.segments.reorderSegmentRows(project.id, ids, (current) => {
    const known = new Set(current.map((s) => s.id));
    const given = new Set(ids);
    if (given.size !== ids.length) throw invalidPayload({ segment_ids: ["Each segment may appear only once"] });
    if (given.size !== known.size || ids.some((id) => !known.has(id)))
      throw staleTimeline({ active_segment_ids: current.map((s) => s.id) });
  });
  return await timelineViews(deps, project.id);
}

/** Makes exactly `wanted` the active timeline (with their times) when the current one equals `expected`. */
export async function restoreTimeline(
  deps: AppDeps,
  project: ProjectRow,
  wanted: readonly TimelineEntry[],
  expected: readonly TimelineEntry[],
) {
  const times = wanted.map((w) => ({ id: w.id, startTs: w.start_ts, endTs: w.end_ts }));
  await deps.repos.segments.restoreTimelineRows(project.id, times, ({ current, rows, durations }) => {
    if (!sameTimeline(expected, current)) throw staleTimeline({ active_segment_ids: current.map((s) => s.id) });
    const ids = wanted.map((w) => w.id);
    if (new Set(ids).size !== ids.length) throw invalidPayload({ segments: ["Each segment may appear only once"] });
    const missing = ids.filter((id) => !rows.has(id));
    if (missing.length > 0) throw invalidPayload({ segments: [`Unknown segments: ${missing.join(", ")}`] });
    const errors: string[] = [];
    for (const w of wanted) {
      const limit = durations.get((rows.get(w.id) as SegmentRow).mediaId) ?? Number.POSITIVE_INFINITY;
      if (!(w.end_ts > w.start_ts + TIME_EPSILON) || w.end_ts > limit + TIME_EPSILON)
        errors.push(`${w.id}: times must satisfy 0 <= start_ts < end_ts <= ${limit}`);
    }
    if (errors.length > 0) throw invalidPayload({ segments: errors });
  });
  return await timelineViews(deps, project.id);
}
