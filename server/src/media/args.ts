/**
 * Pure builders of ffmpeg argument lists and filter strings. Nothing here touches the disk or starts a
 * process: tests compare the results as data (STYLE.md, immich), and `operations.ts` runs them.
 *
 * The lists omit the flags every run shares (`COMMON_FFMPEG_ARGS` in ffmpeg.ts: -hide_banner -nostdin -y
 * -loglevel error), which the runner prepends.
 */
import { GRADE_RANGES } from "@dailies/shared";

// ---------------------------------------------------------------------------------------------------------
// Numbers and escaping
// ---------------------------------------------------------------------------------------------------------

/** Seconds as ffmpeg reads them: at most microseconds (AV_TIME_BASE), never an exponent. */
export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) throw new RangeError(`invalid time: ${sec}`);
  return trimNumber(sec.toFixed(6));
}

/** A filter parameter: 4 decimals are finer than any 8-bit effect, and never an exponent. */
function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) throw new RangeError(`invalid number: ${value}`);
  return trimNumber(value.toFixed(digits));
}

function trimNumber(fixed: string): string {
  const trimmed = fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
  return trimmed === "-0" ? "0" : trimmed;
}

/**
 * Escapes a value for a filter option inside a filtergraph (`-vf`, `-filter_complex`). ffmpeg unescapes
 * twice (ffmpeg-filters(1), "Notes on filtergraph escaping"): once when it splits the graph into filters
 * (special: \ ' [ ] , ;) and once when the filter splits its `key=value:…` options (special: \ ' :).
 * So the option level is escaped first and the result escaped again for the graph level.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, "\\$&");
  return optionLevel.replace(/[\\'[\],;]/g, "\\$&");
}

/**
 * drawtext adds a third level: with its default `expansion=normal`, `%{…}` sequences expand and a backslash
 * takes the next character literally, so `\` and `%` are escaped before the two filter levels.
 * "50%: it's" → `50\\\\%\\: it\\\'s` as the argument ffmpeg receives.
 */
export function escapeDrawtext(text: string): string {
  return escapeFilterValue(text.replace(/[\\%]/g, "\\$&"));
}

function assertPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

function assertEvenSize(width: number, height: number): void {
  assertPositiveInt("width", width);
  assertPositiveInt("height", height);
  // libx264 with yuv420p (the format every player accepts) needs even dimensions.
  if (width % 2 !== 0 || height % 2 !== 0)
    throw new RangeError(`width and height must be even, got ${width}x${height}`);
}

/** Scales to a width keeping the aspect ratio; -2 keeps the height even. */
function scaleToWidth(width: number): string {
  assertPositiveInt("width", width);
  return `scale=${width}:-2`;
}

/** JPEG quality for frames: 2 (best) … 31; 3 is visually lossless at a fraction of the size of 2. */
const JPEG_QUALITY = "3";

/**
 * Options for a single-picture output. `-update 1` makes the image2 muxer treat the name as a plain file
 * name, so a `%` in a path is never read as a frame-number pattern.
 */
function singleImageOutput(output: string): string[] {
  return ["-frames:v", "1", "-update", "1", output];
}

// ---------------------------------------------------------------------------------------------------------
// Frames and strips
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Color grade
// ---------------------------------------------------------------------------------------------------------

/**
 * The color-grade parameters of `/api/segment/{id}/color-grade` and `/grade-preview`. Every value is an
 * OFFSET: 0 leaves the picture unchanged. Routes build their validation and OpenAPI descriptions from this.
 */
