/**
 * A probe without a child process, for the files mirroring sees nearly always: JPEG, PNG and WebP stills, and
 * MP4/MOV movies with H.264 pictures and AAC, MP3, Opus, AC-3 or E-AC-3 sound. It reads the
 * same headers ffprobe's `-show_format -show_streams` reads and answers what ffprobe would (tested side by side
 * on real files in test/media/headerProbe.test.ts); nothing is decoded here either.
 *
 * Why: one ffprobe run costs 150–200 ms of CPU on a small machine, nearly all of it loading ffmpeg's ~200
 * shared libraries, and every capture brings two files (issue 17). This costs well under a millisecond.
 *
 * Anything it does not know entirely (another format or codec, an animation, a fragmented or truncated movie,
 * a skewed display matrix, a box that does not add up) answers null, and the caller runs ffprobe as before.
 * The picture size that the limits are checked on is the decoder's own: a still's frame header, and for H.264
 * the sequence parameter set, which must agree with the sample entry's size and may not be repeated in the
 * first sample (where a decoder would take a new one from). ffprobe reports the size its decoder found, so a
 * file that declares one size to the container and another to the decoder is left to it.
 */
import { open } from "node:fs/promises";
import type { ProbeResult } from "./probe.js";

/** ffprobe's format_name for the ISO/QuickTime family (one demuxer). */
export const MOV_FORMAT = "mov,mp4,m4a,3gp,3g2,mj2";

/** How much of a still image is read for its header; a JPEG's size can follow long EXIF/ICC segments. */
const IMAGE_HEAD_BYTES = 256 * 1024;
/** A movie index larger than this is left to ffprobe (an hour of 60 fps video indexes in a few MB). */
const MAX_MOOV_BYTES = 32 * 1024 * 1024;
/** Top-level boxes walked before giving up. */
const MAX_TOP_BOXES = 64;
/** Children of one box: real movies have a handful; 32 MB of empty 8-byte boxes would be four million objects. */
const MAX_CHILD_BOXES = 4096;

const ascii = (b: Uint8Array, at: number, n = 4) => String.fromCharCode(...b.subarray(at, at + n));
const u16 = (b: Uint8Array, at: number) => ((b[at] as number) << 8) | (b[at + 1] as number);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) * 0x10000 + u16(b, at + 2)) >>> 0;
const i32 = (b: Uint8Array, at: number) => u32(b, at) | 0;
const u64 = (b: Uint8Array, at: number) => u32(b, at) * 2 ** 32 + u32(b, at + 4);

function still(width: number, height: number, codec: string, formatName: string): ProbeResult | null {
  if (width <= 0 || height <= 0) return null;
  return {
    durationSec: 0,
    width,
    height,
    fps: null,
    videoCodec: codec,
    audioCodec: null,
    hasVideo: true,
    hasAudio: false,
    kind: "image",
    formatName,
  };
}

// ---------------------------------------------------------------------------------------------- stills

/** PNG: the IHDR size; an APNG (an acTL chunk before the first IDAT) is left to ffprobe. */
export function parsePng(b: Uint8Array): ProbeResult | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 33 || signature.some((v, i) => b[i] !== v)) return null;
  if (u32(b, 8) !== 13 || ascii(b, 12) !== "IHDR") return null;
  const width = u32(b, 16);
  const height = u32(b, 20);
  for (let at = 33; at + 8 <= b.length; ) {
    const length = u32(b, at);
    const type = ascii(b, at + 4);
    if (type === "acTL") return null;
    if (type === "IDAT") return still(width, height, "png", "png_pipe");
    at += 12 + length;
  }
  return null;
}

/** Baseline, extended and progressive Huffman JPEG (SOF0–2); lossless, arithmetic and JPEG-LS go to ffprobe. */
export function parseJpeg(b: Uint8Array): ProbeResult | null {
  if (b[0] !== 0xff || b[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    while (b[at + 1] === 0xff && at + 2 < b.length) at++; // fill bytes
    const marker = b[at + 1] as number;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end or scan before any frame header
    const length = u16(b, at + 2);
    if (length < 2) return null;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (marker > 0xc2 || length < 8 || at + 9 > b.length) return null;
      return still(u16(b, at + 7), u16(b, at + 5), "mjpeg", "jpeg_pipe");
    }
    at += 2 + length;
  }
  return null;
}

