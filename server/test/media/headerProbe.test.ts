import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FfmpegRunner } from "../../src/media/ffmpeg.js";
import { h264SpsSize, parseJpeg, parseMoov, parsePng, parseWebp, probeHeaders } from "../../src/media/headerProbe.js";
import { testFfmpegRunner } from "../helpers/videos.js";

// Every file is made by the real ffmpeg and named like a download in progress (`.part`), so ffprobe picks its
// demuxer from the content, as it does in mirroring.
let dir: string;
let ffmpeg: FfmpegRunner;
const file = (name: string) => path.join(dir, `${name}.part`);
const lavfiVideo = (seconds = 1, size = "160x120", rate = "24") => [
  "-f",
  "lavfi",
  "-i",
  `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
];
const sine = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1"];
const x264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
const still = (size = "97x61") => ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=1:duration=1`, "-frames:v", "1"];

/** What ffprobe makes of each file must be what the header probe answers. */
const SAME_AS_FFPROBE: Record<string, string[]> = {
  "h264-aac-faststart": [
    ...lavfiVideo(),
    ...sine,
    ...x264,
    "-c:a",
    "aac",
    "-shortest",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
  ],
  "h264-moov-at-end": [...lavfiVideo(), ...x264, "-f", "mp4"],
  "h264-ntsc-rate-odd-size": [...lavfiVideo(1, "202x114", "30000/1001"), ...x264, "-f", "mp4"],
  "h264-high-profile-cropped": [
    ...lavfiVideo(1, "320x180"),
    "-c:v",
    "libx264",
    "-preset",
    "medium",
    "-profile:v",
    "high",
    "-pix_fmt",
    "yuv420p",
    "-f",
    "mp4",
  ],
  "h264-444": [
    ...lavfiVideo(1, "96x64"),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv444p",
    "-f",
    "mp4",
  ],
  "h264-interlaced": [
    ...lavfiVideo(1, "128x96", "25"),
    "-c:v",
    "libx264",
    "-flags",
    "+ildct",
    "-x264opts",
    "tff=1",
    "-pix_fmt",
    "yuv420p",
    "-f",
    "mp4",
  ],
  "h264-variable-rate": [
    ...lavfiVideo(2),
    "-vf",
    "select='not(between(n,5,9))'",
    "-fps_mode",
    "vfr",
    ...x264,
    "-f",
    "mp4",
  ],
  "h264-mp3": [...lavfiVideo(), ...sine, ...x264, "-c:a", "libmp3lame", "-shortest", "-f", "mp4"],
  "h264-aac-quicktime": [...lavfiVideo(), ...sine, ...x264, "-c:a", "aac", "-shortest", "-f", "mov"],
  "h264-opus": [...lavfiVideo(), ...sine, ...x264, "-c:a", "libopus", "-shortest", "-f", "mp4"],
  "h264-ac3": [...lavfiVideo(), ...sine, ...x264, "-c:a", "ac3", "-shortest", "-f", "mp4"],
  "aac-only-m4a": [...sine, "-c:a", "aac", "-f", "mp4"],
  jpeg: [...still(), "-c:v", "mjpeg", "-f", "image2pipe"],
  "jpeg-444": [...still("64x48"), "-c:v", "mjpeg", "-pix_fmt", "yuvj444p", "-f", "image2pipe"],
  "png-rgb": [...still(), "-c:v", "png", "-pix_fmt", "rgb24", "-f", "image2pipe"],
  "png-rgba64": [...still(), "-c:v", "png", "-pix_fmt", "rgba64be", "-f", "image2pipe"],
  "webp-lossy": [...still(), "-c:v", "libwebp", "-f", "image2pipe"],
  "webp-lossless": [...still(), "-c:v", "libwebp", "-lossless", "1", "-f", "image2pipe"],
  "webp-alpha": [...still(), "-vf", "format=yuva420p", "-c:v", "libwebp", "-f", "image2pipe"],
};

