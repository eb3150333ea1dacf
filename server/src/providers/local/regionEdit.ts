/**
 * `local` video: region edits of an existing clip with ffmpeg filters, named by the prompt (DESIGN.md,
 * Providers). Not AI: the prompt is read for one of LOCAL_REGION_OPS (`parseRegionOp`), and the op is applied
 * inside the box over the time range, the rest of the picture untouched.
 *
 * Variants differ by the strength of the op, from mild (variant 0) to strong (the last): blur radius,
 * pixel block size, brightness amount, contrast of the grayscale, smoothing of the removed area. Each
 * variant's parameters and filter are returned, so the job records which were used.
 */

import { boxToPixels, type FractionBox, formatSeconds, type PixelBox } from "../../media/args/index.js";
import type { FfmpegRunner } from "../../media/ffmpeg.js";
import { runToFile } from "../../media/operations.js";
import { metered } from "../record.js";
import { ProviderError, type RecordCall, type Scorer, type VideoGenerator } from "../types.js";
import { LOCAL_REGION_OPS, parseRegionOp, type RegionOp, regionEditArgs } from "./regionOps.js";
import { createLocalScorer, type LocalScorerOptions } from "./scorer.js";

export const LOCAL_REGION_MODEL = "local-ffmpeg-region";
export const LOCAL_REGION_NOTE = "Made by the local provider with ffmpeg filters inside the box: not AI.";

/** What each op does, for the message listing what `local` can do. */
export const LOCAL_REGION_OP_HELP: Record<RegionOp, string> = {
  blur: "blur (also: soften, defocus)",
  pixelate: "pixelate (also: mosaic, censor)",
  remove: "remove (also: erase, delete; fills the box from its surroundings with delogo)",
  grayscale: "grayscale (also: black and white, desaturate)",
  brighten: "brighten (also: lighten)",
  darken: "darken",
};

/** The failure a job shows when the prompt names no op `local` can do. */
export function unsupportedRegionEditMessage(prompt: string): string {
  const flat = prompt.replace(/\s+/g, " ").trim();
  const quoted = flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
  return (
    `local cannot do "${quoted}": it edits the box with ffmpeg filters and understands ` +
    `${LOCAL_REGION_OPS.map((op) => LOCAL_REGION_OP_HELP[op]).join("; ")}. ` +
    "Name one of them in the prompt, or choose another provider."
  );
}

export interface RegionEditRequest {
  /** The source clip (a file path). */
  input: string;
  /** Where to write the edited clip (.mp4). */
  output: string;
  prompt: string;
  box: FractionBox;
  /** The time range inside the clip to edit; the rest plays unchanged. */
  startSec: number;
  endSec: number;
  /** Which of `variantCount` variants to make (0 = mildest). */
  variantIndex: number;
  variantCount: number;
  /** The clip's size and length, when already known (saves a probe). */
  probe?: { width: number; height: number; durationSec: number };
  signal?: AbortSignal;
  onProgress?(fraction: number): void;
}

export type RegionEditParams = Record<string, number | string | boolean>;

export interface RegionEditResult {
  op: RegionOp;
  params: RegionEditParams;
  filter: string;
  model: string;
  note: string;
}

/** A video provider that can edit a region of an existing clip (local). */
export interface RegionEditor extends VideoGenerator {
  editRegion(req: RegionEditRequest): Promise<RegionEditResult>;
}

export function isRegionEditor(generator: VideoGenerator): generator is RegionEditor {
  return typeof (generator as Partial<RegionEditor>).editRegion === "function";
}

const lerp = (from: number, to: number, t: number) => from + (to - from) * t;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/**
 * The strength parameters of variant `index` of `count`, spread evenly from mild to strong (one variant gets
 * the middle strength). Pure: tests read the table as data.
 */
