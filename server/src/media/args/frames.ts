/** Frames and strips: one JPEG at a time, or many from one run (seek or decode once). */
import { formatSeconds, JPEG_QUALITY, scaleToWidth, singleImageOutput } from "./format.js";

export interface FrameArgsInput {
  input: string;
  atSec: number;
  /** Scale to this width (height follows the aspect ratio). */
  width?: number;
  /** A video filter applied before scaling, e.g. a `gradeFilter(...)` for grade previews. */
  filter?: string;
  output: string;
}

/** `-vf filter,scale` for a frame, or nothing; a "null" filter is dropped. */
function frameFilterArgs(filter: string | undefined, width: number | undefined): string[] {
  const filters = [filter && filter !== "null" ? filter : null, width ? scaleToWidth(width) : null].filter(
    (f): f is string => f !== null,
  );
  return filters.length > 0 ? ["-vf", filters.join(",")] : [];
}

/**
 * One JPEG frame. `-ss` before `-i` seeks to the keyframe before `atSec` and decodes only from there; ffmpeg
 * then drops frames before `atSec`, so the frame is exact (TOOLCHAIN.md: 0.26 s at 37 s into a 1080p file).
 * The frame is the first one whose timestamp is ≥ atSec.
 */
export function frameArgs({ input, atSec, width, filter, output }: FrameArgsInput): string[] {
  return [
    "-ss",
    formatSeconds(atSec),
    "-i",
    input,
    ...frameFilterArgs(filter, width),
    "-q:v",
    JPEG_QUALITY,
    ...singleImageOutput(output),
  ];
}

/**
 * The last frame: `-sseof -1` seeks one second before the end and `-update 1` keeps overwriting the one
 * output file, so the file ends as the last decoded frame. For times in the last frame's display period,
 * where `-ss` finds no frame at or after the time.
 */
export function lastFrameArgs({ input, width, filter, output }: Omit<FrameArgsInput, "atSec">): string[] {
  return ["-sseof", "-1", "-i", input, ...frameFilterArgs(filter, width), "-q:v", JPEG_QUALITY, "-update", "1", output];
}

export interface StripArgsInput {
  input: string;
  times: readonly number[];
  /** One output file per time, same order. */
  outputs: readonly string[];
  width?: number;
  /**
   * `-threads N` for each seeked input's decoder (stripArgs only). Each seek decodes a few frames, where a
   * frame-threaded decoder's start-up and pipeline delay cost more than they save: with one process per core
   * (media/strips.ts), 1 thread per decoder used ~15–30 % less CPU for 10 seeked 1080p frames.
   */
  decoderThreads?: number;
}

function assertStrip({ times, outputs }: StripArgsInput): void {
  if (times.length === 0) throw new RangeError("a strip needs at least one time");
  if (times.length !== outputs.length) throw new RangeError("a strip needs one output per time");
}

/**
 * A strip as ONE ffmpeg run with one seeked input per time (`-ss t -i file` repeated), each mapped to its own
 * one-frame output. TOOLCHAIN.md: 10 frames of a 1080p file in 0.74 s this way, 2.13 s as 10 runs.
 */
export function stripArgs(input: StripArgsInput): string[] {
  assertStrip(input);
  const scale = input.width ? ["-vf", scaleToWidth(input.width)] : [];
  return [
    ...input.times.flatMap((t) => [
      ...(input.decoderThreads ? ["-threads", String(input.decoderThreads)] : []),
      "-ss",
      formatSeconds(t),
      "-i",
      input.input,
    ]),
    ...input.outputs.flatMap((output, i) => [
      "-map",
      `${i}:v:0`,
      ...scale,
      "-q:v",
      JPEG_QUALITY,
      ...singleImageOutput(output),
    ]),
  ];
}

/** Read this much past the last time, so a last frame a little after it is still decoded. */
const DECODE_STRIP_MARGIN_SEC = 1;

/**
 * A strip as ONE decoding pass from the first time to the last: the decoded stream is split into one branch
 * per time, and branch i keeps only the first frame at or after time i (`select`), written to output i.
 * This picks exactly the frames `-ss` seeking picks (measured: byte-identical JPEGs), and times closer than
 * a frame simply get the same frame. ffmpeg stops as soon as every output has its frame.
 */
export function decodeOnceStripArgs(input: StripArgsInput): string[] {
  assertStrip(input);
  const start = Math.min(...input.times);
  const end = Math.max(...input.times);
  const n = input.times.length;
  const scale = input.width ? `,${scaleToWidth(input.width)}` : "";
  const branches = input.times.map((t, i) => {
    const rel = formatSeconds(Math.max(0, t - start));
    // prev_t is NaN on the first frame, so not(gte(prev_t,…)) is 1 there.
    return `[s${i}]select='gte(t,${rel})*not(gte(prev_t,${rel}))'${scale}[v${i}]`;
  });
  const graph = [`[0:v]split=${n}${input.times.map((_, i) => `[s${i}]`).join("")}`, ...branches].join(";");
  return [
    "-ss",
    formatSeconds(start),
    "-t",
    formatSeconds(end - start + DECODE_STRIP_MARGIN_SEC),
    "-i",
    input.input,
    "-filter_complex",
    graph,
    ...input.outputs.flatMap((output, i) => ["-map", `[v${i}]`, "-q:v", JPEG_QUALITY, ...singleImageOutput(output)]),
  ];
}

export type StripStrategy = "seek" | "decode";

/**
 * Which strip builder is faster. A seeked input decodes from the keyframe before its time, on average half a
 * keyframe interval of frames plus the cost of opening an input; one decoding pass decodes every frame of the
 * span. So the pass wins when frames are closer together than about one keyframe interval.
 *
 * Measured here (2 cores, shared; 1280x720 30 fps H.264, strips starting at 2 s, median of 3 runs;
 * seeked = stripArgs, pass = decodeOnceStripArgs, outputs byte-identical):
 *
 *   keyframe every 1 s, 10 frames:  spacing 0.1 s  852 vs 252 ms | 0.25 s 565 vs 261 | 0.5 s 738 vs 667
 *                                   0.75 s 553 vs 476            | 1 s    397 vs 530 | 1.5 s 486 vs 725 | 2 s 380 vs 864
 *   keyframe every 1 s, 20 frames:  0.25 s 1187 vs 520 | 0.5 s 925 vs 647 | 0.75 s 1126 vs 815 | 1 s 752 vs 1103
 *   keyframe every 8.3 s, 10 frames: 0.25 s 2034 vs 391 | 1 s 2576 vs 653 | 2 s 3476 vs 1632
 *
 * The crossover sits between 0.75 and 1 keyframe interval, hence: decode once when spacing < interval.
 */
export function chooseStripStrategy(count: number, spanSec: number, keyframeIntervalSec: number): StripStrategy {
  if (count <= 1) return "seek";
  const spacing = spanSec / (count - 1);
  return spacing < keyframeIntervalSec ? "decode" : "seek";
}
