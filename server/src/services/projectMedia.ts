import { type Media, type ProjectDetails, projectDetailsSchema, type Segment } from "@dailies/shared";
import { and, asc, eq, sql } from "drizzle-orm";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import type { Db } from "../db/client.js";
import { media, segments } from "../db/schema.js";
import { HttpError, unavailable } from "../errors.js";
import { newId } from "../ids.js";
import { FfmpegError, FfmpegMissingError, type FfmpegRunner } from "../media/ffmpeg.js";
import { UNSUPPORTED_MEDIA, UnsafeInputError } from "../media/inputPolicy.js";
import { FrameNotFoundError } from "../media/operations.js";
import { checkDecodable } from "../media/validate.js";
import { isDownloadError } from "../net/index.js";
import type { JobContext } from "../ports/jobs.js";
import { RetryableJobError } from "../ports/jobs.js";
import { findMedia } from "../repositories/media.js";
import type { ProjectRow } from "./access.js";
import { mirrorUrl } from "./mirror.js";
import { projectView } from "./projects.js";

export { projectDetailsSchema };
export const IMPORT_VIDEO_JOB = "import-video";

export type MediaRow = typeof media.$inferSelect;

export type SegmentRow = typeof segments.$inferSelect;

export const FFMPEG_MISSING_MESSAGE = "ffmpeg is not available: install ffmpeg or set FFMPEG_PATH";

function ffmpegMissing(deps: AppDeps, reason?: string): HttpError {
  const d = deps.ffmpegDetection;
  // Which paths were tried and why they failed go to the log (the error's cause), never to the client.
  const error = unavailable(FFMPEG_MISSING_MESSAGE, {
    hint: "Debian/Ubuntu: apt-get install ffmpeg; or set FFMPEG_PATH and FFPROBE_PATH, then restart",
  });
  error.cause = { ffmpegPath: d.ffmpegPath, ffprobePath: d.ffprobePath, reason: reason ?? d.error ?? null };
  return error;
}

/** The ffmpeg runner, or a 503 in the error shape when none was found at start. */
export function requireFfmpeg(deps: AppDeps): FfmpegRunner {
  if (!deps.ffmpeg) throw ffmpegMissing(deps);
  return deps.ffmpeg;
}

/** Media errors as HTTP errors: ffmpeg gone → 503, no frame there → 422, ffmpeg refused the file → 422. */
export function mediaFailure(error: unknown, deps?: AppDeps): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof FfmpegMissingError)
    return deps ? ffmpegMissing(deps, error.message) : unavailable(FFMPEG_MISSING_MESSAGE);
  if (error instanceof FrameNotFoundError) return new HttpError(422, error.message, { at: error.atSec });
  if (error instanceof FfmpegError) {
    const failure = new HttpError(
      422,
      error.timedOut ? "Processing the media took too long" : "The media could not be processed",
    );
    failure.cause = error;
    return failure;
  }
  if (error instanceof UnsafeInputError) {
    const failure = new HttpError(422, "The media could not be processed");
    failure.cause = error;
    return failure;
  }
  return error;
}

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

export function segmentView(deps: AppDeps, s: SegmentRow, timelineStart: number | null, source?: MediaRow): Segment {
  const mediaRow = source ?? findMedia(deps.db, s.mediaId);
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

export function activeSegments(db: Db, projectId: string): SegmentRow[] {
  return db
    .select()
    .from(segments)
    .where(and(eq(segments.projectId, projectId), eq(segments.active, true)))
    .orderBy(asc(segments.orderIndex), asc(segments.createdAt))
    .all();
}

export function projectDetails(deps: AppDeps, project: ProjectRow, sceneCount: number): ProjectDetails {
  const { db } = deps;
  const mediaRows = db
    .select()
    .from(media)
    .where(and(eq(media.projectId, project.id), sql`${media.origin} in ('upload', 'mirror')`))
    .orderBy(asc(media.createdAt))
    .all();
  const byId = new Map(mediaRows.map((m) => [m.id, m]));
  let cursor = 0;
  const timeline = activeSegments(db, project.id).map((s) => {
    const view = segmentView(deps, s, cursor, byId.get(s.mediaId));
    cursor += s.endTs - s.startTs;
    return view;
  });
  return {
    ...projectView(project, sceneCount),
    media: mediaRows.map((m) => mediaView(deps, m)),
    segments: timeline,
    duration: cursor,
  };
}

/** The first video of a project with no timeline becomes one active segment covering all of it. */
export function addFirstSegmentIfEmpty(db: Db, projectId: string, row: MediaRow): SegmentRow | undefined {
  if (row.kind !== "video" || !row.durationSec) return undefined;
  return db.transaction((tx) => {
    if (tx.select({ id: segments.id }).from(segments).where(eq(segments.projectId, projectId)).get()) return undefined;
    return tx
      .insert(segments)
      .values({
        id: newId("seg"),
        projectId,
        mediaId: row.id,
        startTs: 0,
        endTs: row.durationSec!,
        orderIndex: 0,
        source: "original",
      })
      .returning()
      .get();
  });
}

/** Deletes a stored file that no media row points at any more (a refused import's download). */
async function removeIfUnreferenced(deps: AppDeps, rel: string): Promise<void> {
  const still = deps.db.select({ id: media.id }).from(media).where(eq(media.path, rel)).get();
  if (!still) await deps.files.remove(rel);
}

export function startProjectVideoImport(deps: AppDeps, auth: AuthContext, projectId: string, url: string): void {
  deps.jobs.enqueue({
    kind: IMPORT_VIDEO_JOB,
    input: { url },
    userId: auth.user.id,
    workspaceId: auth.workspaceId,
    projectId,
    maxAttempts: deps.config.DAILIES_MIRROR_MAX_ATTEMPTS,
  });
}

/**
 * Job handler: downloads a project's `video_url` (mirroring's address guard, size and time limits), checks
 * with ffprobe and a decode that it is a video, and puts it on the empty timeline. A file that is not a
 * decodable video fails the job, and its media row is marked failed.
 */
export async function importVideoJob(deps: AppDeps, ctx: JobContext): Promise<unknown> {
  const projectId = ctx.job.projectId!;
  if (!deps.ffmpeg) throw new Error(FFMPEG_MISSING_MESSAGE);
  const runner = deps.ffmpeg;
  try {
    const row = await mirrorUrl(deps, String(ctx.job.input.url), {
      projectId,
      accept: { video: true },
      signal: ctx.signal,
    });
    const file = deps.files.absolute(row.path as string);
    const problem =
      row.kind !== "video" || !row.durationSec
        ? "no video stream with a duration"
        : await checkDecodable(runner, file, "video").then(
            () => null,
            (error: unknown) =>
              error instanceof FfmpegError && error.timedOut ? "reading the file took too long" : UNSUPPORTED_MEDIA,
          );
    if (problem) {
      deps.db
        .update(media)
        .set({ status: "failed", error: `Not a decodable video: ${problem}`, path: null })
        .where(eq(media.id, row.id))
        .run();
      await removeIfUnreferenced(deps, row.path as string);
      throw new Error(`video_url is not a decodable video: ${problem}`);
    }
    const segment = addFirstSegmentIfEmpty(deps.db, projectId, row);
    return { mediaId: row.id, segmentId: segment?.id ?? null };
  } catch (error) {
    if (isDownloadError(error) && error.retryable) throw new RetryableJobError(error.message);
    throw error;
  }
}