export function localVariantParams(op: RegionOp, index: number, count: number): RegionEditParams {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new RangeError(`variant ${index} of ${count}`);
  const t = count === 1 ? 0.5 : index / (count - 1);
  switch (op) {
    case "blur":
      // Box-blur radius as a share of the box's short side; applied twice (power 2), close to a gaussian.
      return { strength: round(t), radius_share: round(lerp(1 / 12, 1 / 5, t)) };
    case "pixelate":
      // Blocks across the box's short side: more blocks = finer mosaic.
      return { strength: round(t), blocks: Math.round(lerp(16, 6, t)) };
    case "remove":
      // delogo fills the box from its border; stronger variants smooth the fill with a blur.
      return { strength: round(t), smooth_share: count === 1 ? 0 : round(lerp(0, 1 / 10, t)) };
    case "grayscale":
      return { strength: round(t), contrast: round(lerp(1, 1.3, t)) };
    case "brighten":
      return { strength: round(t), brightness: round(lerp(0.15, 0.35, t)) };
    case "darken":
      return { strength: round(t), brightness: round(-lerp(0.15, 0.35, t)) };
  }
}

function boxBlur(radiusShare: number, px: PixelBox): { filter: string; radius: number } {
  const short = Math.min(px.width, px.height);
  // boxblur refuses a radius above half the plane's short side; chroma planes are half size in yuv420p.
  const radius = Math.max(1, Math.min(Math.floor(short / 2), Math.round(short * radiusShare)));
  const chroma = Math.min(radius, Math.floor(short / 4));
  return {
    filter: `boxblur=luma_radius=${radius}:luma_power=2:chroma_radius=${chroma}:chroma_power=2`,
    radius,
  };
}

export interface LocalRegionFilterInput {
  op: RegionOp;
  params: RegionEditParams;
  box: FractionBox;
  frameWidth: number;
  frameHeight: number;
  startSec: number;
  endSec: number;
}

/**
 * The `-filter_complex` graph (`[0:v]` → `[v]`): the box is cropped from a copy of the frame, edited and
 * overlaid back at the same place between startSec and endSec. `remove` runs delogo over the whole frame
 * (it interpolates the box from the pixels around it, so the box keeps a 1-pixel border inside the frame),
 * then optionally smooths the filled box the same way. Returns the graph and the pixel values used.
 */
export function localRegionFilter(input: LocalRegionFilterInput): { graph: string; used: RegionEditParams } {
  const { op, params, frameWidth, frameHeight } = input;
  if (!(input.endSec > input.startSec)) throw new RangeError("endSec must be after startSec");
  const enable = `enable='between(t,${formatSeconds(input.startSec)},${formatSeconds(input.endSec)})'`;
  const px = boxToPixels(input.box, frameWidth, frameHeight);
  const crop = `crop=w=${px.width}:h=${px.height}:x=${px.x}:y=${px.y}`;
  const overBox = (from: string, edit: string) =>
    `${from}split=2[base][roi];[roi]${crop},${edit}[edit];[base][edit]overlay=x=${px.x}:y=${px.y}:${enable}[v]`;
  const used: RegionEditParams = { box_px: `${px.width}x${px.height}+${px.x}+${px.y}` };
  const num = (key: string) => {
    const value = params[key];
    if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError(`${op} needs a number ${key}`);
    return value;
  };

  switch (op) {
    case "blur": {
      const blur = boxBlur(num("radius_share"), px);
      return { graph: overBox("[0:v]", blur.filter), used: { ...used, radius_px: blur.radius } };
    }
    case "pixelate": {
      const short = Math.min(px.width, px.height);
      const block = Math.max(2, Math.round(short / Math.max(1, num("blocks"))));
      const w = Math.max(1, Math.round(px.width / block));
      const h = Math.max(1, Math.round(px.height / block));
      // Down with `area` so each block is its average colour, back up with `neighbor` for hard block edges.
      const edit = `scale=${w}:${h}:flags=area,scale=${px.width}:${px.height}:flags=neighbor`;
      return { graph: overBox("[0:v]", edit), used: { ...used, block_px: block } };
    }
    case "grayscale": {
      const contrast = num("contrast");
      const edit = contrast === 1 ? "hue=s=0" : `hue=s=0,eq=contrast=${contrast}`;
      return { graph: overBox("[0:v]", edit), used };
    }
    case "brighten":
    case "darken":
      return { graph: overBox("[0:v]", `eq=brightness=${num("brightness")}`), used };
    case "remove": {
      const x = Math.max(1, px.x);
      const y = Math.max(1, px.y);
      const w = Math.max(1, Math.min(frameWidth - 1, px.x + px.width) - x);
      const h = Math.max(1, Math.min(frameHeight - 1, px.y + px.height) - y);
      const delogo = `[0:v]delogo=x=${x}:y=${y}:w=${w}:h=${h}:${enable}`;
      const smooth = num("smooth_share");
      if (smooth <= 0) return { graph: `${delogo}[v]`, used };
      const blur = boxBlur(smooth, px);
      return {
        graph: overBox(`${delogo}[filled];[filled]`, blur.filter),
        used: { ...used, smooth_radius_px: blur.radius },
      };
    }
  }
}

