/** Rendering timeline parts in the export format, and joining them. */
import { AUDIO_ENCODE, assertEvenSize, formatNumber, formatSeconds, PROGRESS, VIDEO_ENCODE } from "./format.js";

export interface RenderSegmentArgsInput {
  input: string;
  startSec: number;
  endSec: number;
  /** Whether the source has an audio stream (from probe); without one, silence is generated. */
  hasAudio: boolean;
  width: number;
  height: number;
  fps: number;
  /** Extra video filter before scaling (a grade); omitted or "null" for none. */
  filter?: string;
  output: string;
}

/** H.264 + AAC settings shared by every rendered part, so the parts join with `-c copy`. */

/**
 * Fit inside WxH keeping the aspect ratio, letterbox/pillarbox the rest, square pixels. Every export part
 * therefore has the same size, pixel format and sample aspect ratio, which the concat demuxer requires.
 */
export function fitFilter(width: number, height: number): string {
  assertEvenSize(width, height);
  return (
    `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1`
  );
}

/**
 * One timeline segment rendered to the common export format: H.264 (x264 veryfast, yuv420p, constant
 * `fps`), AAC 48 kHz stereo, fitted to WxH.
 *
 * - Trim: `-ss` before `-i` (fast, and frame-exact since ffmpeg drops decoded frames before the target) plus
 *   `-t` for the duration; the output `-t` also bounds the generated audio below.
 * - A source without audio gets silence from `anullsrc`, and real audio is padded (`apad`) when it ends
 *   before the picture, so every part has an audio stream exactly as long as its video and the concat
 *   demuxer keeps sound in sync.
 */
export function renderSegmentArgs(input: RenderSegmentArgsInput): string[] {
  const { startSec, endSec, fps } = input;
  if (!(endSec > startSec)) throw new RangeError(`endSec (${endSec}) must be after startSec (${startSec})`);
  if (!Number.isFinite(fps) || fps <= 0) throw new RangeError(`invalid fps: ${fps}`);
  const duration = formatSeconds(endSec - startSec);
  const filters = [input.filter && input.filter !== "null" ? input.filter : null, fitFilter(input.width, input.height)];
  return [
    "-ss",
    formatSeconds(startSec),
    "-t",
    duration,
    "-i",
    input.input,
    ...(input.hasAudio ? [] : ["-f", "lavfi", "-t", duration, "-i", "anullsrc=r=48000:cl=stereo"]),
    "-map",
    "0:v:0",
    "-map",
    input.hasAudio ? "0:a:0" : "1:a:0",
    "-vf",
    filters.filter((f): f is string => f !== null).join(","),
    ...(input.hasAudio ? ["-af", "apad"] : []),
    "-t",
    duration,
    "-r",
    formatNumber(fps, 6),
    ...VIDEO_ENCODE,
    ...AUDIO_ENCODE,
    "-movflags",
    "+faststart",
    ...PROGRESS,
    input.output,
  ];
}

/**
 * The concat demuxer's list file. Each path is single-quoted; a quote inside a path is written `'\''`
 * (close, escaped quote, reopen), as ffmpeg's own tools do. Newlines cannot be expressed, so they are refused.
 */
export function concatListContent(files: readonly string[]): string {
  if (files.length === 0) throw new RangeError("nothing to concatenate");
  return files
    .map((file) => {
      if (/[\r\n]/.test(file)) throw new RangeError(`a path in a concat list cannot contain a line break: ${file}`);
      return `file '${file.replace(/'/g, "'\\''")}'\n`;
    })
    .join("");
}

/**
 * Joins parts rendered by `renderSegmentArgs` without re-encoding (TOOLCHAIN.md: 3 × 20 s in 0.24 s).
 * `-safe 0` allows the absolute paths the list holds.
 */
export function concatArgs({ listFile, output }: { listFile: string; output: string }): string[] {
  return ["-f", "concat", "-safe", "0", "-i", listFile, "-c", "copy", "-movflags", "+faststart", output];
}
