import { describe, expect, it } from "vitest";
import {
  COMMON_FFMPEG_ARGS,
  chooseBinaries,
  createFfmpegRunner,
  detectFfmpeg,
  FfmpegError,
  FfmpegMissingError,
  parseFfmpegVersion,
  parseProgressChunk,
} from "../../src/media/ffmpeg.js";
import { testFfmpegRunner } from "../helpers/videos.js";

describe("chooseBinaries", () => {
  const exists =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);

  it("prefers the configured paths", () => {
    expect(
      chooseBinaries({
        ffmpegPath: "/opt/ff/ffmpeg",
        ffprobePath: "/opt/other/ffprobe",
        staticFfmpegPath: "/s/ffmpeg",
        fileExists: exists("/s/ffmpeg"),
      }),
    ).toEqual({ ffmpegPath: "/opt/ff/ffmpeg", ffprobePath: "/opt/other/ffprobe" });
  });

  it("finds ffprobe next to a configured ffmpeg", () => {
    expect(
      chooseBinaries({ ffmpegPath: "/opt/ff/ffmpeg", staticFfmpegPath: null, fileExists: exists("/opt/ff/ffprobe") }),
    ).toEqual({ ffmpegPath: "/opt/ff/ffmpeg", ffprobePath: "/opt/ff/ffprobe" });
  });

  it("uses ffmpeg-static only when its binary exists", () => {
    expect(
      chooseBinaries({ staticFfmpegPath: "/nm/ffmpeg-static/ffmpeg", fileExists: exists("/nm/ffmpeg-static/ffmpeg") }),
    ).toEqual({
      ffmpegPath: "/nm/ffmpeg-static/ffmpeg",
      ffprobePath: "ffprobe",
    });
    expect(chooseBinaries({ staticFfmpegPath: "/nm/ffmpeg-static/ffmpeg", fileExists: exists() })).toEqual({
      ffmpegPath: "ffmpeg",
      ffprobePath: "ffprobe",
    });
  });

  it("ignores empty configured values", () => {
    expect(chooseBinaries({ ffmpegPath: "", ffprobePath: " ", staticFfmpegPath: null, fileExists: exists() })).toEqual({
      ffmpegPath: "ffmpeg",
      ffprobePath: "ffprobe",
    });
  });
});

describe("parseProgressChunk", () => {
  it("reads out_time_us from complete lines and carries a cut line over", () => {
    const first = parseProgressChunk(
      "",
      "frame=10\nfps=0.0\nout_time_us=400000\nout_time_ms=400000\nout_time=00:00:00.40",
    );
    expect(first).toEqual({ outTimeSec: 0.4, ended: false, carry: "out_time=00:00:00.40" });
    const second = parseProgressChunk(first.carry, "0000\nspeed=1x\nprogress=continue\nframe=2");
    expect(second).toEqual({ outTimeSec: 0.4, ended: false, carry: "frame=2" });
  });

  it("keeps the last value of several blocks and sees the end", () => {
    const text =
      "out_time_us=1000000\nprogress=continue\nout_time_us=2500000\nout_time=00:00:02.500000\nprogress=end\n";
    expect(parseProgressChunk("", text)).toEqual({ outTimeSec: 2.5, ended: true, carry: "" });
  });

  it("falls back to out_time and ignores N/A and negative clocks", () => {
    expect(parseProgressChunk("", "out_time_us=N/A\nout_time=N/A\n").outTimeSec).toBeNull();
    expect(parseProgressChunk("", "out_time=01:02:03.500000\r\n").outTimeSec).toBe(3723.5);
    expect(parseProgressChunk("", "out_time=-00:00:00.023220\n").outTimeSec).toBe(0);
    expect(parseProgressChunk("", "out_time_us=-23220\n").outTimeSec).toBe(0);
  });
});

describe("parseFfmpegVersion", () => {
  it("reads Debian's and static builds' version lines", () => {
    expect(
      parseFfmpegVersion(
        "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\nbuilt with gcc 12",
      ),
    ).toBe("5.1.9-0+deb12u1");
    expect(parseFfmpegVersion("ffmpeg version 6.1.1-static https://johnvansickle.com/ffmpeg/")).toBe("6.1.1-static");
    expect(parseFfmpegVersion("bash: ffmpeg: not found")).toBeNull();
  });
});

describe("detecting and running ffmpeg", () => {
  it("detects the installed ffmpeg and its version", async () => {
    const found = await detectFfmpeg({ ffmpegPath: process.env.FFMPEG_PATH, ffprobePath: process.env.FFPROBE_PATH });
    expect(found.found).toBe(true);
    expect(found.version).toMatch(/^\d+\.\d+/);
  });

  it("reports a missing binary without throwing", async () => {
    const missing = await detectFfmpeg({ ffmpegPath: "/nonexistent/ffmpeg" });
    expect(missing).toMatchObject({
      found: false,
      ffmpegPath: "/nonexistent/ffmpeg",
      ffprobePath: "ffprobe",
      version: null,
    });
    expect(missing.error).toBeTruthy();
  });

  it("turns a missing binary into FfmpegMissingError (503)", async () => {
    const runner = createFfmpegRunner({ ffmpegPath: "/nonexistent/ffmpeg", ffprobePath: "/nonexistent/ffprobe" });
    const run = runner.run(["-version"]);
    await expect(run).rejects.toBeInstanceOf(FfmpegMissingError);
    await expect(run).rejects.toMatchObject({ statusCode: 503 });
    await expect(runner.probe("/x.mp4")).rejects.toBeInstanceOf(FfmpegMissingError);
  });

  it("reports ffmpeg's own first error line, counts runs and passes progress", async () => {
    const { binaries } = await testFfmpegRunner();
    const runs: (readonly string[])[] = [];
    const runner = createFfmpegRunner({ ...binaries, onRun: (args) => runs.push(args) });
    const failing = ["-f", "lavfi", "-i", "color=s=16x16:d=0.2", "-vf", "nosuchfilter", "-f", "null", "-"];
    const error = await runner.run(failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).message).toMatch(/nosuchfilter/i);
    expect((error as FfmpegError).args).toEqual(failing);

    const times: number[] = [];
    await runner.run(["-f", "lavfi", "-i", "color=s=16x16:d=1", "-progress", "pipe:1", "-nostats", "-f", "null", "-"], {
      onProgress: (t) => times.push(t),
    });
    expect(runs).toHaveLength(2);
    expect(times.at(-1)).toBeCloseTo(1, 1);
    expect(COMMON_FFMPEG_ARGS).toContain("-nostdin");
  });

  it("cancels a run through its signal", async () => {
    const runner = await testFfmpegRunner();
    const controller = new AbortController();
    const run = runner.run(["-re", "-f", "lavfi", "-i", "color=s=16x16:d=30", "-f", "null", "-"], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("job cancelled")), 200);
    await expect(run).rejects.toThrow("job cancelled");
  });
});
