import type { BoundingBox } from "@dailies/shared";

/**
 * Drawing a region on the viewer: two pointer positions (in the element's CSS pixels) → a box in fractions of the
 * VIDEO frame. The picture is letterboxed inside the element (object-fit: contain), so the content rect is
 * computed first and the drag is clamped to it.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a `videoW`×`videoH` picture sits inside a `boxW`×`boxH` element with object-fit: contain. */
export function containRect(boxW: number, boxH: number, videoW: number, videoH: number): Rect {
  if (!(videoW > 0 && videoH > 0 && boxW > 0 && boxH > 0)) return { x: 0, y: 0, width: boxW, height: boxH };
  const scale = Math.min(boxW / videoW, boxH / videoH);
  const width = videoW * scale;
  const height = videoH * scale;
  return { x: (boxW - width) / 2, y: (boxH - height) / 2, width, height };
}

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

/**
 * The normalized box of a drag from `a` to `b` (any direction) over `content`; null when smaller than `minPx`
 * on a side (a click, not a drag).
 */
export function dragToBox(
  a: { x: number; y: number },
  b: { x: number; y: number },
  content: Rect,
  minPx = 4,
): BoundingBox | null {
  const fx = (px: number) => clamp01((px - content.x) / content.width);
  const fy = (py: number) => clamp01((py - content.y) / content.height);
  const x0 = Math.min(fx(a.x), fx(b.x));
  const x1 = Math.max(fx(a.x), fx(b.x));
  const y0 = Math.min(fy(a.y), fy(b.y));
  const y1 = Math.max(fy(a.y), fy(b.y));
  if ((x1 - x0) * content.width < minPx || (y1 - y0) * content.height < minPx) return null;
  const x = round4(x0);
  const y = round4(y0);
  return { x, y, width: Math.min(round4(x1 - x0), 1 - x), height: Math.min(round4(y1 - y0), 1 - y) };
}

/** The box back in element pixels, to draw it over the video. */
export function boxToRect(box: BoundingBox, content: Rect): Rect {
  return {
    x: content.x + box.x * content.width,
    y: content.y + box.y * content.height,
    width: box.width * content.width,
    height: box.height * content.height,
  };
}
