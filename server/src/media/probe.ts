/**
 * ffprobe: the argument list and a pure parser from ffprobe's JSON to the domain type the rest of the
 * server uses. The parser is tested on saved ffprobe outputs (test/media/fixtures/*.probe.json).
 * Every probe opens its file under the allow-lists of inputPolicy.ts.
 */
import { assertPlainPath, mediaInputOptions } from "./inputPolicy.js";

export type MediaKind = "video" | "audio" | "image";

export interface ProbeResult {
  /** Seconds; 0 for still images and when ffprobe reports no duration. */
  durationSec: number;
  /** Display size: swapped for streams rotated by ±90° (ffmpeg auto-rotates when decoding). */
  width: number | null;
  height: number | null;
  /** Frames per second of the video stream; null for still images and audio. */
  fps: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  hasVideo: boolean;
  hasAudio: boolean;
  kind: MediaKind;
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "png_pipe", "image2". */
  formatName: string;
}

/** `ffprobe <these args>` prints the JSON that {@link parseProbe} reads. */
export function probeArgs(file: string): string[] {
  assertPlainPath(file);
  return ["-v", "error", ...mediaInputOptions(), "-print_format", "json", "-show_format", "-show_streams", file];
}

/** How far into a file the keyframe probe reads: enough for a few GOPs of any common encoder. */
export const KEYFRAME_PROBE_SECONDS = 12;

/**
 * Lists the video packets of the first seconds with their flags. Demuxing only (no decoding), so it costs
 * a few milliseconds even on 4K files.
 */
export function keyframeProbeArgs(file: string, seconds = KEYFRAME_PROBE_SECONDS): string[] {
  assertPlainPath(file);
  return [
    "-v",
    "error",
    ...mediaInputOptions(),
    "-select_streams",
    "v:0",
    "-read_intervals",
    `%+${seconds}`,
    "-show_entries",
    "packet=pts_time,flags",
    "-of",
    "csv=p=0",
    file,
  ];
}

/**
 * The typical distance between keyframes (median gap) from `keyframeProbeArgs` output lines such as
 * `1.033333,K__`; null when fewer than two keyframes were seen (a GOP longer than the probed span).
 */
export function parseKeyframeInterval(csv: string): number | null {
  const times = csv
    .split("\n")
    .map((line) => line.trim().split(","))
    .filter(([pts, flags]) => pts && flags?.includes("K") && Number.isFinite(Number(pts)))
    .map(([pts]) => Number(pts))
    .sort((a, b) => a - b);
  const gaps = times
    .slice(1)
    .map((t, i) => t - (times[i] as number))
    .filter((g) => g > 0);
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] as number;
}

/**
 * Demuxers that only ever hold a single picture. "image2" is the file-pattern demuxer ffprobe uses for
 * `.jpg`/`.png` names; the `*_pipe` ones are what it picks when it sniffs the content.
 */
const IMAGE_FORMATS = new Set([
  "image2",
  "png_pipe",
  "jpeg_pipe",
  "webp_pipe",
  "bmp_pipe",
  "tiff_pipe",
  "gif_pipe",
  "jpegls_pipe",
  "j2k_pipe",
  "qoi_pipe",
  "svg_pipe",
  "avif",
]);

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string };
}

/** Parses ffprobe's `-show_format -show_streams` JSON (the parsed object or its text). */
export function parseProbe(json: unknown): ProbeResult {
  const raw = (typeof json === "string" ? JSON.parse(json) : json) as RawProbe;
  const streams = raw.streams ?? [];
  const formatName = raw.format?.format_name ?? "";
  // Cover art in audio files is a video stream flagged attached_pic: it is not a picture track.
  const video = streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  const audio = streams.find((s) => s.codec_type === "audio");

  const formatDuration = positiveNumber(raw.format?.duration);
  const streamDuration = positiveNumber(video?.duration) ?? positiveNumber(audio?.duration);

  const isImage =
    video !== undefined &&
    audio === undefined &&
    (IMAGE_FORMATS.has(formatName) || (formatDuration === null && streamDuration === null));

  let width = video?.width ?? null;
  let height = video?.height ?? null;
  if (video && Math.abs(rotationOf(video)) % 180 === 90) [width, height] = [height, width];

  const kind = isImage ? "image" : video ? "video" : "audio";
  return {
    durationSec: isImage ? 0 : (formatDuration ?? streamDuration ?? 0),
    width,
    height,
    fps: video && !isImage ? frameRate(video) : null,
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    hasVideo: video !== undefined,
    hasAudio: audio !== undefined,
    kind,
    formatName,
  };
}

function positiveNumber(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** "30000/1001" → 29.97…; prefers avg_frame_rate (r_frame_rate is a guess for variable-rate files). */
function frameRate(stream: RawStream): number | null {
  for (const rate of [stream.avg_frame_rate, stream.r_frame_rate]) {
    const [num, den] = (rate ?? "").split("/").map(Number);
    if (num !== undefined && den !== undefined && num > 0 && den > 0) return num / den;
  }
  return null;
}

/** Rotation from the display matrix (ffmpeg ≥ 5) or the legacy `rotate` tag. */
function rotationOf(stream: RawStream): number {
  const fromSideData = stream.side_data_list?.find((d) => typeof d.rotation === "number")?.rotation;
  if (fromSideData !== undefined) return fromSideData;
  const tag = Number(stream.tags?.rotate ?? 0);
  return Number.isFinite(tag) ? tag : 0;
}

/** What ffprobe found, in the shape of the media table's columns (an image has no duration). */
export function probeColumns(probe: ProbeResult) {
  return {
    kind: probe.kind,
    durationSec: probe.kind === "image" ? null : probe.durationSec,
    width: probe.width,
    height: probe.height,
    fps: probe.fps,
    videoCodec: probe.videoCodec,
    audioCodec: probe.audioCodec,
    hasAudio: probe.hasAudio,
  };
}
