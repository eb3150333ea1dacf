/**
 * The real-ffmpeg tests: tiny generated clips (2 s, 320x240, keyframe every second), one shared folder.
 * Most behaviour is covered as data in args.test.ts; these check that ffmpeg agrees.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradeFilter } from "../../src/media/args/index.js";
import { createFfmpegRunner, type FfmpegRunner } from "../../src/media/ffmpeg.js";
import {
  concatParts,
  extractFrame,
  extractStrip,
  FrameNotFoundError,
  measureEdgeEnergy,
  measureMeanLuma,
  measurePsnr,
  measureSaturation,
  measureSsim,
  renderSegment,
} from "../../src/media/operations.js";
import { placeholderImageArgs, renderPlaceholderImage } from "../../src/providers/local/placeholder.js";
import { applyRegionEdit } from "../../src/providers/local/regionOps.js";
import { makeTestVideo, testFfmpegRunner } from "../helpers/videos.js";

const FRAME = 1 / 25;
let dir: string;
let runner: FfmpegRunner;
let runs: (readonly string[])[];
let withAudio: string;
let silent: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-media-test-"));
  const { binaries } = await testFfmpegRunner();
  runs = [];
  runner = createFfmpegRunner({ ...binaries, onRun: (args) => runs.push(args) });
  [withAudio, silent] = await Promise.all([makeTestVideo(dir), makeTestVideo(dir, { audio: false })]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Nothing half-written is left behind: no `.name.<random>.tmp.ext` files, no concat lists. */
async function leftovers(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith("."));
}

