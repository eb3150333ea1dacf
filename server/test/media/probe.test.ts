import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FORMAT_WHITELIST } from "../../src/media/inputPolicy.js";
import { keyframeProbeArgs, parseKeyframeInterval, parseProbe, probeArgs } from "../../src/media/probe.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.probe.json`, import.meta.url), "utf8");

describe("probeArgs", () => {
  it("asks ffprobe for format and streams as JSON", () => {
    expect(probeArgs("/m/a.mp4")).toEqual([
      "-v",
      "error",
      "-protocol_whitelist",
      "file",
      "-format_whitelist",
      FORMAT_WHITELIST,
      "-print_format",
      "json",
      "-show_format",
      "-show_streams",
      "/m/a.mp4",
    ]);
  });
});

describe("parseProbe (saved ffprobe 5.1 outputs)", () => {
  it("reads an H.264 + AAC mp4", () => {
    expect(parseProbe(fixture("video-with-audio"))).toEqual({
      durationSec: 2,
      width: 320,
      height: 240,
      fps: 25,
      videoCodec: "h264",
      audioCodec: "aac",
      hasVideo: true,
      hasAudio: true,
      kind: "video",
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
    });
  });

  it("accepts the parsed object as well as the text", () => {
    expect(parseProbe(JSON.parse(fixture("video-with-audio")))).toEqual(parseProbe(fixture("video-with-audio")));
  });

  it("reads a PNG (png_pipe, no duration) as an image", () => {
    expect(parseProbe(fixture("png"))).toMatchObject({
      kind: "image",
      durationSec: 0,
      width: 320,
      height: 240,
      fps: null,
      videoCodec: "png",
      hasAudio: false,
      formatName: "png_pipe",
    });
  });

  it("reads a JPEG (image2 with a one-frame duration) as an image", () => {
    expect(parseProbe(fixture("jpeg"))).toMatchObject({ kind: "image", durationSec: 0, videoCodec: "mjpeg" });
  });

  it("treats cover art in an mp3 as audio, not video", () => {
    expect(parseProbe(fixture("mp3-with-cover"))).toMatchObject({
      kind: "audio",
      hasVideo: false,
      hasAudio: true,
      audioCodec: "mp3",
      width: null,
      fps: null,
      durationSec: 2.04,
    });
  });

  it("swaps width and height of a video rotated by 90°", () => {
    expect(parseProbe(fixture("rotated-phone-video"))).toMatchObject({ kind: "video", width: 240, height: 320 });
  });

  it("reads a fractional frame rate and an audio-only file without a format duration", () => {
    const r = parseProbe({
      streams: [
        {
          codec_type: "video",
          codec_name: "h264",
          width: 1920,
          height: 1080,
          avg_frame_rate: "30000/1001",
          duration: "10.01",
        },
      ],
      format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2" },
    });
    expect(r.fps).toBeCloseTo(29.97, 2);
    expect(r.durationSec).toBe(10.01);
    expect(
      parseProbe({
        streams: [{ codec_type: "audio", codec_name: "opus", duration: "3.5" }],
        format: { format_name: "ogg" },
      }),
    ).toMatchObject({
      kind: "audio",
      durationSec: 3.5,
      hasVideo: false,
    });
  });
});

describe("keyframe interval", () => {
  it("asks ffprobe for packet flags only (no decoding)", () => {
    expect(keyframeProbeArgs("/m/a.mp4", 12)).toEqual([
      "-v",
      "error",
      "-protocol_whitelist",
      "file",
      "-format_whitelist",
      FORMAT_WHITELIST,
      "-select_streams",
      "v:0",
      "-read_intervals",
      "%+12",
      "-show_entries",
      "packet=pts_time,flags",
      "-of",
      "csv=p=0",
      "/m/a.mp4",
    ]);
  });

  it("takes the median gap between keyframes", () => {
    const csv = [
      "0.000000,K__",
      "0.033333,___",
      "1.000000,K__",
      "2.000000,K__",
      "2.500000,K__",
      "4.000000,K__",
      "",
    ].join("\n");
    expect(parseKeyframeInterval(csv)).toBe(1);
    expect(parseKeyframeInterval("0.000000,K__\n0.033333,___\n")).toBeNull();
    expect(parseKeyframeInterval("N/A,K__\ngarbage\n")).toBeNull();
  });
});
