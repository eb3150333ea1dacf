/** From timeline time to what is shown there: the segment, its source time, the frame. */
import type { TimelineEntry, TimelineLayout } from "./layout.js";
import { roundTime, TIME_EPSILON } from "./tolerance.js";

export interface Located<S> {
  index: number;
  segment: S;
  /** The same instant in the segment's source media. */
  sourceTs: number;
}

/**
 * The segment shown at timeline time `ts` and the source time there. Each segment owns [start, end); the
 * timeline's end itself (ts = duration) belongs to the last segment (its last frame). Null outside
 * [0, duration] and on an empty timeline.
 */
export function locateTime<S extends { startTs: number; endTs: number }>(
  layout: TimelineLayout<S>,
  ts: number,
): Located<S> | null {
  const { entries, duration } = layout;
  if (entries.length === 0 || !Number.isFinite(ts) || ts < -TIME_EPSILON || ts > duration + TIME_EPSILON) return null;
  let lo = 0;
  let hi = entries.length - 1;
  // Binary search for the last entry whose start <= ts (zero-length entries never win).
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((entries[mid] as TimelineEntry<S>).start <= ts + TIME_EPSILON) lo = mid;
    else hi = mid - 1;
  }
  let index = lo;
  while (index > 0 && (entries[index] as TimelineEntry<S>).end - (entries[index] as TimelineEntry<S>).start <= 0)
    index--;
  const entry = entries[index] as TimelineEntry<S>;
  const offset = Math.min(Math.max(0, ts - entry.start), entry.end - entry.start);
  return { index, segment: entry.segment, sourceTs: entry.segment.startTs + offset };
}

/**
 * The timeline times of a strip: start, start + 1/fps, … while < end (end is exclusive). Computed as
 * start + i/fps (not by adding 1/fps repeatedly) so the times do not drift.
 */
export function stripTimes(start: number, end: number, fps: number): number[] {
  const count = stripCount(start, end, fps);
  return Array.from({ length: count }, (_, i) => roundTime(start + i / fps));
}

/** How many frames `stripTimes` returns. */
export function stripCount(start: number, end: number, fps: number): number {
  if (!(end > start) || !(fps > 0)) return 0;
  // In frames, not seconds: only float noise of the product is forgiven.
  return Math.max(1, Math.ceil((end - start) * fps - 1e-9));
}

/**
 * The frame shown at source time `t` of a segment [startTs, endTs) of a `fps` video: frame k covers
 * [k/fps, (k+1)/fps). Clamped to the segment's own frames, so the segment's end time shows its last frame.
 */
export function frameIndex(t: number, fps: number, startTs: number, endTs: number): number {
  const first = Math.floor(startTs * fps + 1e-6);
  const last = Math.max(first, Math.ceil(endTs * fps - 1e-6) - 1);
  const k = Math.floor(t * fps + 1e-6);
  return Math.min(last, Math.max(first, k));
}

/**
 * Where to seek (`-ss`, first frame at or after it) to get frame k: half a frame before its nominal time,
 * so rounding of the stream's timestamps (e.g. 512/15360 s for frame 1 at 30 fps) cannot skip to frame k+1.
 */
export function frameSeekTime(k: number, fps: number): number {
  return k <= 0 ? 0 : roundTime((k - 0.5) / fps);
}
