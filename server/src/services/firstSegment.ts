import type { Repos } from "../repositories/index.js";
import type { MediaRow, SegmentRow } from "../repositories/media.js";

/** The first video of a project with no timeline becomes one active segment covering all of it. */
export async function addFirstSegmentIfEmpty(
  repos: Repos,
  projectId: string,
  row: MediaRow,
): Promise<SegmentRow | undefined> {
  if (row.kind !== "video" || !row.durationSec) return undefined;
  return repos.media.insertFirstSegment(projectId, row.id, row.durationSec);
}
