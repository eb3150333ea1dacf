import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { FfmpegError } from "../media/ffmpeg.js";
import { UNSUPPORTED_MEDIA } from "../media/inputPolicy.js";
import { checkDecodable } from "../media/validate.js";
import { isDownloadError } from "../net/index.js";
import type { EnqueueInput, JobContext } from "../ports/jobs.js";
import { RetryableJobError } from "../ports/jobs.js";
import { withLocalPath } from "../storage/objectStore.js";
import { addFirstSegmentIfEmpty } from "./firstSegment.js";
import { FFMPEG_MISSING_MESSAGE } from "./mediaFailures.js";
import { mirrorUrl } from "./mirror.js";

export const IMPORT_VIDEO_JOB = "import-video";

/** Deletes a stored file that no media row points at any more (a refused import's download). */
async function removeIfUnreferenced(deps: AppDeps, rel: string): Promise<void> {
  if (!(await deps.repos.media.mediaByPath(rel))) await deps.store.remove(rel);
}

/** The job that imports a new project's `video_url` (queued with the project, in its unit of work). */
export function projectVideoImportJob(deps: AppDeps, auth: AuthContext, projectId: string, url: string): EnqueueInput {
  return {
    kind: IMPORT_VIDEO_JOB,
    input: { url },
    userId: auth.user.id,
    workspaceId: auth.workspaceId,
    projectId,
    maxAttempts: deps.config.DAILIES_MIRROR_MAX_ATTEMPTS,
  };
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
    const problem =
      row.kind !== "video" || !row.durationSec
        ? "no video stream with a duration"
        : await withLocalPath(deps.store, row.path as string, (file) => checkDecodable(runner, file, "video")).then(
            () => null,
            (error: unknown) =>
              error instanceof FfmpegError && error.timedOut ? "reading the file took too long" : UNSUPPORTED_MEDIA,
          );
    if (problem) {
      await deps.repos.media.updateMedia(row.id, {
        status: "failed",
        error: `Not a decodable video: ${problem}`,
        path: null,
      });
      await removeIfUnreferenced(deps, row.path as string);
      throw new Error(`video_url is not a decodable video: ${problem}`);
    }
    // On the timeline with the job's completion, only while this worker holds the job (JobContext.finish).
    return await ctx.finish(async (repos) => {
      const segment = await addFirstSegmentIfEmpty(repos, projectId, row);
      return { mediaId: row.id, segmentId: segment?.id ?? null };
    });
  } catch (error) {
    if (isDownloadError(error) && error.retryable) throw new RetryableJobError(error.message);
    throw error;
  }
}
