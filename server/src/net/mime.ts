import type { AssetType } from "@dailies/shared";

export const OCTET_STREAM = "application/octet-stream";

/** How many leading bytes {@link sniffMime} looks at at most. */
export const SNIFF_BYTES = 512;

/** Content types that say "no idea" and are worth sniffing. S3 and some CDNs send `binary/octet-stream`. */
const GENERIC_TYPES = new Set([
  OCTET_STREAM,
  "binary/octet-stream",
  "application/x-octet-stream",
  "application/binary",
  "application/unknown",
]);

/** `"Video/MP4; codecs=avc1"` → `"video/mp4"`; empty or malformed → `""`. */
export function normalizeMime(contentType: string | undefined | null): string {
  if (!contentType) return "";
  const mime = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mime) ? mime : "";
}

/** True when a (normalized) content type carries no information and the body should be sniffed instead. */
export function isGenericMime(mime: string): boolean {
  return mime === "" || GENERIC_TYPES.has(mime);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let out = "";
  for (let i = start; i < start + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function contains(bytes: Uint8Array, needle: string, limit = SNIFF_BYTES): boolean {
  return ascii(bytes, 0, Math.min(bytes.length, limit)).includes(needle);
}

/**
 * Guesses a media type from the first bytes of a file (pass at least {@link SNIFF_BYTES} when available):
 * MP4/MOV/M4A/HEIF/AVIF (`ftyp` box), WebM/Matroska (EBML), PNG, JPEG, GIF, WebP, WAV, AVI, MP3 (ID3 tag
 * or MPEG frame sync), AAC (ADTS), Ogg, FLAC, PDF and HTML. Returns `null` when nothing matches.
 */
export function sniffMime(bytes: Uint8Array): string | null {
  if (ascii(bytes, 4, 4) === "ftyp") {
    const brand = ascii(bytes, 8, 4);
    if (brand === "qt  ") return "video/quicktime";
    if (brand === "M4A " || brand === "M4B " || brand === "M4P ") return "audio/mp4";
    if (brand === "avif" || brand === "avis") return "image/avif";
    if (brand === "heic" || brand === "heix" || brand === "hevc" || brand === "hevx") return "image/heic";
    if (brand === "mif1" || brand === "msf1") return "image/heif";
    if (brand.startsWith("3g2")) return "video/3gpp2";
    if (brand.startsWith("3gp")) return "video/3gpp";
    return "video/mp4";
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return contains(bytes, "webm") ? "video/webm" : "video/x-matroska";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  const head6 = ascii(bytes, 0, 6);
  if (head6 === "GIF87a" || head6 === "GIF89a") return "image/gif";
  if (ascii(bytes, 0, 4) === "RIFF") {
    const form = ascii(bytes, 8, 4);
    if (form === "WEBP") return "image/webp";
    if (form === "WAVE") return "audio/wav";
    if (form === "AVI ") return "video/x-msvideo";
  }
  if (ascii(bytes, 0, 4) === "OggS") return contains(bytes, "\x80theora") ? "video/ogg" : "audio/ogg";
  if (ascii(bytes, 0, 4) === "fLaC") return "audio/flac";
  if (ascii(bytes, 0, 3) === "ID3") return "audio/mpeg";
  if (bytes.length >= 2 && bytes[0] === 0xff) {
    const b1 = bytes[1]!;
    if ((b1 & 0xf6) === 0xf0) return "audio/aac"; // ADTS: sync + layer 00
    if ((b1 & 0xe0) === 0xe0 && ((b1 >> 1) & 0x03) !== 0 && ((b1 >> 3) & 0x03) !== 0x01) return "audio/mpeg";
  }
  if (ascii(bytes, 0, 5) === "%PDF-") return "application/pdf";
  if (looksLikeHtml(bytes)) return "text/html";
  return null;
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  let start = 0;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) start = 3;
  while (start < bytes.length && [0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(bytes[start]!)) start++;
  const head = ascii(bytes, start, 14).toLowerCase();
  return head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<head");
}

/** Audio assets often arrive in video containers (an mp4/webm with only an audio track). */
const AUDIO_CONTAINERS = new Set(["video/mp4", "video/webm", "application/ogg"]);

/**
 * Whether a downloaded file's media type fits the asset type it is stored as. IMAGE → image/*, VIDEO →
 * video/*, STORYBOARD → image/* or video/*, AUDIO/MUSIC/VOICE/NARRATION → audio/* plus video/mp4, video/webm
 * and application/ogg containers, OTHER → anything except an HTML page (usually an error or login page that
 * came back instead of the file).
 */
export function mimeMatchesAssetType(mime: string, assetType: AssetType): boolean {
  const m = normalizeMime(mime);
  const top = m.split("/")[0];
  switch (assetType) {
    case "IMAGE":
      return top === "image";
    case "VIDEO":
      return top === "video";
    case "STORYBOARD":
      return top === "image" || top === "video";
    case "AUDIO":
    case "MUSIC":
    case "VOICE":
    case "NARRATION":
      return top === "audio" || AUDIO_CONTAINERS.has(m);
    case "OTHER":
      return m !== "text/html" && m !== "application/xhtml+xml";
    default: {
      const exhaustive: never = assetType;
      return exhaustive;
    }
  }
}
