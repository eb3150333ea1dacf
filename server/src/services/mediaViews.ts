import type { Media, Segment } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import type { MediaRow, SegmentRow } from "../repositories/media.js";

/** A signed link to a stored file, served by routes/media.ts. */
export function mediaUrl(deps: AppDeps, row: Pick<MediaRow, "id" | "path" | "status">): string | null {
  if (row.status !== "ready" || !row.path) return null;
  const { exp, sig } = deps.signer.sign("media", row.id);
  return `${deps.publicUrl()}/media/${row.id}?exp=${exp}&sig=${sig}`;
}

export const mediaView = (deps: AppDeps, m: MediaRow): Media => ({
  id: m.id,
  origin: m.origin,
  status: m.status,
  kind: m.kind,
  mime: m.mime,
  bytes: m.bytes,
  duration: m.durationSec,
  width: m.width,
  height: m.height,
  fps: m.fps,
  video_codec: m.videoCodec,
  audio_codec: m.audioCodec,
  has_audio: m.hasAudio,
  file_name: m.fileName,
  url: mediaUrl(deps, m),
  error: m.error,
  created_at: m.createdAt,
});

export async function segmentView(
  deps: AppDeps,
  s: SegmentRow,
  timelineStart: number | null,
  source?: MediaRow,
): Promise<Segment> {
  const mediaRow = source ?? (await deps.repos.media.findMedia(s.mediaId));
  return {
    id: s.id,
    project_id: s.projectId,
    media_id: s.mediaId,
    start_ts: s.startTs,
    end_ts: s.endTs,
    source: s.source,
    url: mediaRow ? mediaUrl(deps, mediaRow) : null,
    variant_id: s.variantId,
    order_index: s.orderIndex,
    active: s.active,
    timeline_start: timelineStart,
  };
}
