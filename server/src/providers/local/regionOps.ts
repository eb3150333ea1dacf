/**
 * The `local` provider's region edits as ffmpeg arguments: the ops, their filters inside the box over a time
 * range, and the op a prompt names (pure), and `applyRegionEdit`, which runs them through media/.
 */

import {
  boxToPixels,
  FILTERED_VIDEO_OUTPUT,
  type FractionBox,
  formatSeconds,
  PROGRESS,
} from "../../media/args/index.js";
import type { FfmpegRunner } from "../../media/ffmpeg.js";
import { type ProgressReporting, progressOf, runToFile } from "../../media/operations.js";
import type { ProbeResult } from "../../media/probe.js";

export const LOCAL_REGION_OPS = ["blur", "pixelate", "remove", "grayscale", "brighten", "darken"] as const;
export type RegionOp = (typeof LOCAL_REGION_OPS)[number];

export interface RegionEditFilterInput {
  op: RegionOp;
  box: FractionBox;
  startSec: number;
  endSec: number;
  frameWidth: number;
  frameHeight: number;
}

/** The filter applied to the cropped box for every op except `remove`. */
function regionOpFilter(op: Exclude<RegionOp, "remove">, width: number, height: number): string {
  const short = Math.min(width, height);
  switch (op) {
    case "blur": {
      // boxblur refuses a radius above half the plane's short side; chroma planes are half size in yuv420p.
      const radius = Math.max(1, Math.min(Math.floor(short / 2), Math.max(2, Math.round(short / 6))));
      const chroma = Math.min(radius, Math.floor(short / 4));
      return `boxblur=luma_radius=${radius}:luma_power=2:chroma_radius=${chroma}:chroma_power=2`;
    }
    case "pixelate": {
      // About 10 blocks across the short side. Down with `area` so each block is its average colour (a true
      // mosaic; `neighbor` would keep single sampled pixels), back up with `neighbor` for hard block edges.
      const block = Math.max(2, Math.round(short / 10));
      const w = Math.max(1, Math.round(width / block));
      const h = Math.max(1, Math.round(height / block));
      return `scale=${w}:${h}:flags=area,scale=${width}:${height}:flags=neighbor`;
    }
    case "grayscale":
      return "hue=s=0";
    case "brighten":
      return "eq=brightness=0.25";
    case "darken":
      return "eq=brightness=-0.25";
  }
}

/**
 * A `-filter_complex` graph reading `[0:v]` and producing `[v]` with `op` applied inside the box between
 * startSec and endSec (timeline `enable`), the rest untouched: the box is cropped from a copy of the frame,
 * edited, and overlaid back at the same place.
 *
 * `remove` uses delogo over the whole frame instead: it fills the box by interpolating from the pixels just
 * outside it, so it needs a 1-pixel border inside the frame ("Logo area is outside of the frame" otherwise)
 * and the box is clamped to x,y ≥ 1 and x+w, y+h ≤ size−1.
 */
export function regionEditFilter(input: RegionEditFilterInput): string {
  const { op, frameWidth, frameHeight } = input;
  if (!LOCAL_REGION_OPS.includes(op)) throw new RangeError(`unknown region op: ${op}`);
  if (!(input.endSec > input.startSec)) throw new RangeError("endSec must be after startSec");
  const enable = `enable='between(t,${formatSeconds(input.startSec)},${formatSeconds(input.endSec)})'`;
  const px = boxToPixels(input.box, frameWidth, frameHeight);

  if (op === "remove") {
    const x = Math.max(1, px.x);
    const y = Math.max(1, px.y);
    const w = Math.max(1, Math.min(frameWidth - 1, px.x + px.width) - x);
    const h = Math.max(1, Math.min(frameHeight - 1, px.y + px.height) - y);
    return `[0:v]delogo=x=${x}:y=${y}:w=${w}:h=${h}:${enable}[v]`;
  }
  const crop = `crop=w=${px.width}:h=${px.height}:x=${px.x}:y=${px.y}`;
  return (
    `[0:v]split=2[base][roi];` +
    `[roi]${crop},${regionOpFilter(op, px.width, px.height)}[edit];` +
    `[base][edit]overlay=x=${px.x}:y=${px.y}:${enable}[v]`
  );
}

/**
 * Renders a region edit: the graph from `regionEditFilter`, H.264 like the export parts, audio (if any)
 * re-encoded to AAC unchanged in content.
 */
export function regionEditArgs({
  input,
  filterComplex,
  output,
}: {
  input: string;
  filterComplex: string;
  output: string;
}): string[] {
  return ["-i", input, "-filter_complex", filterComplex, ...FILTERED_VIDEO_OUTPUT, ...PROGRESS, output];
}

const REGION_OP_KEYWORDS: readonly [RegionOp, RegExp][] = [
  ["blur", /\b(?:blur\w*|soften\w*|defocus\w*)/i],
  ["pixelate", /\b(?:pixel+[ai][tz]\w*|pixelis\w*|mosaic\w*|censor\w*)/i],
  ["remove", /\b(?:remov\w*|eras\w*|delet\w*|get rid of)/i],
  ["grayscale", /\b(?:gr[ae]y\s*-?\s*scale\w*|black\s*(?:and|&|n)\s*white|b\s*&\s*w\b|monochrome|desaturat\w*)/i],
  ["brighten", /\b(?:brighten\w*|brighter|lighten\w*|lighter)\b/i],
  ["darken", /\b(?:darken\w*|darker)\b/i],
];

/**
 * The region op a prompt asks for, by keywords; null when none matches. When several match, the one named
 * first wins ("remove the blurry logo" → remove).
 */
export function parseRegionOp(prompt: string): RegionOp | null {
  let best: { op: RegionOp; index: number } | null = null;
  for (const [op, pattern] of REGION_OP_KEYWORDS) {
    const match = pattern.exec(prompt);
    if (match && (best === null || match.index < best.index)) best = { op, index: match.index };
  }
  return best?.op ?? null;
}

export interface ApplyRegionEditInput extends ProgressReporting {
  input: string;
  output: string;
  op: RegionOp;
  box: FractionBox;
  startSec: number;
  endSec: number;
  /** The input's probe, when already known (saves one ffprobe run). */
  probe?: ProbeResult;
}

/** The `local` provider's edit: `op` inside `box` between the two times, the rest of the picture untouched. */
export async function applyRegionEdit(runner: FfmpegRunner, input: ApplyRegionEditInput): Promise<string> {
  const probe = input.probe ?? (await runner.probe(input.input));
  if (!probe.width || !probe.height) throw new RangeError("a region edit needs a video input");
  const filterComplex = regionEditFilter({
    op: input.op,
    box: input.box,
    startSec: input.startSec,
    endSec: input.endSec,
    frameWidth: probe.width,
    frameHeight: probe.height,
  });
  const onProgress = progressOf(probe.durationSec, input.onProgress);
  await runToFile(runner, input.output, (temp) => regionEditArgs({ input: input.input, filterComplex, output: temp }), {
    signal: input.signal,
    onProgress,
    mediaDurationSec: probe.durationSec,
  });
  input.onProgress?.(1);
  return input.output;
}
