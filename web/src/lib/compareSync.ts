/**
 * The arithmetic of synced playback in compare: pure functions, so they are unit-tested without a browser.
 * The first video leads; every other clip is steered towards the leader's time on each painted frame
 * (requestVideoFrameCallback): small drift by nudging playbackRate, large drift by one seek. Never a reload.
 */

export const DEFAULT_FPS = 30;

export function frameDuration(fps: number): number {
  return 1 / (fps > 0 && Number.isFinite(fps) ? fps : DEFAULT_FPS);
}

/** Where a clip should be when the shared timeline is at `t`: clips shorter than the longest hold their last frame. */
export function clipTarget(t: number, clipDuration: number): number {
  if (!Number.isFinite(clipDuration) || clipDuration <= 0) return Math.max(0, t);
  return Math.min(Math.max(0, t), Math.max(0, clipDuration - 0.001));
}

export type Correction =
  | { kind: "none"; rate: number }
  | { kind: "nudge"; rate: number }
  | { kind: "seek"; to: number; rate: number };

/** Beyond this drift a seek is cheaper than catching up by rate. */
export const SEEK_THRESHOLD_S = 0.25;
/** How hard the rate nudge pulls: the drift is closed in about this many seconds. */
const CATCH_UP_S = 0.5;
const MAX_NUDGE = 0.25;

/**
 * What to do with a follower `drift` seconds ahead (positive) or behind (negative) of where it should be, while
 * playing at `rate`. Within a third of a frame: play at the plain rate. Up to SEEK_THRESHOLD_S: a proportional rate
 * change (clamped to ±25 %) that closes the gap over about half a second. Beyond: seek.
 */
export function correctDrift(drift: number, target: number, rate: number, fps: number): Correction {
  const tolerance = frameDuration(fps) / 3;
  if (Math.abs(drift) <= tolerance) return { kind: "none", rate };
  if (Math.abs(drift) > SEEK_THRESHOLD_S) return { kind: "seek", to: target, rate };
  const factor = Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, -drift / CATCH_UP_S));
  return { kind: "nudge", rate: rate * (1 + factor) };
}

/** The time after stepping `frames` frames (negative: back) from `t`, snapped to frame centres, within [0, duration]. */
export function stepFrames(t: number, frames: number, fps: number, duration: number): number {
  const d = frameDuration(fps);
  const index = Math.floor(t / d + 1e-6) + frames;
  const max = Number.isFinite(duration) && duration > 0 ? duration : Number.POSITIVE_INFINITY;
  const next = index * d + d / 2;
  return Math.min(Math.max(d / 2, next), Math.max(d / 2, max - d / 2));
}

/** The largest drift between the clips' times, in frames (what the e2e test and the benchmark report). */
export function maxDriftFrames(times: number[], fps: number): number {
  if (times.length < 2) return 0;
  return (Math.max(...times) - Math.min(...times)) / frameDuration(fps);
}

/** A clip's frame rate from its metadata when present (fps / frameRate / "30000/1001"), else 30. */
export function fpsFromMetadata(metadata: Record<string, unknown> | null | undefined): number {
  const raw = metadata?.fps ?? metadata?.frameRate ?? metadata?.frame_rate;
  if (typeof raw === "number" && raw > 0 && raw < 1000) return raw;
  if (typeof raw === "string") {
    const [n, d] = raw.split("/").map(Number);
    const value = d ? (n ?? 0) / d : Number(raw);
    if (value > 0 && value < 1000) return value;
  }
  return DEFAULT_FPS;
}
