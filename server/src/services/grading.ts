/**
 * Color grading of a segment (editing-api.md: grade-preview, color-grade).
 *
 * A grade is six offsets, 0 = unchanged (GRADE_PARAMS in media/args/grading.ts: ranges and ffmpeg mapping). Grades
 * are not cumulative: a graded segment keeps its ORIGINAL source media and times plus the grade, and a new
 * grade on it replaces the old one. Previews of a graded segment apply its grade; an export renders it.
 *
 * - grade-preview: one frame of the segment with the grade (cached like every frame, by content).
 * - color-grade: a job renders the segment with the grade in the export format (so the next export reuses
 *   that render), then one transaction deactivates the segment (kept) and puts a new active segment
 *   (source "graded") in its place. The route waits for the job and answers {segment_id, graded_url}.
 */
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { conflict, HttpError, invalidPayload } from "../errors.js";
import { newId } from "../ids.js";
import { GRADE_PARAM_NAMES, type GradeParams, gradeFilter } from "../media/args/index.js";
import type { JobContext } from "../ports/jobs.js";
import type { MediaRow } from "../repositories/media.js";
import type { SegmentRow } from "../repositories/segments.js";
import { ensurePart, projectOutputFormat } from "./exports.js";
import { FFMPEG_MISSING_MESSAGE, mediaFailure } from "./mediaFailures.js";
import { mediaUrl } from "./mediaViews.js";
import { ensureFrames, frameUrl, targetFor } from "./preview.js";
import { assertActive } from "./segments.js";
import { roundTime, sameTime, TIME_EPSILON } from "./timeline/index.js";

export const COLOR_GRADE_JOB = "color-grade";

/** Only the offsets that change something, in a stable order (the stored grade and cache keys use it). */
export function normalizeGrade(params: GradeParams): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of GRADE_PARAM_NAMES) {
    const v = params[name];
    if (v !== undefined && v !== 0) out[name] = v;
  }
  return out;
}

async function sourceOf(deps: AppDeps, segment: SegmentRow): Promise<MediaRow> {
  return (await deps.repos.media.findMedia(segment.mediaId)) as MediaRow;
}

/** POST /api/segment/{id}/grade-preview: one graded frame, at `at` (source time) or the segment's middle. */
export async function gradePreview(
  deps: AppDeps,
  segment: SegmentRow,
  params: GradeParams,
  at: number | undefined,
): Promise<{ preview_frame_url: string; source_ts: number }> {
  assertActive(segment);
  if (at !== undefined && (at < segment.startTs - TIME_EPSILON || at > segment.endTs + TIME_EPSILON))
    throw invalidPayload({ at: [`Must be within the segment ${segment.startTs}..${segment.endTs}`] });
  const time = at ?? (segment.startTs + segment.endTs) / 2;
  const target = targetFor(segment, await sourceOf(deps, segment), time, gradeFilter(params));
  const [key] = await ensureFrames(deps, [target]);
  return {
    preview_frame_url: frameUrl(deps, key as string, segment.projectId),
    source_ts: roundTime(target.index / target.fps),
  };
}

interface GradeOutcome {
  segment_id: string;
  graded_media_id: string;
}

/** Requests waiting for their color-grade job, by job id. */
const waiting = new Map<string, { resolve: (r: GradeOutcome) => void; reject: (e: unknown) => void }>();

/** How often a request whose grade runs in another process (DAILIES_ROLE=api, or another worker) reads its job. */
const JOB_POLL_MS = 200;

/**
 * The outcome of a grade job that another process runs, read from its row until it ends (`stop` ends the
 * reading once the job settled here). Its error is the job's message with 422: the HTTP status of a failure
 * raised in another process is not stored with the job.
 */
function jobOutcome(deps: AppDeps, jobId: string, stopped: () => boolean): Promise<GradeOutcome> {
  return new Promise((resolve, reject) => {
    const check = async () => {
      if (stopped()) return;
      const job = await deps.jobs.get(jobId);
      if (job?.status === "completed") resolve(job.result as GradeOutcome);
      else if (job?.status === "failed")
        reject(new HttpError(422, job.error ?? "The color grade failed", { job_id: jobId }));
      else setTimeout(check, JOB_POLL_MS).unref();
    };
    setTimeout(check, JOB_POLL_MS).unref();
  });
}

