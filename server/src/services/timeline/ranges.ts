/**
 * Ranges of the timeline: which source material plays between two timeline times, whether two ranges show
 * the same material, and the plan for putting a clip over a range (the variant accept). Pure.
 */
import { timelineDuration } from "./layout.js";
import { sameTime, TIME_EPSILON } from "./tolerance.js";

export interface TimelineSegment {
  id: string;
  mediaId: string;
  startTs: number;
  endTs: number;
}

/** A stretch of one source media that plays inside a timeline range. */
export interface RangePiece {
  segmentId: string;
  mediaId: string;
  /** Source time where the piece starts in its media. */
  sourceStart: number;
  sourceEnd: number;
  /** Where the piece plays on the timeline. */
  timelineStart: number;
  timelineEnd: number;
}

/** The pieces of source media that play between `start` and `end` on the timeline of `active` (in order). */
export function rangePieces(active: readonly TimelineSegment[], start: number, end: number): RangePiece[] {
  const pieces: RangePiece[] = [];
  let cursor = 0;
  for (const s of active) {
    const a = cursor;
    const b = cursor + (s.endTs - s.startTs);
    cursor = b;
    const from = Math.max(a, start);
    const to = Math.min(b, end);
    if (to - from <= TIME_EPSILON) continue;
    pieces.push({
      segmentId: s.id,
      mediaId: s.mediaId,
      sourceStart: s.startTs + (from - a),
      sourceEnd: s.startTs + (to - a),
      timelineStart: from,
      timelineEnd: to,
    });
  }
  return pieces;
}

/**
 * Whether two ranges show the same source material (same media and source times, in order). A split of a
 * segment elsewhere changes its id but not what plays, so ids are not compared.
 */
export function samePieces(
  a: readonly Pick<RangePiece, "mediaId" | "sourceStart" | "sourceEnd">[],
  b: readonly Pick<RangePiece, "mediaId" | "sourceStart" | "sourceEnd">[],
): boolean {
  // Adjacent pieces of the same media that continue each other are one stretch of material.
  const merge = (list: typeof a) => {
    const out: { mediaId: string; sourceStart: number; sourceEnd: number }[] = [];
    for (const p of list) {
      const last = out[out.length - 1];
      if (last && last.mediaId === p.mediaId && sameTime(last.sourceEnd, p.sourceStart)) last.sourceEnd = p.sourceEnd;
      else out.push({ mediaId: p.mediaId, sourceStart: p.sourceStart, sourceEnd: p.sourceEnd });
    }
    return out;
  };
  const x = merge(a);
  const y = merge(b);
  return (
    x.length === y.length &&
    x.every(
      (p, i) =>
        p.mediaId === y[i]?.mediaId &&
        sameTime(p.sourceStart, y[i].sourceStart) &&
        sameTime(p.sourceEnd, y[i].sourceEnd),
    )
  );
}

/** A new segment row cut from an existing one: same media, grade and source kind, a sub-range of its times. */
export interface SplicePart {
  id: string;
  parentSegmentId: string;
  startTs: number;
  endTs: number;
  /** Left and right remainders stay on the timeline; the covered middle is kept inactive. */
  active: boolean;
  role: "left" | "right" | "covered";
}

export interface SplicePlan {
  /** Active segments the range touches. They are deactivated and kept. */
  deactivate: string[];
  /** Rows cut from them (only for segments the range covers partly). */
  parts: SplicePart[];
  /** The variant's segment: 0..range length in the variant clip, which holds exactly the range. */
  variantSegment: { id: string; startTs: number; endTs: number; parentSegmentId: string };
  /** Every active segment after the accept, in timeline order; the position is the new order_index. */
  order: string[];
}

/**
 * Plans putting a clip over [start, end] of the timeline: every segment the range touches is deactivated
 * (kept); one that starts before the range leaves an active left part, one that ends after it an active
 * right part, and the part the range covers is kept as an inactive row, so what was replaced can be
 * found and restored. The variant's segment goes where the range starts. Pure: ids come from `makeId`.
 */
export function planVariantSplice(
  active: readonly TimelineSegment[],
  start: number,
  end: number,
  makeId: () => string,
): SplicePlan {
  if (!(end - start > TIME_EPSILON)) throw new RangeError("the range is empty");
  const duration = timelineDuration(active);
  if (start < -TIME_EPSILON || end > duration + TIME_EPSILON)
    throw new RangeError(`the range ${start}..${end} is outside the timeline (0..${duration})`);

  const deactivate: string[] = [];
  const parts: SplicePart[] = [];
  const order: string[] = [];
  const variantId = makeId();
  let variantParent: string | undefined;
  let cursor = 0;
  for (const s of active) {
    const a = cursor;
    const b = cursor + (s.endTs - s.startTs);
    cursor = b;
    const overlaps = Math.min(b, end) - Math.max(a, start) > TIME_EPSILON;
    if (!overlaps) {
      // A segment after the range follows the variant; the variant goes in before the first one after it.
      if (a >= end - TIME_EPSILON && variantParent !== undefined && !order.includes(variantId)) order.push(variantId);
      order.push(s.id);
      continue;
    }
    deactivate.push(s.id);
    variantParent ??= s.id;
    const leftLen = start - a;
    const rightLen = b - end;
    const cutFrom = s.startTs + Math.max(0, leftLen);
    const cutTo = s.endTs - Math.max(0, rightLen);
    const partial = leftLen > TIME_EPSILON || rightLen > TIME_EPSILON;
    if (leftLen > TIME_EPSILON) {
      const id = makeId();
      parts.push({ id, parentSegmentId: s.id, startTs: s.startTs, endTs: cutFrom, active: true, role: "left" });
      order.push(id);
    }
    if (partial) {
      parts.push({
        id: makeId(),
        parentSegmentId: s.id,
        startTs: cutFrom,
        endTs: cutTo,
        active: false,
        role: "covered",
      });
    }
    if (rightLen > TIME_EPSILON) {
      if (!order.includes(variantId)) order.push(variantId);
      const id = makeId();
      parts.push({ id, parentSegmentId: s.id, startTs: cutTo, endTs: s.endTs, active: true, role: "right" });
      order.push(id);
    }
  }
  if (!order.includes(variantId)) order.push(variantId);
  return {
    deactivate,
    parts,
    variantSegment: { id: variantId, startTs: 0, endTs: end - start, parentSegmentId: variantParent as string },
    order,
  };
}
