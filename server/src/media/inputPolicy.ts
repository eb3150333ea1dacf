/**
 * What ffmpeg and ffprobe may open (issue 9). Pure: the argument rewriting and the checks on a probe.
 *
 * ffmpeg picks a demuxer by sniffing a file's bytes, and some demuxers open *other* files or URLs (`hls`
 * playlists, `concat`, `image2` patterns, `tee`, `lavfi`, `subfile`…). A user's "video" that is really an
 * m3u8 playlist would otherwise read any file on the host. So every input of every run is opened with:
 *
 * - `-protocol_whitelist file`: only local files; nested opens inherit it (no http, no pipe, no subfile).
 * - `-format_whitelist <MEDIA_DEMUXERS>`: only the real containers we accept; ffmpeg refuses any other
 *   demuxer it would have picked ("Format not on whitelist").
 *
 * Inputs whose demuxer we force ourselves (`-f concat` over our own render parts, `-f lavfi` sources) keep
 * that demuxer (plus the media list for what concat opens) and the same protocol list.
 */
import type { ProbeResult } from "./probe.js";

/**
 * Demuxer names (ffmpeg's `AVInputFormat.name` parts) of the containers we accept. `image2` is the demuxer
 * ffmpeg picks for a single `.jpg`/`.png` path; it is safe here because every path we hand ffmpeg is a name
 * we generated (no `%d` pattern: see {@link assertPlainPath}).
 */
export const MEDIA_DEMUXERS = [
  // MP4/MOV family (mp4, mov, m4a, 3gp; AVIF stills too). External data references stay off (ffmpeg default).
  "mov",
  "mp4",
  "m4a",
  "3gp",
  "3g2",
  "mj2",
  // Matroska / WebM
  "matroska",
  "webm",
  // Audio
  "mp3",
  "wav",
  "ogg",
  "flac",
  "aac",
  // Raster images
  "image2",
  "png_pipe",
  "jpeg_pipe",
  "webp_pipe",
  "gif",
  "bmp_pipe",
  "tiff_pipe",
] as const;

const MEDIA_DEMUXER_SET = new Set<string>(MEDIA_DEMUXERS);
export const FORMAT_WHITELIST = MEDIA_DEMUXERS.join(",");
export const PROTOCOL_WHITELIST = "file";

/**
 * True when ffprobe's `format_name` (e.g. "mov,mp4,m4a,3gp,3g2,mj2", "png_pipe") is one of ours. Every
 * comma-separated name must be on the list, so "hls" or "svg_pipe" never pass.
 */
export function isAllowedFormat(formatName: string): boolean {
  const names = formatName.split(",").filter(Boolean);
  return names.length > 0 && names.every((name) => MEDIA_DEMUXER_SET.has(name));
}

/** Thrown before a run when an input is not a plain local path (a URL, a pattern, stdin). */
export class UnsafeInputError extends Error {
  constructor(readonly input: string) {
    super("an ffmpeg input must be a plain local file path");
    this.name = "UnsafeInputError";
  }
}

/**
 * Refuses protocol prefixes (`http:`, `subfile:`…), stdin, and `%` (image2's `%d` sequence patterns; its
 * default pattern type reads a name without `%` as one literal file).
 */
export function assertPlainPath(input: string): void {
  if (input === "" || input === "-" || /^[a-z][a-z0-9+.-]*:/i.test(input) || input.includes("%"))
    throw new UnsafeInputError(input);
}

/** The options put before every `-i` that we did not force a demuxer for: the safe default for user media. */
export function mediaInputOptions(): string[] {
  return ["-protocol_whitelist", PROTOCOL_WHITELIST, "-format_whitelist", FORMAT_WHITELIST];
}

/**
 * Rewrites an ffmpeg argument list so every input is opened under the allow-lists. An input is the value
 * after `-i`; the options between the previous input (or the start) and its `-i` are its own, so a `-f X`
 * there means we forced demuxer X (kept, with the protocol list). Inputs we did not force must be plain paths.
 */
export function restrictInputs(args: readonly string[]): string[] {
  const out: string[] = [];
  let groupStart = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-i" && i + 1 < args.length) {
      const input = args[i + 1] as string;
      const group = out.slice(groupStart);
      const forced = group.lastIndexOf("-f");
      const forcedFormat = forced >= 0 ? group[forced + 1] : undefined;
      if (forcedFormat) {
        out.push("-protocol_whitelist", PROTOCOL_WHITELIST, "-format_whitelist", `${forcedFormat},${FORMAT_WHITELIST}`);
      } else {
        assertPlainPath(input);
        out.push(...mediaInputOptions());
      }
      out.push("-i", input);
      i++;
      groupStart = out.length;
      continue;
    }
    out.push(arg);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Limits checked on the probe, before anything is decoded
// ---------------------------------------------------------------------------------------------------------

export interface MediaLimits {
  /** Width × height of a still image. */
  maxImagePixels: number;
  /** Width × height of one video frame. */
  maxVideoPixels: number;
  maxFps: number;
  maxDurationSec: number;
}

/** The words every refusal uses: never ffmpeg's message or a path (those go to the log). */
export const UNSUPPORTED_MEDIA = "not a supported video, audio or image file";

/**
 * Why a probed file may not become media, in our words; null when it may. Checks the container against the
 * allow-list and the picture size, frame rate and duration against `limits` (a decompression bomb declares
 * a huge size in a few bytes: refusing from the header means it is never decoded).
 */
export function mediaProblem(probe: ProbeResult, limits: MediaLimits): string | null {
  if (!isAllowedFormat(probe.formatName)) return UNSUPPORTED_MEDIA;
  const pixels = (probe.width ?? 0) * (probe.height ?? 0);
  if (probe.kind === "image" && pixels > limits.maxImagePixels)
    return `the image is ${probe.width}×${probe.height}, more than the ${limits.maxImagePixels}-pixel limit`;
  if (probe.kind === "video" && pixels > limits.maxVideoPixels)
    return `the video is ${probe.width}×${probe.height}, more than the ${limits.maxVideoPixels}-pixel frame limit`;
  if (probe.kind === "video" && probe.fps !== null && probe.fps > limits.maxFps)
    return `the video runs at ${Math.round(probe.fps)} frames per second, more than the limit of ${limits.maxFps}`;
  if (probe.kind !== "image" && probe.durationSec > limits.maxDurationSec)
    return `the file lasts ${Math.round(probe.durationSec)} s, more than the limit of ${limits.maxDurationSec} s`;
  return null;
}
