/**
 * The editor's timeline geometry: segments laid end to end at `pxPerSecond`, and what a pointer x hits.
 * Pure, so the layout, hit-testing and drop positions are unit-tested (web/test/timelineLayout.test.ts).
 */

export interface TimelineSegment {
  id: string;
  /** Source in/out times (seconds in the segment's media). */
  start_ts: number;
  end_ts: number;
}

export interface LaidSegment<S extends TimelineSegment = TimelineSegment> {
  segment: S;
  index: number;
  /** Timeline time where it starts / ends. */
  start: number;
  end: number;
  /** Pixels from the timeline's left edge, and width. */
  x: number;
  width: number;
}

export interface Layout<S extends TimelineSegment = TimelineSegment> {
  items: LaidSegment<S>[];
  duration: number;
  width: number;
  pxPerSecond: number;
}

export function layoutSegments<S extends TimelineSegment>(segments: readonly S[], pxPerSecond: number): Layout<S> {
  let t = 0;
  const items = segments.map((segment, index) => {
    const length = Math.max(0, segment.end_ts - segment.start_ts);
    const item = { segment, index, start: t, end: t + length, x: t * pxPerSecond, width: length * pxPerSecond };
    t += length;
    return item;
  });
  return { items, duration: t, width: t * pxPerSecond, pxPerSecond };
}

/** Zoom that fits the whole timeline in `viewportPx` (bounded so a tiny or empty cut stays usable). */
export function fitZoom(duration: number, viewportPx: number, min = 2, max = 400): number {
  if (!(duration > 0) || !(viewportPx > 0)) return 50;
  return Math.max(min, Math.min(max, viewportPx / duration));
}

export const xToTime = (layout: Layout, x: number): number =>
  Math.max(0, Math.min(layout.duration, x / layout.pxPerSecond));
export const timeToX = (layout: Layout, t: number): number => t * layout.pxPerSecond;

/** The segment at timeline time `t` (the last one at the very end), with the source time shown there. */
export function locate<S extends TimelineSegment>(
  layout: Layout<S>,
  t: number,
): { item: LaidSegment<S>; sourceTime: number } | null {
  const { items } = layout;
  if (items.length === 0) return null;
  const clamped = Math.max(0, Math.min(layout.duration, t));
  const item = items.find((i) => clamped >= i.start && clamped < i.end) ?? (items[items.length - 1] as LaidSegment<S>);
  return { item, sourceTime: item.segment.start_ts + Math.min(clamped - item.start, item.end - item.start) };
}

export type Hit<S extends TimelineSegment> = {
  item: LaidSegment<S>;
  /** "start"/"end" when the pointer is within `edgePx` of a trim handle. */
  edge: "start" | "end" | null;
  time: number;
} | null;

/** What the pointer at `x` hits: a segment, and whether it grabs one of its edges (for trimming). */
export function hitTest<S extends TimelineSegment>(layout: Layout<S>, x: number, edgePx = 6): Hit<S> {
  const item = layout.items.find((i) => x >= i.x && x < i.x + i.width);
  if (!item) return null;
  const edgeSize = Math.min(edgePx, item.width / 3);
  const edge = x - item.x <= edgeSize ? "start" : item.x + item.width - x <= edgeSize ? "end" : null;
  return { item, edge, time: xToTime(layout, x) };
}

/** Where a segment dragged to `x` lands: the index among the others (by the midpoints it passed). */
export function dropIndex(layout: Layout, draggedIndex: number, x: number): number {
  let index = 0;
  for (const item of layout.items) {
    if (item.index === draggedIndex) continue;
    if (x > item.x + item.width / 2) index++;
  }
  return index;
}

/** The order of ids after moving `from` to position `to` (positions among the others). */
export function moveId(ids: readonly string[], from: number, to: number): string[] {
  const rest = ids.filter((_, i) => i !== from);
  const moved = ids[from];
  if (moved === undefined) return [...ids];
  const at = Math.max(0, Math.min(rest.length, to));
  return [...rest.slice(0, at), moved, ...rest.slice(at)];
}

/**
 * New source in/out when an edge is dragged by `dx` pixels: bounded by the segment's current times (trim only
 * shortens, as the server allows) and a minimum length.
 */
export function trimByDrag(
  segment: TimelineSegment,
  edge: "start" | "end",
  dx: number,
  pxPerSecond: number,
  minLength = 0.1,
): { new_start_ts: number; new_end_ts: number } {
  const dt = dx / pxPerSecond;
  if (edge === "start") {
    const start = Math.min(segment.end_ts - minLength, Math.max(segment.start_ts, segment.start_ts + dt));
    return { new_start_ts: round(start), new_end_ts: segment.end_ts };
  }
  const end = Math.max(segment.start_ts + minLength, Math.min(segment.end_ts, segment.end_ts + dt));
  return { new_start_ts: segment.start_ts, new_end_ts: round(end) };
}

/** Frames per second of a filmstrip that puts about one frame every `framePx` pixels (≤ `maxFrames`). */
export function stripFps(duration: number, pxPerSecond: number, framePx = 80, maxFrames = 200): number {
  if (!(duration > 0)) return 1;
  const wanted = pxPerSecond / framePx;
  return Math.max(0.01, Math.min(wanted, maxFrames / duration));
}

const round = (t: number) => Math.round(t * 1000) / 1000;