/** Still WebP (VP8, VP8L, or VP8X around one of them); an animation goes to ffprobe. */
export function parseWebp(b: Uint8Array): ProbeResult | null {
  if (b.length < 30 || ascii(b, 0) !== "RIFF" || ascii(b, 8) !== "WEBP") return null;
  let canvas: [number, number] | null = null;
  for (let at = 12; at + 8 <= b.length; ) {
    const type = ascii(b, at);
    const size = b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! * 0x1000000);
    const body = at + 8;
    if (type === "VP8X") {
      if (size < 10 || body + 10 > b.length || ((b[body] as number) & 0x02) !== 0) return null; // animated
      const le24 = (p: number) => b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
      canvas = [le24(body + 4) + 1, le24(body + 7) + 1];
    } else if (type === "VP8 " || type === "VP8L") {
      const size2 = type === "VP8 " ? vp8Size(b, body) : vp8lSize(b, body);
      if (!size2 || (canvas && (canvas[0] !== size2[0] || canvas[1] !== size2[1]))) return null;
      return still(size2[0], size2[1], "webp", "webp_pipe");
    } else if (type === "ANIM" || type === "ANMF") return null;
    at = body + size + (size & 1);
  }
  return null;
}

function vp8Size(b: Uint8Array, at: number): [number, number] | null {
  if (at + 10 > b.length || b[at + 3] !== 0x9d || b[at + 4] !== 0x01 || b[at + 5] !== 0x2a) return null;
  if (((b[at] as number) & 0x01) !== 0) return null; // not a key frame
  return [(b[at + 6]! | (b[at + 7]! << 8)) & 0x3fff, (b[at + 8]! | (b[at + 9]! << 8)) & 0x3fff];
}

function vp8lSize(b: Uint8Array, at: number): [number, number] | null {
  if (at + 5 > b.length || b[at] !== 0x2f) return null;
  const bits = b[at + 1]! | (b[at + 2]! << 8) | (b[at + 3]! << 16) | (b[at + 4]! * 0x1000000);
  return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
}

/** A still image from its first bytes, or null. */
export function parseStill(head: Uint8Array): ProbeResult | null {
  return parseJpeg(head) ?? parsePng(head) ?? parseWebp(head);
}

// ---------------------------------------------------------------------------------------------- H.264

