/**
 * Tiny generated test videos and a real ffmpeg runner for tests (TOOLCHAIN.md: keep test videos tiny).
 * The binaries come from FFMPEG_PATH / FFPROBE_PATH when set, else the usual resolution (ffmpeg.ts).
 */
import { randomBytes } from "node:crypto";
import { access, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createFfmpegRunner, type FfmpegRunner, resolveFfmpegBinaries } from "../../src/media/ffmpeg.js";

export interface TestVideoOptions {
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
  audio?: boolean;
  /** File name inside `dir`; defaults to one derived from the parameters. */
  name?: string;
}

let runnerPromise: Promise<FfmpegRunner> | undefined;

/** One runner per test process over the real binaries. */
export function testFfmpegRunner(): Promise<FfmpegRunner> {
  runnerPromise ??= resolveFfmpegBinaries({
    ffmpegPath: process.env.FFMPEG_PATH,
    ffprobePath: process.env.FFPROBE_PATH,
  }).then((binaries) => createFfmpegRunner(binaries));
  return runnerPromise;
}

/** The ffmpeg arguments for a test video: testsrc2 (moving, detailed) + a 440 Hz sine, keyframe every second. */
export function testVideoArgs(output: string, options: Required<Omit<TestVideoOptions, "name">>): string[] {
  const { seconds, width, height, fps, audio } = options;
  return [
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    ...(audio ? ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`] : []),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    String(fps),
    "-keyint_min",
    String(fps),
    "-pix_fmt",
    "yuv420p",
    ...(audio ? ["-c:a", "aac", "-shortest"] : []),
    output,
  ];
}

const pending = new Map<string, Promise<string>>();

/**
 * Makes (or reuses) a test video in `dir` and returns its path. Cached by parameters: the same call in the
 * same folder returns the existing file; concurrent calls share one ffmpeg run.
 */
export function makeTestVideo(dir: string, options: TestVideoOptions = {}): Promise<string> {
  const resolved = {
    seconds: options.seconds ?? 2,
    width: options.width ?? 320,
    height: options.height ?? 240,
    fps: options.fps ?? 25,
    audio: options.audio ?? true,
  };
  const name =
    options.name ??
    `testsrc-${resolved.seconds}s-${resolved.width}x${resolved.height}-${resolved.fps}fps-${resolved.audio ? "audio" : "silent"}.mp4`;
  const file = path.join(dir, name);
  const existing = pending.get(file);
  if (existing) return existing;
  const made = (async () => {
    try {
      await access(file);
      return file;
    } catch {
      // not made yet
    }
    const runner = await testFfmpegRunner();
    const temp = path.join(dir, `.${randomBytes(6).toString("hex")}.tmp.mp4`);
    try {
      await runner.run(testVideoArgs(temp, resolved));
      await rename(temp, file);
    } finally {
      await rm(temp, { force: true });
    }
    return file;
  })();
  pending.set(file, made);
  made.catch(() => pending.delete(file));
  return made;
}
