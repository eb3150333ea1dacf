/**
 * Shared pieces of the ffmpeg argument builders: numbers and escaping, size checks, the encode settings.
 *
 * The lists of every builder omit the flags every run shares (`COMMON_FFMPEG_ARGS` in ffmpeg.ts: -hide_banner
 * -nostdin -y -loglevel error), which the runner prepends. Nothing in `args/` touches the disk or starts a
 * process: tests compare the results as data, and `operations.ts` runs them.
 */

/** Seconds as ffmpeg reads them: at most microseconds (AV_TIME_BASE), never an exponent. */
export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) throw new RangeError(`invalid time: ${sec}`);
  return trimNumber(sec.toFixed(6));
}

/** A filter parameter: 4 decimals are finer than any 8-bit effect, and never an exponent. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) throw new RangeError(`invalid number: ${value}`);
  return trimNumber(value.toFixed(digits));
}

export function trimNumber(fixed: string): string {
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

export function assertPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

export function assertEvenSize(width: number, height: number): void {
  assertPositiveInt("width", width);
  assertPositiveInt("height", height);
  // libx264 with yuv420p (the format every player accepts) needs even dimensions.
  if (width % 2 !== 0 || height % 2 !== 0)
    throw new RangeError(`width and height must be even, got ${width}x${height}`);
}

/** Scales to a width keeping the aspect ratio; -2 keeps the height even. */
export function scaleToWidth(width: number): string {
  assertPositiveInt("width", width);
  return `scale=${width}:-2`;
}

/** JPEG quality for frames: 2 (best) … 31; 3 is visually lossless at a fraction of the size of 2. */
export const JPEG_QUALITY = "3";

/**
 * Options for a single-picture output. `-update 1` makes the image2 muxer treat the name as a plain file
 * name, so a `%` in a path is never read as a frame-number pattern.
 */
export function singleImageOutput(output: string): string[] {
  return ["-frames:v", "1", "-update", "1", output];
}

export const VIDEO_ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"];
export const AUDIO_ENCODE = ["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2"];
export const PROGRESS = ["-progress", "pipe:1", "-nostats"];

/** A filter graph's `[v]` and the input's first audio stream (when there is one) in the export format. */
export const FILTERED_VIDEO_OUTPUT = [
  "-map",
  "[v]",
  "-map",
  "0:a:0?",
  ...VIDEO_ENCODE,
  ...AUDIO_ENCODE,
  "-movflags",
  "+faststart",
];
