import { mediaLimitsOf } from "../config.js";
import type { AppDeps } from "../context.js";
import { FfmpegError, type FfmpegRunner } from "../media/ffmpeg.js";
import { mediaProblem, UNSUPPORTED_MEDIA } from "../media/inputPolicy.js";
import type { ProbeResult } from "../media/probe.js";
import { checkDecodable } from "../media/validate.js";
import { mediaFailure } from "./mediaFailures.js";

export type Inspection =
  | { probe: ProbeResult; reason: null; cause?: undefined }
  | { probe?: ProbeResult; reason: string; cause?: unknown };

/**
 * The hostile-input rules every uploaded file goes through, on a local file (through the API or direct to the
 * bucket): from the probe, before anything is decoded, the container must be on the allow-list and the picture
 * size, frame rate and duration within the limits (a decompression bomb is refused here, never decoded); then a
 * one-frame decode. `reason` says in our words why a file is refused; ffmpeg's own message stays in `cause`.
 */
export async function inspectUploadedFile(deps: AppDeps, runner: FfmpegRunner, file: string): Promise<Inspection> {
  try {
    const probe = await runner.probe(file);
    const reason =
      mediaProblem(probe, mediaLimitsOf(deps.config)) ??
      (probe.kind === "video" && !(probe.durationSec > 0) ? "a video stream without a duration" : null);
    if (reason !== null) return { probe, reason };
    await checkDecodable(runner, file, probe.kind);
    return { probe, reason: null };
  } catch (error) {
    if (!(error instanceof FfmpegError)) throw mediaFailure(error, deps);
    return { reason: error.timedOut ? "reading the file took too long" : UNSUPPORTED_MEDIA, cause: error };
  }
}