/** Exp-Golomb reader over a NAL unit's payload with its emulation-prevention bytes removed. */
class Bits {
  private pos = 0;
  private readonly bytes: number[] = [];
  constructor(nal: Uint8Array) {
    for (let i = 0; i < nal.length; i++) {
      if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
      this.bytes.push(nal[i] as number);
    }
  }
  bit(): number {
    const byte = this.bytes[this.pos >> 3];
    if (byte === undefined) throw new RangeError("past the end of the NAL unit");
    return (byte >> (7 - (this.pos++ & 7))) & 1;
  }
  bitsOf(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new RangeError("exp-Golomb code too long");
    return 2 ** zeros - 1 + this.bitsOf(zeros);
  }
  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -k / 2;
  }
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** The decoded picture size an H.264 sequence parameter set (NAL header included) declares, after cropping. */
export function h264SpsSize(nal: Uint8Array): { width: number; height: number } | null {
  if (((nal[0] ?? 0) & 0x1f) !== 7) return null;
  try {
    const r = new Bits(nal.subarray(1));
    const profile = r.bitsOf(8);
    r.bitsOf(16); // constraint flags, level
    r.ue(); // seq_parameter_set_id
    let chromaFormat = 1;
    let separatePlanes = 0;
    if (HIGH_PROFILES.has(profile)) {
      chromaFormat = r.ue();
      if (chromaFormat > 3) return null;
      if (chromaFormat === 3) separatePlanes = r.bit();
      r.ue(); // bit depths
      r.ue();
      r.bit(); // qpprime_y_zero_transform_bypass_flag
      if (r.bit()) {
        for (let i = 0; i < (chromaFormat === 3 ? 12 : 8); i++) {
          if (!r.bit()) continue;
          let last = 8;
          let next = 8;
          for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
            if (next !== 0) next = (last + r.se() + 256) % 256;
            last = next === 0 ? last : next;
          }
        }
      }
    }
    r.ue(); // log2_max_frame_num_minus4
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.bit();
      r.se();
      r.se();
      const cycle = r.ue();
      if (cycle > 255) return null;
      for (let i = 0; i < cycle; i++) r.se();
    } else if (pocType !== 2) return null;
    r.ue(); // max_num_ref_frames
    r.bit(); // gaps_in_frame_num_value_allowed_flag
    const widthMbs = r.ue() + 1;
    const heightUnits = r.ue() + 1;
    const frameMbsOnly = r.bit();
    if (!frameMbsOnly) r.bit();
    r.bit(); // direct_8x8_inference_flag
    let [left, right, top, bottom] = [0, 0, 0, 0];
    if (r.bit()) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    const mono = chromaFormat === 0 || separatePlanes === 1;
    const cropX = mono || chromaFormat === 3 ? 1 : 2;
    const cropY = (mono || chromaFormat !== 1 ? 1 : 2) * (2 - frameMbsOnly);
    const width = widthMbs * 16 - cropX * (left + right);
    const height = (2 - frameMbsOnly) * heightUnits * 16 - cropY * (top + bottom);
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    return null;
  }
}

/** An `avcC` box's first sequence parameter set's size and the length of its NAL size fields. */
function avcConfig(b: Uint8Array, avcC: Box): { width: number; height: number; nalLengthSize: number } | null {
  const at = avcC.body;
  if (at + 8 > avcC.end || b[at] !== 1 || ((b[at + 5] as number) & 0x1f) < 1) return null;
  const nalLengthSize = ((b[at + 4] as number) & 0x03) + 1;
  const length = u16(b, at + 6);
  if (nalLengthSize === 3 || at + 8 + length > avcC.end) return null;
  const size = h264SpsSize(b.subarray(at + 8, at + 8 + length));
  return size && { ...size, nalLengthSize };
}

/** Where the track's first sample lies in the file (the first chunk's offset, the first size). */
function firstSample(b: Uint8Array, stbl: Box): { offset: number; size: number } | null {
  const stsz = child(b, stbl, ["stsz"]);
  const stco = child(b, stbl, ["stco"]);
  const co64 = child(b, stbl, ["co64"]);
  if (!stsz || stsz.body + 12 > stsz.end || u32(b, stsz.body + 8) === 0) return null;
  const fixed = u32(b, stsz.body + 4);
  if (fixed === 0 && stsz.body + 16 > stsz.end) return null;
  const size = fixed || u32(b, stsz.body + 12);
  if (stco && stco.body + 12 <= stco.end && u32(b, stco.body + 4) > 0) return { offset: u32(b, stco.body + 8), size };
  if (co64 && co64.body + 16 <= co64.end && u32(b, co64.body + 4) > 0) return { offset: u64(b, co64.body + 8), size };
  return null;
}

// ---------------------------------------------------------------------------------------------- movies

interface Box {
  type: string;
  /** Where the box's content starts and ends, in the buffer. */
  body: number;
  end: number;
}

/** The child boxes in [start, end); null when one does not fit (a file that does not add up). */
function boxes(b: Uint8Array, start: number, end: number): Box[] | null {
  const out: Box[] = [];
  for (let at = start; at < end; ) {
    if (at + 8 > end || out.length === MAX_CHILD_BOXES) return null;
    let size = u32(b, at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) return null;
      size = u64(b, at + 8);
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header || at + size > end) return null;
    out.push({ type: ascii(b, at + 4), body: at + header, end: at + size });
    at += size;
  }
  return out;
}

