/**
 * The `local` region editor and scorer on a real clip, one op at a time: the edit changes the box and not
 * the rest (SSIM), and the scorer sees the op's effect (edge energy, saturation, luma).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FfmpegRunner } from "../../src/media/ffmpeg.js";
import { extractFrame } from "../../src/media/operations.js";
import { createLocalRegionEditor } from "../../src/providers/local/regionEdit.js";
import { LOCAL_REGION_OPS, type RegionOp } from "../../src/providers/local/regionOps.js";
import { createLocalScorer } from "../../src/providers/local/scorer.js";
import { type ProviderCall, ProviderError } from "../../src/providers/types.js";
import { makeTestVideo, testFfmpegRunner } from "../helpers/videos.js";

let dir: string;
let clip: string;
let runner: FfmpegRunner;
const box = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-ai-ops-"));
  runner = await testFfmpegRunner();
  clip = await makeTestVideo(dir, { seconds: 1, width: 320, height: 240 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const PROMPTS: Record<RegionOp, string> = {
  blur: "blur the face",
  pixelate: "pixelate the licence plate",
  remove: "remove the logo",
  grayscale: "make it black and white",
  brighten: "brighten this corner",
  darken: "darken the sky",
};

describe("local region edits, measured", () => {
  it.each(LOCAL_REGION_OPS.map((op) => [op]))("%s: changes the box only, and the scorer sees it", async (op) => {
    const editor = createLocalRegionEditor({ ffmpeg: runner });
    const scorer = createLocalScorer({
      ffmpeg: runner,
      tempPath: async (suffix) => path.join(dir, `${Math.random().toString(36).slice(2)}${suffix}`),
    });
    const output = path.join(dir, `${op}.mp4`);
    const made = await editor.editRegion({
      input: clip,
      output,
      prompt: PROMPTS[op],
      box,
      startSec: 0,
      endSec: 1,
      variantIndex: 0,
      variantCount: 2,
    });
    expect(made.op).toBe(op);
    const req = { prompt: PROMPTS[op], original: clip, edited: output, box };
    const byPrompt = await scorer.scoreRegion({ ...req, compareTo: "prompt" });
    const byOriginal = await scorer.scoreRegion({ ...req, compareTo: "original" });
    // Changed inside (SSIM well below a re-encode's ~0.99), kept outside.
    expect(byOriginal.metrics.ssim_inside).toBeLessThan(0.96);
    expect(byOriginal.metrics.ssim_outside).toBeGreaterThan(0.98);
    expect(byOriginal.metrics.psnr_outside).toBeGreaterThan(38);
    expect(byPrompt.overall_rating, byPrompt.fidelity_to_prompt).toBe("good");
    expect(byPrompt.fidelity_to_prompt).toMatch(/^as expected: /);
    expect(byOriginal.overall_rating, byOriginal.visual_quality).toBe("good");
    expect(byOriginal.details).toMatch(/PSNR full [\d.]+ dB \/ inside [\d.]+ dB \/ outside [\d.]+ dB/);
    // The op's own measure moved the right way.
    const { effect_before: before, effect_after: after } = byPrompt.metrics as {
      effect_before: number;
      effect_after: number;
    };
    if (op === "brighten") expect(after).toBeGreaterThan(before + 10);
    else if (op === "darken") expect(after).toBeLessThan(before - 10);
    else expect(after).toBeLessThan(before * 0.85);
  });

  it("scores an unedited clip as poor: nothing changed in the box", async () => {
    const scorer = createLocalScorer({ ffmpeg: runner, tempPath: async (s) => path.join(dir, `x${s}`) });
    const req = { prompt: "blur the face", original: clip, edited: clip, box };
    const byPrompt = await scorer.scoreRegion({ ...req, compareTo: "prompt" });
    expect(byPrompt.overall_rating).toBe("poor");
    expect(byPrompt.fidelity_to_prompt).toMatch(/^not seen: blur should lower edge energy/);
    const byOriginal = await scorer.scoreRegion({ ...req, compareTo: "original" });
    expect(byOriginal.overall_rating).toBe("poor");
    expect(byOriginal.metrics.ssim_inside).toBe(1);
  });

  it("refuses a prompt naming no op, listing what it can do, and records the failed call", async () => {
    const recorded: ProviderCall[] = [];
    const editor = createLocalRegionEditor({ ffmpeg: runner, record: (c) => recorded.push(c) });
    const failure = await editor
      .editRegion({
        input: clip,
        output: path.join(dir, "never.mp4"),
        prompt: "turn the car into a dragon",
        box,
        startSec: 0,
        endSec: 1,
        variantIndex: 0,
        variantCount: 1,
      })
      .catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as Error).message).toMatch(/^local cannot do "turn the car into a dragon"/);
    for (const op of LOCAL_REGION_OPS) expect((failure as Error).message).toContain(op);
    expect(recorded).toMatchObject([
      { provider: "local", model: "local-ffmpeg-region", kind: "video", status: "error" },
    ]);
  });

  it("scores whole frames too (the Scorer interface), and needs the originals to measure", async () => {
    const scorer = createLocalScorer({
      ffmpeg: runner,
      tempPath: async (suffix) => path.join(dir, `${Math.random().toString(36).slice(2)}${suffix}`),
    });
    const edited = path.join(dir, "blur-full.mp4");
    await createLocalRegionEditor({ ffmpeg: runner }).editRegion({
      input: clip,
      output: edited,
      prompt: "blur everything",
      box: { x: 0, y: 0, width: 1, height: 1 },
      startSec: 0,
      endSec: 1,
      variantIndex: 0,
      variantCount: 1,
    });
    const frame = async (file: string, name: string) => {
      const output = await extractFrame(runner, { input: file, atSec: 0.5, output: path.join(dir, name) });
      return { bytes: new Uint8Array(await readFile(output)), mime: "image/jpeg" };
    };
    const score = await scorer.scoreFrames({
      prompt: "blur everything",
      frames: [await frame(edited, "e.jpg")],
      originalFrames: [await frame(clip, "o.jpg")],
      compareTo: "prompt",
    });
    expect(score.overall_rating).toBe("good");
    expect(score.fidelity_to_prompt).toMatch(/^as expected: blur should lower edge energy/);
    expect(score.visual_quality).toMatch(/^no box given; whole frame SSIM 0\.\d{3}$/);
    await expect(
      scorer.scoreFrames({ prompt: "blur", frames: [await frame(edited, "e2.jpg")], compareTo: "prompt" }),
    ).rejects.toThrow(/needs each frame's original/);
  });

  it("makes no clip from a prompt alone", async () => {
    const editor = createLocalRegionEditor({ ffmpeg: runner });
    await expect(editor.generateVideo({ prompt: "a fox", durationSec: 2, aspectRatio: "16:9" })).rejects.toThrow(
      /edits a region/,
    );
  });
});
