/** Boxes on the frame, and putting a generated clip into the box of the source (remote region generation). */
import { assertPositiveInt, FILTERED_VIDEO_OUTPUT, formatNumber, formatSeconds, PROGRESS } from "./format.js";

/** A box in fractions of the frame (0..1), as `bounding_box` in `/api/ai/generate`. */
export interface FractionBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Clamps a fractional box into the frame; throws when nothing of it is left. */
export function clampBox(box: FractionBox): FractionBox {
  for (const [k, v] of Object.entries(box)) if (!Number.isFinite(v)) throw new RangeError(`box.${k} is not a number`);
  const x0 = Math.min(1, Math.max(0, box.x));
  const y0 = Math.min(1, Math.max(0, box.y));
  const x1 = Math.min(1, Math.max(0, box.x + box.width));
  const y1 = Math.min(1, Math.max(0, box.y + box.height));
  if (!(x1 > x0 && y1 > y0)) throw new RangeError("the box does not cover any part of the frame");
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * A fractional box in pixels, on even coordinates (yuv420p chroma covers 2x2 pixels, so crop and overlay
 * stay aligned), grown outward to even edges, at least 2x2, inside the frame.
 */
export function boxToPixels(box: FractionBox, frameWidth: number, frameHeight: number): PixelBox {
  assertPositiveInt("frameWidth", frameWidth);
  assertPositiveInt("frameHeight", frameHeight);
  const b = clampBox(box);
  const axis = (start: number, size: number, frame: number): [number, number] => {
    const limit = Math.max(2, frame - (frame % 2));
    let from = Math.floor((start * frame) / 2) * 2;
    const to = Math.min(limit, Math.ceil(((start + size) * frame) / 2) * 2);
    const length = Math.max(2, to - from);
    from = Math.min(from, limit - length);
    return [from, length];
  };
  const [x, width] = axis(b.x, b.width, frameWidth);
  const [y, height] = axis(b.y, b.height, frameHeight);
  return { x, y, width, height };
}

/** Crops to a fractional box with ffmpeg expressions, so the frame size need not be known. */
export function cropFilter(box: FractionBox): string {
  const b = clampBox(box);
  return `crop=w=iw*${formatNumber(b.width, 6)}:h=ih*${formatNumber(b.height, 6)}:x=iw*${formatNumber(b.x, 6)}:y=ih*${formatNumber(b.y, 6)}`;
}

/**
 * Puts a generated clip into the box of the source clip: scaled to the box, timed to the source (a short
 * clip holds its last frame, a long one is cut), everything outside the box and the audio untouched.
 * Pure: tests compare the list as data.
 */
export interface CompositeRegionArgsInput {
  source: string;
  generated: string;
  output: string;
  /** The box in pixels of the source frame. */
  box: PixelBox;
  durationSec: number;
  fps: number;
}

export function compositeRegionArgs(input: CompositeRegionArgsInput): string[] {
  const { box } = input;
  const d = formatSeconds(input.durationSec);
  const graph =
    `[1:v]scale=${box.width}:${box.height},setsar=1,fps=${Number(input.fps.toFixed(6))},` +
    `tpad=stop_mode=clone:stop_duration=${d},trim=duration=${d},setpts=PTS-STARTPTS[g];` +
    `[0:v][g]overlay=x=${box.x}:y=${box.y}:eof_action=repeat[v]`;
  return [
    "-i",
    input.source,
    "-i",
    input.generated,
    "-filter_complex",
    graph,
    ...FILTERED_VIDEO_OUTPUT,
    "-t",
    d,
    ...PROGRESS,
    input.output,
  ];
}
