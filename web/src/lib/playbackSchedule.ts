/**
 * Playing a cut across segment boundaries: which source, from which source time, until when. The viewer seeks
 * `entry.url` to `sourceTime` and hands over to the next entry when the source passes `entry.sourceEnd`.
 */

export interface ScheduleSegment {
  id: string;
  url: string | null;
  start_ts: number;
  end_ts: number;
}

export interface ScheduleEntry {
  index: number;
  segmentId: string;
  url: string | null;
  timelineStart: number;
  timelineEnd: number;
  sourceStart: number;
  sourceEnd: number;
}

export function buildSchedule(segments: readonly ScheduleSegment[]): ScheduleEntry[] {
  let t = 0;
  return segments.map((s, index) => {
    const length = Math.max(0, s.end_ts - s.start_ts);
    const entry = {
      index,
      segmentId: s.id,
      url: s.url,
      timelineStart: t,
      timelineEnd: t + length,
      sourceStart: s.start_ts,
      sourceEnd: s.end_ts,
    };
    t += length;
    return entry;
  });
}

export const scheduleDuration = (schedule: readonly ScheduleEntry[]): number =>
  schedule.length === 0 ? 0 : (schedule[schedule.length - 1] as ScheduleEntry).timelineEnd;

/** The entry playing at timeline time `t` and the source time to show (null past the end or when empty). */
export function entryAt(
  schedule: readonly ScheduleEntry[],
  t: number,
): { entry: ScheduleEntry; sourceTime: number } | null {
  if (t < 0) return null;
  const entry = schedule.find((e) => t >= e.timelineStart && t < e.timelineEnd);
  if (!entry) return null;
  return { entry, sourceTime: entry.sourceStart + (t - entry.timelineStart) };
}

/** Timeline time of a source time inside an entry (what the playhead shows while the video plays). */
export function timelineTimeOf(entry: ScheduleEntry, sourceTime: number): number {
  const clamped = Math.max(entry.sourceStart, Math.min(entry.sourceEnd, sourceTime));
  return entry.timelineStart + (clamped - entry.sourceStart);
}

/**
 * What the player must do when the current source reports `sourceTime`: keep playing, move to the next entry
 * (seek its source to its start), or stop at the end of the cut. `slack` absorbs the coarse timeupdate rate.
 */
export function advance(
  schedule: readonly ScheduleEntry[],
  current: ScheduleEntry,
  sourceTime: number,
  slack = 0.02,
): { action: "play" } | { action: "next"; entry: ScheduleEntry } | { action: "end" } {
  if (sourceTime < current.sourceEnd - slack) return { action: "play" };
  const next = schedule[current.index + 1];
  return next ? { action: "next", entry: next } : { action: "end" };
}