describe("test videos and probe", () => {
  it("probes the generated clips", async () => {
    expect(await runner.probe(withAudio)).toEqual({
      durationSec: expect.closeTo(2, 1),
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
    expect(await runner.probe(silent)).toMatchObject({ hasAudio: false, audioCodec: null, durationSec: 2 });
  });

  it("measures the keyframe interval (the test clips have one every second)", async () => {
    expect(await runner.keyframeInterval(withAudio)).toBeCloseTo(1, 2);
    expect(await runner.keyframeInterval(path.join(dir, "missing.mp4"))).toBeNull();
  });

  it("reuses a cached clip", async () => {
    const before = runs.length;
    expect(await makeTestVideo(dir)).toBe(withAudio);
    expect(runs.length).toBe(before);
  });
});

describe("frames", () => {
  it("extracts a 320x240 JPEG at a time", async () => {
    const output = path.join(dir, "frame.jpg");
    expect(await extractFrame(runner, { input: withAudio, atSec: 1.2, output })).toBe(output);
    expect(await runner.probe(output)).toMatchObject({ kind: "image", videoCodec: "mjpeg", width: 320, height: 240 });
  });

  it("fails clearly past the end and leaves nothing behind", async () => {
    const output = path.join(dir, "past-end.jpg");
    await expect(extractFrame(runner, { input: withAudio, atSec: 5, output })).rejects.toBeInstanceOf(
      FrameNotFoundError,
    );
    expect(await readdir(dir)).not.toContain("past-end.jpg");
    expect(await leftovers()).toEqual([]);
  });

  it("gives the last frame for a time inside its display period, up to the duration", async () => {
    const last = await extractFrame(runner, { input: withAudio, atSec: 2 - FRAME, output: path.join(dir, "last.jpg") });
    const atEnd = await extractFrame(runner, { input: withAudio, atSec: 2, output: path.join(dir, "end.jpg") });
    expect(await readFile(atEnd)).toEqual(await readFile(last));
    const strip = await extractStrip(runner, {
      input: withAudio,
      times: [1.9, 1.99, 2],
      outputs: ["s0", "s1", "s2"].map((name) => path.join(dir, `${name}.jpg`)),
      keyframeIntervalSec: 1,
    });
    expect(strip.strategy).toBe("decode");
    for (const frame of strip.frames.slice(1)) expect(await readFile(frame.path)).toEqual(await readFile(last));
    expect(await leftovers()).toEqual([]);
  });

  it("extracts a strip both ways, with identical frames", async () => {
    const times = [0.2, 0.6, 1.0, 1.4];
    const out = (prefix: string) => times.map((_, i) => path.join(dir, `${prefix}-${i}.jpg`));
    const before = runs.length;
    const decoded = await extractStrip(runner, {
      input: withAudio,
      times,
      outputs: out("dense"),
      keyframeIntervalSec: 1,
    });
    const seeked = await extractStrip(runner, {
      input: withAudio,
      times,
      outputs: out("sparse"),
      keyframeIntervalSec: 0.2,
    });
    expect(runs.length - before).toBe(2); // one ffmpeg run per strip
    expect(decoded.strategy).toBe("decode");
    expect(seeked.strategy).toBe("seek");
    expect(decoded.frames.map((f) => f.timeSec)).toEqual(times);
    for (const [i, frame] of seeked.frames.entries()) {
      const other = decoded.frames[i];
      expect(other).toBeDefined();
      expect(await readFile(frame.path)).toEqual(await readFile(other?.path as string));
    }
    expect(await runner.probe(seeked.frames[3]?.path as string)).toMatchObject({ width: 320, height: 240 });
  });

  it("a frame graded with brightness 0.3 is brighter than the ungraded one", async () => {
    const plain = await extractFrame(runner, { input: withAudio, atSec: 1, output: path.join(dir, "plain.jpg") });
    const graded = await extractFrame(runner, {
      input: withAudio,
      atSec: 1,
      filter: gradeFilter({ brightness: 0.3 }),
      output: path.join(dir, "graded.jpg"),
    });
    const [before, after] = await Promise.all([
      measureMeanLuma(runner, { input: plain }),
      measureMeanLuma(runner, { input: graded }),
    ]);
    expect(after).toBeGreaterThan(before + 30);
  });
});

describe("rendering and joining", () => {
  let partA: string;
  let partB: string;

  it("renders a segment of a silent clip with an audio track and the right duration", async () => {
    const progress: number[] = [];
    const before = runs.length;
    partA = await renderSegment(runner, {
      input: silent,
      startSec: 0.4,
      endSec: 1.6,
      hasAudio: false,
      width: 640,
      height: 360,
      fps: 25,
      output: path.join(dir, "part-a.mp4"),
      onProgress: (f) => progress.push(f),
    });
    expect(runs.length - before).toBe(1);
    const probe = await runner.probe(partA);
    expect(probe).toMatchObject({
      hasAudio: true,
      audioCodec: "aac",
      videoCodec: "h264",
      width: 640,
      height: 360,
      fps: 25,
    });
    expect(Math.abs(probe.durationSec - 1.2)).toBeLessThanOrEqual(FRAME);
    expect(progress.at(-1)).toBe(1);
  });

  it("concatenates two parts into their summed duration", async () => {
    partB = await renderSegment(runner, {
      input: withAudio,
      startSec: 1,
      endSec: 2,
      hasAudio: true,
      width: 640,
      height: 360,
      fps: 25,
      filter: gradeFilter({ saturation: -1 }),
      output: path.join(dir, "part-b.mp4"),
    });
    const joined = await concatParts(runner, { parts: [partA, partB], output: path.join(dir, "joined.mp4") });
    const probe = await runner.probe(joined);
    expect(probe).toMatchObject({ hasAudio: true, hasVideo: true, width: 640, height: 360 });
    expect(Math.abs(probe.durationSec - 2.2)).toBeLessThanOrEqual(FRAME);
    expect(await leftovers()).toEqual([]);
  });
});

describe("region edits and measurements", () => {
  const box = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };

  it("blur lowers the edge energy inside the box and leaves the outside alone", async () => {
    const output = await applyRegionEdit(runner, {
      input: withAudio,
      output: path.join(dir, "blurred.mp4"),
      op: "blur",
      box,
      startSec: 0,
      endSec: 2,
    });
    expect(await runner.probe(output)).toMatchObject({ width: 320, height: 240, hasAudio: true });
    const [edgesBefore, edgesAfter, ssim, psnr] = await Promise.all([
      measureEdgeEnergy(runner, { input: withAudio, box }),
      measureEdgeEnergy(runner, { input: output, box }),
      measureSsim(runner, { reference: withAudio, distorted: output, box }),
      measurePsnr(runner, { reference: withAudio, distorted: output, box }),
    ]);
    expect(edgesAfter).toBeLessThan(edgesBefore * 0.5);
    expect(ssim.outside).toBeGreaterThan(0.98);
    expect(ssim.inside).toBeLessThan(0.9);
    expect(ssim.full).toBeLessThan(ssim.outside as number);
    expect(psnr.outside).toBeGreaterThan((psnr.inside as number) + 10);
  });

  it("grayscale removes the saturation inside the box only", async () => {
    const output = await applyRegionEdit(runner, {
      input: silent,
      output: path.join(dir, "gray.mp4"),
      op: "grayscale",
      box,
      startSec: 0,
      endSec: 2,
    });
    const [inside, outside] = await Promise.all([
      measureSaturation(runner, { input: output, box }),
      measureSaturation(runner, { input: output, box: { x: 0, y: 0, width: 0.2, height: 0.2 } }),
    ]);
    expect(inside).toBeLessThan(2);
    expect(outside).toBeGreaterThan(10);
  });

  it("remove (delogo) runs on a box touching the frame edges", async () => {
    const output = await applyRegionEdit(runner, {
      input: silent,
      output: path.join(dir, "removed.mp4"),
      op: "remove",
      box: { x: 0, y: 0, width: 0.3, height: 0.3 },
      startSec: 0.5,
      endSec: 1.5,
    });
    const ssim = await measureSsim(runner, {
      reference: silent,
      distorted: output,
      box: { x: 0, y: 0, width: 0.3, height: 0.3 },
    });
    expect(ssim.inside).toBeLessThan(0.95);
    expect(ssim.outside).toBeGreaterThan(0.98);
  });
});

describe("placeholder images", () => {
  it("renders a PNG of the requested size", async () => {
    const output = await renderPlaceholderImage(runner, {
      title: "SC01 — Opening",
      subtitle: "placeholder from local",
      width: 480,
      height: 270,
      output: path.join(dir, "placeholder.png"),
    });
    expect(await runner.probe(output)).toMatchObject({ kind: "image", videoCodec: "png", width: 480, height: 270 });
  });

  it("escapes text so that ffmpeg draws it verbatim", async () => {
    const title = "It's 50%: a\\b [x], y; z %{pts}";
    const escaped = path.join(dir, "escaped.png");
    await renderPlaceholderImage(runner, { title, width: 320, height: 180, output: escaped });

    // The same picture, with the text read raw from a file instead of escaped into the filter.
    const textFile = path.join(dir, "title.txt");
    await writeFile(textFile, title);
    const args = placeholderImageArgs({ title, width: 320, height: 180, output: path.join(dir, "raw.png") });
    const vf = args.indexOf("-vf") + 1;
    args[vf] = (args[vf] as string).replace(/:text=.*?:fontsize=/, `:textfile=${textFile}:expansion=none:fontsize=`);
    await runner.run(args);
    expect(await readFile(escaped)).toEqual(await readFile(path.join(dir, "raw.png")));
  });
});
