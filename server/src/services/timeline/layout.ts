/**
 * TIMELINE time is the ACTIVE segments laid end to end in order, the first starting at 0: segment i covers
 * [Tᵢ, Tᵢ + (end_tsᵢ − start_tsᵢ)), Tᵢ the sum of the lengths before it. SOURCE time is seconds in a
 * segment's own media (its start_ts/end_ts).
 */

export interface TimelineEntry<S> {
  segment: S;
  /** Timeline time where the segment starts. */
  start: number;
  /** Timeline time where it ends (exclusive). */
  end: number;
}

export interface TimelineLayout<S> {
  entries: TimelineEntry<S>[];
  duration: number;
}

/** Lays the (already ordered, active) segments end to end. */
export function layoutTimeline<S extends { startTs: number; endTs: number }>(ordered: readonly S[]): TimelineLayout<S> {
  let cursor = 0;
  const entries = ordered.map((segment) => {
    const start = cursor;
    cursor += Math.max(0, segment.endTs - segment.startTs);
    return { segment, start, end: cursor };
  });
  return { entries, duration: cursor };
}

export function timelineDuration(active: readonly { startTs: number; endTs: number }[]): number {
  return layoutTimeline(active).duration;
}

/** Inserts `added` at `position` (clamped) of `ordered` ids: the new order of the active segments. */
export function insertAt<T>(ordered: readonly T[], position: number, added: readonly T[]): T[] {
  const at = Math.max(0, Math.min(ordered.length, Math.floor(position)));
  return [...ordered.slice(0, at), ...added, ...ordered.slice(at)];
}