function child(b: Uint8Array, parent: Box | undefined, path: string[]): Box | undefined {
  let box = parent;
  for (const type of path) {
    if (!box) return undefined;
    box = boxes(b, box.body, box.end)?.find((c) => c.type === type);
  }
  return box;
}

const AUDIO_CODECS: Record<string, string> = { Opus: "opus", "ac-3": "ac3", "ec-3": "eac3" };

/** A 3×3 display matrix of 16.16/2.30 fixed values is one of the right angles: the angle, or null. */
function rightAngle(b: Uint8Array, at: number): 0 | 90 | null {
  const [a, bb, u, c, d, v, x, y, w] = Array.from({ length: 9 }, (_, i) => i32(b, at + 4 * i));
  if (u !== 0 || v !== 0 || x !== 0 || y !== 0 || w !== 0x40000000) return null;
  const one = 0x10000;
  if (bb === 0 && c === 0 && Math.abs(a as number) === one && Math.abs(d as number) === one) return 0;
  if (a === 0 && d === 0 && Math.abs(bb as number) === one && Math.abs(c as number) === one) return 90;
  return null;
}

/** Version-0/1 full box: the offset of a field after the version's 32- or 64-bit times. */
const timed = (b: Uint8Array, box: Box) => (b[box.body] === 1 ? 8 : 4);

/** ffprobe's codec name for an `mp4a` entry, from its decoder config's object type (AAC or MP3 only). */
function mp4aCodec(b: Uint8Array, entry: Box): string | null {
  const version = u16(b, entry.body + 8);
  const childrenAt = entry.body + 28 + (version === 1 ? 16 : version === 2 ? 36 : 0);
  if (version > 2 || childrenAt > entry.end) return null;
  const kids = boxes(b, childrenAt, entry.end);
  const wave = kids?.find((k) => k.type === "wave");
  const esds = kids?.find((k) => k.type === "esds") ?? (wave && child(b, wave, ["esds"]));
  if (!esds) return null;
  let at = esds.body + 4;
  const descriptor = (tag: number): boolean => {
    if (b[at] !== tag) return false;
    at++;
    for (let i = 0; i < 4 && at < esds.end; i++) if (((b[at++] as number) & 0x80) === 0) return true;
    return false;
  };
  if (!descriptor(0x03)) return null;
  const flags = b[at + 2] as number;
  at += 3;
  if (flags & 0x80) at += 2;
  if (flags & 0x40) at += 1 + (b[at] as number);
  if (flags & 0x20) at += 2;
  if (at >= esds.end || !descriptor(0x04) || at >= esds.end) return null;
  const objectType = b[at] as number;
  if ([0x40, 0x66, 0x67, 0x68].includes(objectType)) return "aac";
  if (objectType === 0x69 || objectType === 0x6b) return "mp3";
  return null;
}

interface Track {
  kind: "video" | "audio";
  codec: string;
  width: number;
  height: number;
  fps: number | null;
  /** H.264: the first sample, to be read for parameter sets that would replace the configuration's. */
  check?: { offset: number; size: number; nalLengthSize: number; width: number; height: number };
}

