/**
 * Checks for files the server receives (uploads, `video_url` imports): is it a decodable video, audio or
 * image, and which content type does it really have. The argument builder and the mime mapping are pure;
 * `checkDecodable` runs them.
 */
import type { FfmpegRunner } from "./ffmpeg.js";
import type { MediaKind, ProbeResult } from "./probe.js";

/**
 * Decodes the first picture (video, image) or the first second of sound (audio) and throws the result away.
 * ffprobe only reads headers, so a file with a valid header and a broken stream passes it; this does not.
 */
export function decodeCheckArgs(input: string, kind: MediaKind): string[] {
  return kind === "audio"
    ? ["-i", input, "-map", "0:a:0", "-t", "1", "-f", "null", "-"]
    : ["-i", input, "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-"];
}

/** Runs {@link decodeCheckArgs}; rejects with the FfmpegError when ffmpeg cannot decode the stream. */
export async function checkDecodable(runner: FfmpegRunner, input: string, kind: MediaKind): Promise<void> {
  await runner.run(decodeCheckArgs(input, kind), { check: true });
}

const MIME_BY_FORMAT: [RegExp, string][] = [
  [/^png_pipe$/, "image/png"],
  [/^(jpeg_pipe|jpegls_pipe)$/, "image/jpeg"],
  [/^webp_pipe$/, "image/webp"],
  [/^gif(_pipe)?$/, "image/gif"],
  [/^bmp_pipe$/, "image/bmp"],
  [/^tiff_pipe$/, "image/tiff"],
  [/^avif$/, "image/avif"],
  [/^mp3$/, "audio/mpeg"],
  [/^wav$/, "audio/wav"],
  [/^ogg$/, "audio/ogg"],
  [/^aac$/, "audio/aac"],
  [/^flac$/, "audio/flac"],
];

/**
 * The content type to store and serve a probed file with. It comes from what ffprobe found, never from the
 * client's claim alone: the claim is used only to tell apart formats ffprobe names together (mp4 vs mov,
 * image2 = any still by file name), and only when it agrees with the kind found.
 */
export function mimeForProbe(probe: Pick<ProbeResult, "kind" | "formatName" | "videoCodec">, claimed: string): string {
  const claim = claimed.split(";")[0]?.trim().toLowerCase() ?? "";
  const claimFits = claim.startsWith(`${probe.kind}/`);
  const format = probe.formatName;
  if (format.startsWith("mov,mp4")) {
    if (probe.kind === "audio") return "audio/mp4";
    return claim === "video/quicktime" ? "video/quicktime" : "video/mp4";
  }
  if (format.startsWith("matroska,webm")) {
    const webm = ["vp8", "vp9", "av1"].includes(probe.videoCodec ?? "");
    if (probe.kind === "audio") return "audio/webm";
    return webm ? "video/webm" : "video/x-matroska";
  }
  for (const [pattern, mime] of MIME_BY_FORMAT) if (pattern.test(format)) return mime;
  if (format === "image2" && probe.videoCodec === "mjpeg") return "image/jpeg";
  if (format === "image2" && probe.videoCodec === "png") return "image/png";
  if (claimFits) return claim;
  return { video: "video/mp4", audio: "audio/mpeg", image: "image/jpeg" }[probe.kind] ?? "application/octet-stream";
}