export const GRADE_PARAMS = {
  brightness: {
    min: GRADE_RANGES.brightness[0],
    max: GRADE_RANGES.brightness[1],
    description: "Brightness offset, -1 (black) to 1 (white); 0 = unchanged. Added to luma (ffmpeg eq=brightness).",
  },
  contrast: {
    min: GRADE_RANGES.contrast[0],
    max: GRADE_RANGES.contrast[1],
    description: "Contrast offset, -1 (flat grey) to 1 (double contrast); 0 = unchanged (ffmpeg eq=contrast=1+value).",
  },
  saturation: {
    min: GRADE_RANGES.saturation[0],
    max: GRADE_RANGES.saturation[1],
    description: "Saturation offset, -1 (greyscale) to 1 (double saturation); 0 = unchanged (eq=saturation=1+value).",
  },
  temperature: {
    min: GRADE_RANGES.temperature[0],
    max: GRADE_RANGES.temperature[1],
    description:
      "White balance, -1 (cool, 10000 K) to 1 (warm, 3000 K); 0 = unchanged (6500 K). " +
      "ffmpeg colortemperature=temperature=6500-3500*value, lightness preserved.",
  },
  gamma: {
    min: GRADE_RANGES.gamma[0],
    max: GRADE_RANGES.gamma[1],
    description:
      "Gamma offset, -1 (darker mid-tones) to 1 (brighter mid-tones); 0 = unchanged (ffmpeg eq=gamma=2^value, 0.5 to 2).",
  },
  hue_shift: {
    min: GRADE_RANGES.hue_shift[0],
    max: GRADE_RANGES.hue_shift[1],
    description: "Hue rotation in degrees, -180 to 180; 0 = unchanged (ffmpeg hue=h=value).",
  },
} as const;

export type GradeParamName = keyof typeof GRADE_PARAMS;
export type GradeParams = Partial<Record<GradeParamName, number>>;
export const GRADE_PARAM_NAMES = Object.keys(GRADE_PARAMS) as GradeParamName[];

/**
 * The ffmpeg filter for a grade; "null" (the pass-through filter) when every offset is 0.
 * Order: eq (brightness, contrast, saturation, gamma in one pass), then colortemperature, then hue.
 *
 * - temperature: ffmpeg's colortemperature tints toward the colour of a black body at the given kelvin, so
 *   LOWER kelvin looks WARMER (measured: 3000 K raises Cr, lowers Cb). Positive = warmer, as in photo editors.
 *   `pl=1` keeps lightness, so a white-balance change does not double as a brightness change.
 * - gamma: eq's gamma > 1 brightens mid-tones (measured: mean luma 122 → 171 at gamma 2); 2^g makes ±1
 *   symmetric (halve/double).
 */
export function gradeFilter(params: GradeParams): string {
  const value = (name: GradeParamName): number => {
    const v = params[name] ?? 0;
    const { min, max } = GRADE_PARAMS[name];
    if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`${name} must be between ${min} and ${max}`);
    return v;
  };
  const brightness = value("brightness");
  const contrast = value("contrast");
  const saturation = value("saturation");
  const gamma = value("gamma");
  const temperature = value("temperature");
  const hue = value("hue_shift");

  const eq: string[] = [];
  if (brightness !== 0) eq.push(`brightness=${formatNumber(brightness)}`);
  if (contrast !== 0) eq.push(`contrast=${formatNumber(1 + contrast)}`);
  if (saturation !== 0) eq.push(`saturation=${formatNumber(1 + saturation)}`);
  if (gamma !== 0) eq.push(`gamma=${formatNumber(2 ** gamma)}`);

  const filters: string[] = [];
  if (eq.length > 0) filters.push(`eq=${eq.join(":")}`);
  if (temperature !== 0)
    filters.push(`colortemperature=temperature=${formatNumber(6500 - 3500 * temperature, 1)}:pl=1`);
  if (hue !== 0) filters.push(`hue=h=${formatNumber(hue)}`);
  return filters.length > 0 ? filters.join(",") : "null";
}

// ---------------------------------------------------------------------------------------------------------
// Rendering and joining
// ---------------------------------------------------------------------------------------------------------

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
const VIDEO_ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"];
const AUDIO_ENCODE = ["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2"];
const PROGRESS = ["-progress", "pipe:1", "-nostats"];

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