/** One `trak`: its handler, first sample entry and timing; null when any of it is unknown or inconsistent. */
function parseTrack(b: Uint8Array, trak: Box, movieRotation: 0 | 90): Track | null | "other" {
  const tkhd = child(b, trak, ["tkhd"]);
  const mdia = child(b, trak, ["mdia"]);
  const mdhd = child(b, mdia, ["mdhd"]);
  const hdlr = child(b, mdia, ["hdlr"]);
  const stbl = child(b, mdia, ["minf", "stbl"]);
  if (!tkhd || !mdhd || !hdlr || !stbl || hdlr.body + 12 > hdlr.end) return null;
  const handler = ascii(b, hdlr.body + 8);
  if (handler !== "vide" && handler !== "soun") return "other";

  const stsd = child(b, stbl, ["stsd"]);
  if (!stsd || stsd.body + 8 > stsd.end || u32(b, stsd.body + 4) < 1) return null;
  const entry = boxes(b, stsd.body + 8, stsd.end)?.[0];
  if (!entry) return null;

  if (handler === "soun") {
    const codec = entry.type === "mp4a" ? mp4aCodec(b, entry) : AUDIO_CODECS[entry.type];
    return codec ? { kind: "audio", codec, width: 0, height: 0, fps: null } : null;
  }
  // avc3 carries its parameter sets in the stream only: ffprobe's turn, like every other picture codec.
  if (entry.type !== "avc1" || entry.body + 78 > entry.end) return null;
  let width = u16(b, entry.body + 24);
  let height = u16(b, entry.body + 26);
  // The visual sample entry's fixed fields take 78 bytes; its child boxes follow.
  const avcC = boxes(b, entry.body + 78, entry.end)?.find((k) => k.type === "avcC");
  const config = avcC && avcConfig(b, avcC);
  const sample = firstSample(b, stbl);
  if (!config || !sample || config.width !== width || config.height !== height) return null;
  const matrixAt = tkhd.body + (b[tkhd.body] === 1 ? 52 : 40);
  if (matrixAt + 36 > tkhd.end) return null;
  const angle = rightAngle(b, matrixAt);
  if (angle === null) return null;
  if ((angle + movieRotation) % 180 === 90) [width, height] = [height, width];

  // avg_frame_rate as ffmpeg's mov demuxer derives it: all samples over the sum of their durations.
  const timescaleAt = mdhd.body + 4 + 2 * timed(b, mdhd);
  if (timescaleAt + 4 > mdhd.end) return null;
  const timescale = u32(b, timescaleAt);
  const stts = child(b, stbl, ["stts"]);
  if (!stts || stts.body + 8 > stts.end || timescale === 0) return null;
  const entries = u32(b, stts.body + 4);
  if (stts.body + 8 + entries * 8 > stts.end) return null;
  let samples = 0;
  let ticks = 0;
  for (let i = 0; i < entries; i++) {
    const count = u32(b, stts.body + 8 + i * 8);
    samples += count;
    ticks += count * u32(b, stts.body + 12 + i * 8);
  }
  if (samples === 0 || ticks === 0) return null;
  const fps = (samples * timescale) / ticks;
  const check = { ...sample, nalLengthSize: config.nalLengthSize, width: config.width, height: config.height };
  return { kind: "video", codec: "h264", width, height, fps, check };
}

export interface MovieHeaders {
  probe: ProbeResult;
  /** The picture track's first sample and its coded size (before rotation), for {@link sampleChangesSize}. */
  firstSample?: { offset: number; size: number; nalLengthSize: number; width: number; height: number };
}

/** A `moov` box's content (from the start of its header) to ffprobe's view of the movie, or null. */
export function parseMoov(moov: Uint8Array): MovieHeaders | null {
  const top = boxes(moov, 0, moov.length)?.[0];
  if (top?.type !== "moov") return null;
  const children = boxes(moov, top.body, top.end);
  const mvhd = children?.find((c) => c.type === "mvhd");
  if (!children || !mvhd || children.some((c) => c.type === "mvex")) return null; // fragmented: ffprobe
  const long = timed(moov, mvhd) === 8;
  const timescaleAt = mvhd.body + 4 + (long ? 16 : 8);
  // rate (4), volume (2) and reserved (10) lie between the duration and the matrix.
  const matrixAt = timescaleAt + (long ? 12 : 8) + 16;
  if (matrixAt + 36 > mvhd.end) return null;
  const timescale = u32(moov, timescaleAt);
  const duration = long ? u64(moov, timescaleAt + 4) : u32(moov, timescaleAt + 4);
  // ffmpeg applies the movie's matrix after each track's; only a plain one is taken here.
  const movieRotation = rightAngle(moov, matrixAt);
  if (timescale === 0 || duration === 0 || movieRotation === null) return null;

  let video: Track | undefined;
  let audio: Track | undefined;
  for (const trak of children.filter((c) => c.type === "trak")) {
    const track = parseTrack(moov, trak, movieRotation);
    if (track === null) return null;
    if (track === "other") continue;
    if (track.kind === "video") video ??= track;
    else audio ??= track;
  }
  if (!video && !audio) return null;
  const probe: ProbeResult = {
    durationSec: Math.round((duration / timescale) * 1e6) / 1e6,
    width: video?.width ?? null,
    height: video?.height ?? null,
    fps: video?.fps ?? null,
    videoCodec: video?.codec ?? null,
    audioCodec: audio?.codec ?? null,
    hasVideo: video !== undefined,
    hasAudio: audio !== undefined,
    kind: video ? "video" : "audio",
    formatName: MOV_FORMAT,
  };
  return video?.check ? { probe, firstSample: video.check } : { probe };
}

