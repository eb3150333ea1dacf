/**
 * The ffmpeg runner `local` renders with (and the image pipeline probes with), resolved once per app config
 * on first use (FFMPEG_PATH → ffmpeg-static → PATH, see media/ffmpeg.ts), so an app that never renders a
 * placeholder never looks for ffmpeg.
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