// ---------------------------------------------------------------------------------------------------------
// Region edits (the offline `local` AI provider)
// ---------------------------------------------------------------------------------------------------------

export const LOCAL_REGION_OPS = ["blur", "pixelate", "remove", "grayscale", "brighten", "darken"] as const;
export type RegionOp = (typeof LOCAL_REGION_OPS)[number];

/** A box in fractions of the frame (0..1), as `bounding_box` in `/api/ai/generate`. */
export interface FractionBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Clamps a fractional box into the frame; throws when nothing of it is left. */
export function clampBox(box: FractionBox): FractionBox {
  for (const [k, v] of Object.entries(box)) if (!Number.isFinite(v)) throw new RangeError(`box.${k} is not a number`);
  const x0 = Math.min(1, Math.max(0, box.x));
  const y0 = Math.min(1, Math.max(0, box.y));
  const x1 = Math.min(1, Math.max(0, box.x + box.width));
  const y1 = Math.min(1, Math.max(0, box.y + box.height));
  if (!(x1 > x0 && y1 > y0)) throw new RangeError("the box does not cover any part of the frame");
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * A fractional box in pixels, on even coordinates (yuv420p chroma covers 2x2 pixels, so crop and overlay
 * stay aligned), grown outward to even edges, at least 2x2, inside the frame.
 */
export function boxToPixels(box: FractionBox, frameWidth: number, frameHeight: number): PixelBox {
  assertPositiveInt("frameWidth", frameWidth);
  assertPositiveInt("frameHeight", frameHeight);
  const b = clampBox(box);
  const axis = (start: number, size: number, frame: number): [number, number] => {
    const limit = Math.max(2, frame - (frame % 2));
    let from = Math.floor((start * frame) / 2) * 2;
    const to = Math.min(limit, Math.ceil(((start + size) * frame) / 2) * 2);
    const length = Math.max(2, to - from);
    from = Math.min(from, limit - length);
    return [from, length];
  };
  const [x, width] = axis(b.x, b.width, frameWidth);
  const [y, height] = axis(b.y, b.height, frameHeight);
  return { x, y, width, height };
}

export interface RegionEditFilterInput {
  op: RegionOp;
  box: FractionBox;
  startSec: number;
  endSec: number;
  frameWidth: number;
  frameHeight: number;
}

/** The filter applied to the cropped box for every op except `remove`. */
function regionOpFilter(op: Exclude<RegionOp, "remove">, width: number, height: number): string {
  const short = Math.min(width, height);
  switch (op) {
    case "blur": {
      // boxblur refuses a radius above half the plane's short side; chroma planes are half size in yuv420p.
      const radius = Math.max(1, Math.min(Math.floor(short / 2), Math.max(2, Math.round(short / 6))));
      const chroma = Math.min(radius, Math.floor(short / 4));
      return `boxblur=luma_radius=${radius}:luma_power=2:chroma_radius=${chroma}:chroma_power=2`;
    }
    case "pixelate": {
      // About 10 blocks across the short side. Down with `area` so each block is its average colour (a true
      // mosaic; `neighbor` would keep single sampled pixels), back up with `neighbor` for hard block edges.
      const block = Math.max(2, Math.round(short / 10));
      const w = Math.max(1, Math.round(width / block));
      const h = Math.max(1, Math.round(height / block));
      return `scale=${w}:${h}:flags=area,scale=${width}:${height}:flags=neighbor`;
    }
    case "grayscale":
      return "hue=s=0";
    case "brighten":
      return "eq=brightness=0.25";
    case "darken":
      return "eq=brightness=-0.25";
  }
}

/**
 * A `-filter_complex` graph reading `[0:v]` and producing `[v]` with `op` applied inside the box between
 * startSec and endSec (timeline `enable`), the rest untouched: the box is cropped from a copy of the frame,
 * edited, and overlaid back at the same place.
 *
 * `remove` uses delogo over the whole frame instead: it fills the box by interpolating from the pixels just
 * outside it, so it needs a 1-pixel border inside the frame ("Logo area is outside of the frame" otherwise)
 * and the box is clamped to x,y ≥ 1 and x+w, y+h ≤ size−1.
 */
export function regionEditFilter(input: RegionEditFilterInput): string {
  const { op, frameWidth, frameHeight } = input;
  if (!LOCAL_REGION_OPS.includes(op)) throw new RangeError(`unknown region op: ${op}`);
  if (!(input.endSec > input.startSec)) throw new RangeError("endSec must be after startSec");
  const enable = `enable='between(t,${formatSeconds(input.startSec)},${formatSeconds(input.endSec)})'`;
  const px = boxToPixels(input.box, frameWidth, frameHeight);

  if (op === "remove") {
    const x = Math.max(1, px.x);
    const y = Math.max(1, px.y);
    const w = Math.max(1, Math.min(frameWidth - 1, px.x + px.width) - x);
    const h = Math.max(1, Math.min(frameHeight - 1, px.y + px.height) - y);
    return `[0:v]delogo=x=${x}:y=${y}:w=${w}:h=${h}:${enable}[v]`;
  }
  const crop = `crop=w=${px.width}:h=${px.height}:x=${px.x}:y=${px.y}`;
  return (
    `[0:v]split=2[base][roi];` +
    `[roi]${crop},${regionOpFilter(op, px.width, px.height)}[edit];` +
    `[base][edit]overlay=x=${px.x}:y=${px.y}:${enable}[v]`
  );
}

/**
 * Renders a region edit: the graph from `regionEditFilter`, H.264 like the export parts, audio (if any)
 * re-encoded to AAC unchanged in content.
 */
export function regionEditArgs({
  input,
  filterComplex,
  output,
}: {
  input: string;
  filterComplex: string;
  output: string;
}): string[] {
  return [
    "-i",
    input,
    "-filter_complex",
    filterComplex,
    "-map",
    "[v]",
    "-map",
    "0:a:0?",
    ...VIDEO_ENCODE,
    ...AUDIO_ENCODE,
    "-movflags",
    "+faststart",
    ...PROGRESS,
    output,
  ];
}

/**
 * Puts a generated clip into the box of the source clip: scaled to the box, timed to the source (a short
 * clip holds its last frame, a long one is cut), everything outside the box and the audio untouched.
 * Pure: tests compare the list as data.
 */
export function compositeRegionArgs(input: {
  source: string;
  generated: string;
  output: string;
  box: { x: number; y: number; width: number; height: number };
  durationSec: number;
  fps: number;
}): string[] {
  const { box } = input;
  const d = formatSeconds(input.durationSec);
  const graph =
    `[1:v]scale=${box.width}:${box.height},setsar=1,fps=${Number(input.fps.toFixed(6))},` +
    `tpad=stop_mode=clone:stop_duration=${d},trim=duration=${d},setpts=PTS-STARTPTS[g];` +
    `[0:v][g]overlay=x=${box.x}:y=${box.y}:eof_action=repeat[v]`;
  return [
    "-i",
    input.source,
    "-i",
    input.generated,
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    "-map",
    "0:a:0?",
    ...VIDEO_ENCODE,
    ...AUDIO_ENCODE,
    "-movflags",
    "+faststart",
    "-t",
    d,
    ...PROGRESS,
    input.output,
  ];
}

const REGION_OP_KEYWORDS: readonly [RegionOp, RegExp][] = [
  ["blur", /\b(?:blur\w*|soften\w*|defocus\w*)/i],
  ["pixelate", /\b(?:pixel+[ai][tz]\w*|pixelis\w*|mosaic\w*|censor\w*)/i],
  ["remove", /\b(?:remov\w*|eras\w*|delet\w*|get rid of)/i],
  ["grayscale", /\b(?:gr[ae]y\s*-?\s*scale\w*|black\s*(?:and|&|n)\s*white|b\s*&\s*w\b|monochrome|desaturat\w*)/i],
  ["brighten", /\b(?:brighten\w*|brighter|lighten\w*|lighter)\b/i],
  ["darken", /\b(?:darken\w*|darker)\b/i],
];

/**
 * The region op a prompt asks for, by keywords; null when none matches. When several match, the one named
 * first wins ("remove the blurry logo" → remove).
 */
export function parseRegionOp(prompt: string): RegionOp | null {
  let best: { op: RegionOp; index: number } | null = null;
  for (const [op, pattern] of REGION_OP_KEYWORDS) {
    const match = pattern.exec(prompt);
    if (match && (best === null || match.index < best.index)) best = { op, index: match.index };
  }
  return best?.op ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Placeholder image (the `local` image provider)
// ---------------------------------------------------------------------------------------------------------

export const DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

export interface PlaceholderImageArgsInput {
  title: string;
  subtitle?: string;
  width: number;
  height: number;
  output: string;
  fontPath?: string;
  /** ffmpeg colour: a name or 0xRRGGBB. */
  background?: string;
}

/**
 * A font size that fits `text` on one line in 90 % of the width, capped at `max`: DejaVu Sans averages
 * about 0.6 em per character.
 */
function fitFontSize(text: string, width: number, max: number): number {
  const perChar = 0.6;
  return Math.max(8, Math.min(max, Math.floor((width * 0.9) / (perChar * Math.max(1, [...text].length)))));
}

/** A titled still (PNG): a solid `color` source and centred drawtext lines. */
export function placeholderImageArgs(input: PlaceholderImageArgsInput): string[] {
  const { width, height } = input;
  assertPositiveInt("width", width);
  assertPositiveInt("height", height);
  const background = input.background ?? "0x1f2937";
  if (!/^(?:0x[0-9a-f]{6}|[a-z]+)$/i.test(background)) throw new RangeError(`invalid colour: ${background}`);
  const font = escapeFilterValue(input.fontPath ?? DEFAULT_FONT_PATH);
  const title = input.title.trim();
  const subtitle = input.subtitle?.trim() ?? "";
  const gap = Math.max(2, Math.round(height * 0.02));

  const line = (text: string, size: number, color: string, y: string) =>
    `drawtext=fontfile=${font}:text=${escapeDrawtext(text)}:fontsize=${size}:fontcolor=${color}:x=(w-tw)/2:y=${y}`;
  const drawn = [
    line(title, fitFontSize(title, width, Math.round(height / 10)), "white", subtitle ? `h/2-th-${gap}` : "(h-th)/2"),
  ];
  if (subtitle)
    drawn.push(line(subtitle, fitFontSize(subtitle, width, Math.round(height / 20)), "0xcbd5e1", `h/2+${gap}`));
  return [
    "-f",
    "lavfi",
    "-i",
    `color=c=${background}:s=${width}x${height}:d=1`,
    "-vf",
    drawn.join(","),
    ...singleImageOutput(input.output),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Measurements (scores for the `local` provider, and tests)
// ---------------------------------------------------------------------------------------------------------

/** Crops to a fractional box with ffmpeg expressions, so the frame size need not be known. */
export function cropFilter(box: FractionBox): string {
  const b = clampBox(box);
  return `crop=w=iw*${formatNumber(b.width, 6)}:h=ih*${formatNumber(b.height, 6)}:x=iw*${formatNumber(b.x, 6)}:y=ih*${formatNumber(b.y, 6)}`;
}

/** Paints a fractional box solid black, by expressions like `cropFilter`. */
export function maskFilter(box: FractionBox): string {
  const b = clampBox(box);
  return `drawbox=x=iw*${formatNumber(b.x, 6)}:y=ih*${formatNumber(b.y, 6)}:w=iw*${formatNumber(b.width, 6)}:h=ih*${formatNumber(b.height, 6)}:color=black:t=fill`;
}

export interface CompareArgsInput {
  /** The original. */
  reference: string;
  /** The edited or generated file, scaled to the reference's size when it differs. */
  distorted: string;
  /** Per-frame statistics of the whole frame are written here. */
  statsFile: string;
  /** Also measure inside and outside this box in the same decoding pass. */
  region?: { box: FractionBox; insideStatsFile: string; outsideStatsFile: string };
}

/**
 * Whole-frame, in-box and out-of-box comparison in one decoding pass; each metric filter writes per-frame
 * lines to its stats file (`parseSsim` / `parsePsnr`).
 *
 * Inside: both pictures cropped to the box. Outside: both pictures with the box painted black, so the box
 * matches perfectly and the measured value is f·perfect + (1−f)·outside (f = the box's share of the frame),
 * solved by `areaWeightedOutside`. Exact for PSNR's squared error; for SSIM, a mean over local windows, the
 * windows straddling the box edge compare black+outside with black+outside, which is what "outside" means.
 * (Deriving outside from full and inside instead counts those edge windows, damaged by the edit, as outside:
 * measured on a 160x120 blur in 320x240, 0.966 that way against 0.993 by masking and 0.993 for a plain
 * re-encode.)
 */
function compareArgs(metric: "ssim" | "psnr", input: CompareArgsInput): string[] {
  const stats = (file: string) => `${metric}=stats_file=${escapeFilterValue(file)}`;
  const region = input.region;
  const graph = region
    ? [
        "[1:v][0:v]scale2ref[d][r]",
        "[d]split=3[d0][d1][d2]",
        "[r]split=3[r0][r1][r2]",
        `[d0][r0]${stats(input.statsFile)}[full]`,
        `[d1]${cropFilter(region.box)}[dc]`,
        `[r1]${cropFilter(region.box)}[rc]`,
        `[dc][rc]${stats(region.insideStatsFile)}[inside]`,
        `[d2]${maskFilter(region.box)}[dm]`,
        `[r2]${maskFilter(region.box)}[rm]`,
        `[dm][rm]${stats(region.outsideStatsFile)}[outside]`,
      ]
    : ["[1:v][0:v]scale2ref[d][r]", `[d][r]${stats(input.statsFile)}[full]`];
  const sink = (label: string) => ["-map", `[${label}]`, "-f", "null", "-"];
  return [
    "-i",
    input.reference,
    "-i",
    input.distorted,
    "-filter_complex",
    graph.join(";"),
    ...sink("full"),
    ...(region ? [...sink("inside"), ...sink("outside")] : []),
  ];
}

export function ssimArgs(input: CompareArgsInput): string[] {
  return compareArgs("ssim", input);
}

export function psnrArgs(input: CompareArgsInput): string[] {
  return compareArgs("psnr", input);
}

export interface SignalStatsArgsInput {
  input: string;
  statsFile: string;
  /** Measure only inside this box. */
  box?: FractionBox;
  /** A filter before the statistics (e.g. "edgedetect"). */
  filter?: string;
}

/**
 * Per-frame `signalstats` (YAVG = mean luma 0..255, SATAVG = mean saturation, …) printed by `metadata` to
 * the stats file, read by `parseSignalStats`.
 */
export function signalStatsArgs(input: SignalStatsArgsInput): string[] {
  const filters = [
    input.box ? cropFilter(input.box) : null,
    input.filter ?? null,
    "signalstats",
    `metadata=mode=print:file=${escapeFilterValue(input.statsFile)}`,
  ].filter((f): f is string => f !== null);
  return ["-i", input.input, "-vf", filters.join(","), "-f", "null", "-"];
}

/**
 * Edge energy: the share of edge pixels, as the mean luma (0..255) of ffmpeg's `edgedetect` output (white
 * edges on black). Blurring lowers it; detail raises it.
 */
export function edgeEnergyArgs(input: Omit<SignalStatsArgsInput, "filter">): string[] {
  return signalStatsArgs({ ...input, filter: "edgedetect" });
}

// ---------------------------------------------------------------------------------------------------------
// Parsers for the measurement outputs
// ---------------------------------------------------------------------------------------------------------

export interface SsimResult {
  frames: number;
  /** Mean over frames of the all-planes SSIM, 0..1 (1 = identical). */
  all: number;
  /** Mean luma SSIM. */
  y: number;
}

/** Reads the ssim filter's stats file: `n:1 Y:0.953 U:0.97 V:0.97 All:0.960 (13.98)` per frame. */
export function parseSsim(text: string): SsimResult {
  let frames = 0;
  let all = 0;
  let y = 0;
  for (const line of text.split("\n")) {
    const a = /\bAll:([\d.]+)/.exec(line);
    const l = /\bY:([\d.]+)/.exec(line);
    if (!a?.[1] || !l?.[1]) continue;
    frames += 1;
    all += Number(a[1]);
    y += Number(l[1]);
  }
  if (frames === 0) throw new Error("no SSIM values in the ssim output");
  return { frames, all: all / frames, y: y / frames };
}

/** PSNR reported for identical pictures (ffmpeg says "inf", which JSON cannot carry). */
export const PSNR_IDENTICAL_DB = 100;

export interface PsnrResult {
  frames: number;
  /** Mean squared error over frames and planes (8-bit scale). */
  mse: number;
  /** PSNR of that mean error in dB, capped at PSNR_IDENTICAL_DB. */
  psnr: number;
}

/** PSNR in dB of a mean squared error on 8-bit samples. */
export function psnrFromMse(mse: number): number {
  if (mse <= 0) return PSNR_IDENTICAL_DB;
  return Math.min(PSNR_IDENTICAL_DB, 10 * Math.log10((255 * 255) / mse));
}

/**
 * Reads the psnr filter's stats file: `n:1 mse_avg:1.02 mse_y:… psnr_avg:48.0 …` per frame. The result
 * averages the squared error over frames first (as ffmpeg's own summary does), then converts to dB.
 */
export function parsePsnr(text: string): PsnrResult {
  let frames = 0;
  let mse = 0;
  for (const line of text.split("\n")) {
    const m = /\bmse_avg:([\d.]+)/.exec(line);
    if (!m?.[1]) continue;
    frames += 1;
    mse += Number(m[1]);
  }
  if (frames === 0) throw new Error("no PSNR values in the psnr output");
  const mean = mse / frames;
  return { frames, mse: mean, psnr: psnrFromMse(mean) };
}

export interface SignalStatsResult {
  frames: number;
  /** Mean over frames of each `lavfi.signalstats.*` value, keyed without the prefix: YAVG, SATAVG, … */
  averages: Record<string, number>;
}

/** Reads `metadata=mode=print` output: a `frame:N pts:… pts_time:…` line, then `key=value` lines. */
export function parseSignalStats(text: string): SignalStatsResult {
  let frames = 0;
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (line.startsWith("frame:")) {
      frames += 1;
      continue;
    }
    const m = /^lavfi\.signalstats\.(\w+)=(-?[\d.]+)\s*$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    sums[m[1]] = (sums[m[1]] ?? 0) + Number(m[2]);
    counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  }
  const averages: Record<string, number> = {};
  for (const [key, sum] of Object.entries(sums)) averages[key] = sum / (counts[key] ?? 1);
  return { frames, averages };
}

/**
 * The mean of a per-pixel quantity outside a box, from its mean over the whole frame and its value inside
 * the box: full = f·inside + (1−f)·outside, with f the box's share of the frame. With a masked box (see
 * `compareArgs`), inside is the perfect value: 1 for SSIM, 0 for squared error. Null when the box is the
 * whole frame.
 */
export function areaWeightedOutside(full: number, inside: number, insideFraction: number): number | null {
  if (insideFraction >= 1) return null;
  if (insideFraction <= 0) return full;
  return (full - insideFraction * inside) / (1 - insideFraction);
}
