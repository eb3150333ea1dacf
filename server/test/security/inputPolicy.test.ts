/** Issue 9: the pure rules, as data. */
import { describe, expect, it } from "vitest";
import { withoutPaths } from "../../src/media/ffmpeg.js";
import {
  FORMAT_WHITELIST,
  isAllowedFormat,
  mediaProblem,
  restrictInputs,
  UnsafeInputError,
} from "../../src/media/inputPolicy.js";
import type { ProbeResult } from "../../src/media/probe.js";

describe("restrictInputs", () => {
  it("puts both allow-lists before every input, and keeps a demuxer we forced", () => {
    expect(
      restrictInputs(["-ss", "1", "-i", "/d/a.mp4", "-f", "lavfi", "-t", "2", "-i", "anullsrc", "-f", "null", "-"]),
    ).toEqual([
      "-ss",
      "1",
      "-protocol_whitelist",
      "file",
      "-format_whitelist",
      FORMAT_WHITELIST,
      "-i",
      "/d/a.mp4",
      "-f",
      "lavfi",
      "-t",
      "2",
      "-protocol_whitelist",
      "file",
      "-format_whitelist",
      `lavfi,${FORMAT_WHITELIST}`,
      "-i",
      "anullsrc",
      "-f",
      "null",
      "-",
    ]);
    expect(restrictInputs(["-f", "concat", "-safe", "0", "-i", "/d/list.txt", "-c", "copy", "/d/o.mp4"])).toContain(
      `concat,${FORMAT_WHITELIST}`,
    );
  });

  it("refuses URLs, stdin and image2 patterns as unforced inputs", () => {
    for (const input of ["http://127.0.0.1/x.mp4", "subfile:,,start,0,end,0,,:/etc/passwd", "-", "/d/img%03d.png"])
      expect(() => restrictInputs(["-i", input, "-f", "null", "-"])).toThrow(UnsafeInputError);
  });
});

describe("formats", () => {
  it("accepts real containers and refuses demuxers that open other files", () => {
    for (const ok of ["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "png_pipe", "image2", "mp3", "wav"])
      expect(isAllowedFormat(ok)).toBe(true);
    for (const bad of ["hls", "concat", "ffconcat", "tee", "lavfi", "svg_pipe", "mpegts", "", "mov,hls"])
      expect(isAllowedFormat(bad)).toBe(false);
  });

  it("names the limit a probe passes, in our words", () => {
    const base: ProbeResult = {
      durationSec: 3,
      width: 1920,
      height: 1080,
      fps: 30,
      videoCodec: "h264",
      audioCodec: null,
      hasVideo: true,
      hasAudio: false,
      kind: "video",
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
    };
    const limits = { maxImagePixels: 8192 * 8192, maxVideoPixels: 4096 * 4096, maxFps: 240, maxDurationSec: 3600 };
    expect(mediaProblem(base, limits)).toBeNull();
    expect(mediaProblem({ ...base, formatName: "hls" }, limits)).toBe("not a supported video, audio or image file");
    expect(mediaProblem({ ...base, width: 8000, height: 8000 }, limits)).toMatch(/frame limit/);
    expect(mediaProblem({ ...base, kind: "image", width: 16000, height: 16000 }, limits)).toMatch(/pixel limit/);
    expect(mediaProblem({ ...base, kind: "image", width: 8000, height: 8000 }, limits)).toBeNull();
    expect(mediaProblem({ ...base, fps: 1000 }, limits)).toMatch(/frames per second/);
    expect(mediaProblem({ ...base, durationSec: 7200 }, limits)).toMatch(/lasts 7200 s/);
  });
});

describe("withoutPaths", () => {
  it("cuts paths in ffmpeg messages to file names", () => {
    expect(withoutPaths("/srv/data/tmp/1.upload: Invalid data found")).toBe("1.upload: Invalid data found");
    expect(withoutPaths("aspect 16/9")).toBe("aspect 16/9");
  });
});
