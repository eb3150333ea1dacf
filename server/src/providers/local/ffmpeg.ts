/**
 * An ffmpeg runner from config alone, resolved once per config on first use (FFMPEG_PATH → ffmpeg-static →
 * PATH, see media/ffmpeg.ts), for code that has no `deps.ffmpeg` at hand. The app's own runner (found at
 * start, app.ts) is `deps.ffmpeg`: prefer it — `local` and the image pipeline use that one.
 */
import { createFfmpegRunner, type FfmpegRunner, resolveFfmpegBinaries } from "../../media/ffmpeg.js";

export interface FfmpegSettings {
  FFMPEG_PATH?: string | undefined;
  FFPROBE_PATH?: string | undefined;
}

const runners = new WeakMap<FfmpegSettings, Promise<FfmpegRunner>>();

export function ffmpegRunnerFor(config: FfmpegSettings): Promise<FfmpegRunner> {
  let runner = runners.get(config);
  if (!runner) {
    runner = resolveFfmpegBinaries({ ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH }).then(
      (binaries) => createFfmpegRunner(binaries),
    );
    runners.set(config, runner);
  }
  return runner;
}