/**
 * POST /api/segment/{id}/color-grade: queues the render job and resolves when it is done (rejects with the
 * job's error, e.g. 409 when the segment was edited meanwhile).
 */
export async function startColorGrade(
  deps: AppDeps,
  auth: AuthContext,
  segment: SegmentRow,
  params: GradeParams,
): Promise<{ jobId: string; done: Promise<{ segment_id: string; graded_url: string; job_id: string }> }> {
  assertActive(segment);
  const job = await deps.jobs.enqueue({
    kind: COLOR_GRADE_JOB,
    input: { segmentId: segment.id, params: normalizeGrade(params), startTs: segment.startTs, endTs: segment.endTs },
    userId: auth.user.id,
    workspaceId: auth.workspaceId,
    projectId: segment.projectId,
  });
  // Whichever comes first: this process's worker ran it, or another process did (its row says so).
  let settled = false;
  const here = new Promise<GradeOutcome>((resolve, reject) => waiting.set(job.id, { resolve, reject }));
  const elsewhere = jobOutcome(deps, job.id, () => settled);
  const done = Promise.race([here, elsewhere])
    .finally(() => {
      settled = true;
      waiting.delete(job.id);
    })
    .then(async (outcome) => {
      const row = await deps.repos.media.findMedia(outcome.graded_media_id);
      return { segment_id: outcome.segment_id, graded_url: row ? (mediaUrl(deps, row) ?? "") : "", job_id: job.id };
    });
  // The losing side may settle later; nobody waits for it.
  here.catch(() => {});
  elsewhere.catch(() => {});
  return { jobId: job.id, done };
}

/** Job handler: render with the grade, then swap the segment for its graded replacement. */
export async function colorGradeJob(deps: AppDeps, ctx: JobContext): Promise<GradeOutcome> {
  const waiter = waiting.get(ctx.job.id);
  waiting.delete(ctx.job.id);
  try {
    const outcome = await runColorGrade(deps, ctx);
    waiter?.resolve(outcome);
    return outcome;
  } catch (error) {
    const mapped = mediaFailure(error, deps);
    waiter?.reject(mapped);
    throw mapped;
  }
}

async function runColorGrade(deps: AppDeps, ctx: JobContext): Promise<GradeOutcome> {
  if (!deps.ffmpeg) throw new Error(FFMPEG_MISSING_MESSAGE);
  const input = ctx.job.input as { segmentId: string; params: Record<string, number>; startTs: number; endTs: number };
  // The segment must still be as it was queued: graded meanwhile or trimmed is a conflict (grade it again).
  const stillThere = (fresh: SegmentRow | undefined): SegmentRow => {
    if (!fresh) throw conflict("Segment no longer exists", { segment_id: input.segmentId });
    assertActive(fresh);
    if (!sameTime(fresh.startTs, input.startTs) || !sameTime(fresh.endTs, input.endTs))
      throw conflict("Segment was trimmed while it was being graded: grade it again", { segment_id: fresh.id });
    return fresh;
  };
  const segment = stillThere(await deps.repos.segments.findSegment(input.segmentId));
  const source = await sourceOf(deps, segment);
  const format = await projectOutputFormat(deps, segment.projectId);
  if (!format) throw conflict("Segment is not on the timeline", { segment_id: segment.id });
  const part = await ensurePart(
    deps,
    deps.ffmpeg,
    {
      media: source,
      startTs: segment.startTs,
      endTs: segment.endTs,
      grade: input.params,
      variantId: segment.variantId,
    },
    format,
    { signal: ctx.signal, onProgress: (f) => ctx.progress(Math.min(0.99, f)) },
  );

  // The swap is the job's result: written with its completion, only while this worker holds the job's lease.
  return await ctx.finish(async (repos) => {
    const graded = await repos.segments.gradeSegmentRows(input.segmentId, stillThere, input.params, (current) => ({
      id: newId("media"),
      projectId: current.projectId,
      origin: "render",
      status: "ready",
      path: part.rel,
      mime: "video/mp4",
      kind: "video",
      durationSec: current.endTs - current.startTs,
      width: format.width,
      height: format.height,
      fps: format.fps,
      videoCodec: "h264",
      audioCodec: "aac",
      hasAudio: true,
      fileName: `graded-${current.id}.mp4`,
    }));
    return { segment_id: graded.segment.id, graded_media_id: graded.media.id };
  });
}
