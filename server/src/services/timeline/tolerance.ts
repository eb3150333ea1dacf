/**
 * The one time tolerance of the timeline: times closer than a microsecond are the same time. A microsecond
 * is ffmpeg's finest time and the precision `roundTime` keeps in responses, so two times that round to the
 * same answer compare equal, and sums of float durations (which drift by ~1e-15) never split a moment.
 */
export const TIME_EPSILON = 1e-6;

/** Whether two times are the same time. */
export function sameTime(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIME_EPSILON;
}

/** Microsecond precision: ffmpeg's finest time, and no 0.30000000000000004 in responses. */
export function roundTime(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}
