import type { AppDeps } from "../context.js";
import { insertFirstSegment, type MediaRow, type SegmentRow } from "../repositories/media.js";

/** The first video of a project with no timeline becomes one active segment covering all of it. */
export function addFirstSegmentIfEmpty(db: AppDeps["db"], projectId: string, row: MediaRow): SegmentRow | undefined {
  if (row.kind !== "video" || !row.durationSec) return undefined;
  return insertFirstSegment(db, projectId, row.id, row.durationSec);
}