/**
 * True when a sample (length-prefixed NAL units, read through `read`) holds a sequence parameter set for another
 * picture size than `expected`: a decoder takes the size from the stream's own. Reads only the NAL headers and
 * the (small) parameter sets; anything unreadable counts as a mismatch.
 */
export async function sampleChangesSize(
  read: (offset: number, length: number) => Promise<Uint8Array>,
  sample: { offset: number; size: number; nalLengthSize: number },
  expected: { width: number; height: number },
): Promise<boolean> {
  const end = sample.offset + sample.size;
  const prefix = sample.nalLengthSize;
  for (let at = sample.offset, n = 0; at < end; n++) {
    const h = await read(at, prefix + 1);
    if (n >= 256 || h.length < prefix + 1) return true;
    let length = 0;
    for (let i = 0; i < prefix; i++) length = length * 256 + (h[i] as number);
    const type = (h[prefix] as number) & 0x1f;
    if (length === 0 || at + prefix + length > end || type === 15) return true;
    if (type === 7) {
      const sps = length <= 4096 ? h264SpsSize(await read(at + prefix, length)) : null;
      if (!sps || sps.width !== expected.width || sps.height !== expected.height) return true;
    }
    at += prefix + length;
  }
  return false;
}

/** Where the top-level `moov` is, from the top-level box headers; null for anything else (fragments, gaps). */
export function locateMoov(
  headers: { type: string; offset: number; size: number }[],
  fileSize: number,
): { offset: number; size: number } | null {
  let moov: { offset: number; size: number } | null = null;
  let mdat = false;
  for (const h of headers) {
    if (h.type === "moof" || h.offset + h.size > fileSize) return null;
    if (h.type === "moov") moov ??= h;
    if (h.type === "mdat") mdat = true;
  }
  return moov && mdat && moov.size <= MAX_MOOV_BYTES ? moov : null;
}

// ---------------------------------------------------------------------------------------------- the file

/**
 * Probes a file by its headers, or answers null so the caller runs ffprobe. Reads at most the headers. Never
 * throws: whatever goes wrong here (an unreadable file too) is ffprobe's to answer, as before this reader.
 */
export async function probeHeaders(file: string): Promise<ProbeResult | null> {
  try {
    return await readHeaders(file);
  } catch {
    return null;
  }
}

async function readHeaders(file: string): Promise<ProbeResult | null> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const read = async (offset: number, length: number) => {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const head = await read(0, IMAGE_HEAD_BYTES);
    if (head.length >= 12 && ascii(head, 4) === "ftyp") {
      const headers: { type: string; offset: number; size: number }[] = [];
      for (let offset = 0; offset < size; ) {
        if (headers.length === MAX_TOP_BOXES) return null;
        const h = offset + 16 <= head.length ? head.subarray(offset, offset + 16) : await read(offset, 16);
        if (h.length < 8) return null;
        let boxSize = u32(h, 0);
        if (boxSize === 1) boxSize = h.length === 16 ? u64(h, 8) : 0;
        else if (boxSize === 0) boxSize = size - offset;
        if (boxSize < 8) return null;
        headers.push({ type: ascii(h, 4), offset, size: boxSize });
        offset += boxSize;
      }
      const moov = locateMoov(headers, size);
      const movie = moov && parseMoov(await read(moov.offset, moov.size));
      const first = movie?.firstSample;
      if (!movie || (first && (await sampleChangesSize(read, first, first)))) return null;
      return movie.probe;
    }
    return parseStill(head);
  } finally {
    await handle.close();
  }
}
