import type { AppDeps } from "../context.js";
import { HttpError, unavailable } from "../errors.js";
import { FfmpegError, FfmpegMissingError, type FfmpegRunner } from "../media/ffmpeg.js";
import { UnsafeInputError } from "../media/inputPolicy.js";
import { FrameNotFoundError } from "../media/operations.js";
import { ObjectMissingError } from "../storage/objectStore.js";

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

/** Media errors as HTTP errors: ffmpeg gone → 503, no frame there, a refused or missing file → 422. */
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
  // A stored file gone (removed by hand, lost with a disk or a bucket): the media cannot be processed any more.
  if (error instanceof ObjectMissingError) {
    const failure = new HttpError(422, "The media could not be processed", { reason: "its stored file is missing" });
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