/** Files the header probe must leave to ffprobe. */
const LEFT_TO_FFPROBE: Record<string, string[]> = {
  hevc: [...lavfiVideo(), "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-f", "mp4"],
  "mpeg4-part2": [...lavfiVideo(), "-c:v", "mpeg4", "-f", "mp4"],
  fragmented: [...lavfiVideo(), ...x264, "-movflags", "frag_keyframe+empty_moov", "-f", "mp4"],
  webm: [...lavfiVideo(), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-f", "webm"],
  gif: [...still(), "-f", "gif"],
  apng: [...lavfiVideo(1, "64x48", "5"), "-f", "apng"],
  "webp-animated": [...lavfiVideo(1, "64x48", "5"), "-c:v", "libwebp_anim", "-loop", "0", "-f", "webp"],
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dailies-headerprobe-"));
  ffmpeg = await testFfmpegRunner();
  const all = { ...SAME_AS_FFPROBE, ...LEFT_TO_FFPROBE };
  await Promise.all(Object.entries(all).map(([name, args]) => ffmpeg.run(["-y", ...args, file(name)])));
  // ffmpeg 5.1 writes a display matrix for a rotate tag only when it copies the stream.
  await ffmpeg.run([
    "-y",
    "-f",
    "mp4",
    "-i",
    file("h264-moov-at-end"),
    "-c",
    "copy",
    "-metadata:s:v:0",
    "rotate=90",
    "-f",
    "mp4",
    file("h264-rotated"),
  ]);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("probeHeaders answers what ffprobe answers", () => {
  for (const name of [...Object.keys(SAME_AS_FFPROBE), "h264-rotated"]) {
    it(name, async () => {
      const byFfprobe = await ffmpeg.probe(file(name));
      const byHeaders = await probeHeaders(file(name));
      expect(byHeaders).not.toBeNull();
      const { fps, ...rest } = byHeaders!;
      const { fps: ffprobeFps, ...ffprobeRest } = byFfprobe;
      expect(rest).toEqual(ffprobeRest);
      if (ffprobeFps === null) expect(fps).toBeNull();
      else expect(fps).toBeCloseTo(ffprobeFps, 9);
    });
  }

  it("covers rotation, fractional rates and both sound entry layouts (the cases are what they say)", async () => {
    expect(await probeHeaders(file("h264-rotated"))).toMatchObject({ width: 120, height: 160 });
    expect((await probeHeaders(file("h264-ntsc-rate-odd-size")))?.fps).toBeCloseTo(30000 / 1001, 9);
    expect(await probeHeaders(file("h264-ntsc-rate-odd-size"))).toMatchObject({ width: 202, height: 114 });
    expect(await probeHeaders(file("h264-mp3"))).toMatchObject({ audioCodec: "mp3" });
    expect(await probeHeaders(file("aac-only-m4a"))).toMatchObject({ kind: "audio", hasVideo: false });
  });
});

describe("probeHeaders leaves to ffprobe", () => {
  for (const name of Object.keys(LEFT_TO_FFPROBE)) {
    it(name, async () => {
      expect(await probeHeaders(file(name))).toBeNull();
    });
  }

  it("a movie cut short, and one whose sample entry and parameter set disagree on the size", async () => {
    const whole = await readFile(file("h264-aac-faststart"));
    await writeFile(file("cut"), whole.subarray(0, whole.length - 100));
    expect(await probeHeaders(file("cut"))).toBeNull();

    const lying = Buffer.from(whole);
    const entry = lying.indexOf("avc1", lying.indexOf("stsd"));
    lying.writeUInt16BE(4000, entry + 4 + 24); // the sample entry claims 4000 px wide; the SPS says 160
    await writeFile(file("lying"), lying);
    expect(await probeHeaders(file("lying"))).toBeNull();
  });

  it("a movie index of a million empty boxes", () => {
    const count = 1_000_000;
    const moov = Buffer.alloc(8 + count * 8);
    moov.writeUInt32BE(moov.length, 0);
    moov.write("moov", 4);
    for (let i = 0; i < count; i++) {
      moov.writeUInt32BE(8, 8 + i * 8);
      moov.write("free", 12 + i * 8);
    }
    expect(parseMoov(moov)).toBeNull();
  });

  it("a file that is not there (no error of its own: ffprobe answers as before)", async () => {
    expect(await probeHeaders(file("missing"))).toBeNull();
  });

  it("an empty file and plain text", async () => {
    await writeFile(file("empty"), "");
    await writeFile(file("text"), "#EXTM3U\n#EXT-X-VERSION:3\nhttp://example.com/a.ts\n");
    expect(await probeHeaders(file("empty"))).toBeNull();
    expect(await probeHeaders(file("text"))).toBeNull();
  });
});

describe("the parsers on damaged bytes", () => {
  it("never throw and never answer for a still or a movie index with any one byte changed", async () => {
    let seed = 17;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const jpeg = await readFile(file("jpeg"));
    const png = await readFile(file("png-rgb"));
    const webp = await readFile(file("webp-lossy"));
    const movie = await readFile(file("h264-aac-faststart"));
    const moovAt = movie.indexOf("moov") - 4;
    const moov = movie.subarray(moovAt, moovAt + movie.readUInt32BE(moovAt));
    let answered = 0;
    for (let i = 0; i < 3000; i++) {
      for (const [bytes, parse, span] of [
        [jpeg, parseJpeg, 400],
        [png, parsePng, 60],
        [webp, parseWebp, 40],
        [moov, parseMoov, moov.length],
      ] as const) {
        const damaged = Buffer.from(bytes);
        damaged[Math.floor(random() * span)] = Math.floor(random() * 256);
        const result = (parse as (b: Uint8Array) => unknown)(damaged);
        if (result) answered++;
      }
    }
    // Most single-byte changes land in data the headers do not describe; the parsers must just not throw.
    expect(answered).toBeGreaterThan(0);
  });

  it("reads an H.264 parameter set's cropped size, and nothing from a cut one", async () => {
    // 180 rows are 11.25 macroblocks: coded as 192, cropped by 12.
    const movie = await readFile(file("h264-high-profile-cropped"));
    const avcC = movie.indexOf("avcC") + 4;
    const sps = movie.subarray(avcC + 8, avcC + 8 + movie.readUInt16BE(avcC + 6));
    expect(h264SpsSize(sps)).toEqual({ width: 320, height: 180 });
    expect(h264SpsSize(sps.subarray(0, 6))).toBeNull();
  });
});