export interface LocalRegionEditorOptions {
  /** The app's ffmpeg runner; null when none was found at start. */
  ffmpeg: FfmpegRunner | null;
  record?: RecordCall;
}

export const LOCAL_REGION_NEEDS_FFMPEG =
  "local edits video with ffmpeg, which was not found at start: install ffmpeg or set FFMPEG_PATH";

/** The `local` video provider: region edits only (it makes no clip from a prompt alone). */
export function createLocalRegionEditor(options: LocalRegionEditorOptions): RegionEditor {
  const call = { provider: "local", model: LOCAL_REGION_MODEL, kind: "video" } as const;
  return {
    name: "local",
    model: LOCAL_REGION_MODEL,
    generateVideo: () =>
      metered(options.record, call, async () => {
        throw new ProviderError(
          "bad_request",
          "local",
          "local makes no video from a prompt: it edits a region of the timeline (POST /api/ai/generate)",
        );
      }),
    editRegion: (req) =>
      metered(options.record, call, async () => {
        const op = parseRegionOp(req.prompt);
        if (!op) throw new ProviderError("bad_request", "local", unsupportedRegionEditMessage(req.prompt));
        const runner = options.ffmpeg;
        if (!runner) throw new ProviderError("upstream", "local", LOCAL_REGION_NEEDS_FFMPEG);
        const probe = req.probe ?? (await runner.probe(req.input));
        if (!probe.width || !probe.height) throw new ProviderError("bad_request", "local", "the source is not a video");
        const params = localVariantParams(op, req.variantIndex, req.variantCount);
        const { graph, used } = localRegionFilter({
          op,
          params,
          box: req.box,
          frameWidth: probe.width,
          frameHeight: probe.height,
          startSec: req.startSec,
          endSec: req.endSec,
        });
        const duration = probe.durationSec;
        await runToFile(
          runner,
          req.output,
          (temp) => regionEditArgs({ input: req.input, filterComplex: graph, output: temp }),
          {
            ...(req.signal ? { signal: req.signal } : {}),
            ...(req.onProgress && duration > 0
              ? { onProgress: (sec: number) => req.onProgress?.(Math.min(1, sec / duration)) }
              : {}),
          },
        );
        req.onProgress?.(1);
        return {
          result: {
            op,
            params: { ...params, ...used },
            filter: graph,
            model: LOCAL_REGION_MODEL,
            note: LOCAL_REGION_NOTE,
          },
        };
      }),
  };
}

/** `local`'s video and scorer entries for createProviders' `extra` map. */
export function localRegionProviders(options: LocalRegionEditorOptions & LocalScorerOptions): {
  video: Record<string, VideoGenerator>;
  scorer: Record<string, Scorer>;
} {
  return { video: { local: createLocalRegionEditor(options) }, scorer: { local: createLocalScorer(options) } };
}
