import { describe, expect, it } from "vitest";
import {
  clipTarget,
  correctDrift,
  fpsFromMetadata,
  frameDuration,
  maxDriftFrames,
  SEEK_THRESHOLD_S,
  stepFrames,
} from "../src/lib/compareSync";

describe("compare sync math", () => {
  it("leaves a follower alone within a third of a frame", () => {
    expect(correctDrift(0.005, 1, 1, 30)).toEqual({ kind: "none", rate: 1 });
    expect(correctDrift(-0.01, 1, 2, 30)).toEqual({ kind: "none", rate: 2 });
  });

  it("slows a follower that is ahead and speeds one that is behind, in proportion, within ±25 %", () => {
    const ahead = correctDrift(0.05, 1, 1, 30);
    const behind = correctDrift(-0.05, 1, 1, 30);
    expect(ahead.kind).toBe("nudge");
    expect(ahead.rate).toBeCloseTo(0.9);
    expect(behind.rate).toBeCloseTo(1.1);
    expect(correctDrift(0.2, 1, 1, 30).rate).toBeCloseTo(0.75);
    // The nudge scales with the chosen playback rate.
    expect(correctDrift(-0.05, 1, 2, 30).rate).toBeCloseTo(2.2);
  });

  it("seeks when the drift is too large to catch up by rate", () => {
    expect(correctDrift(SEEK_THRESHOLD_S + 0.01, 3, 1, 30)).toEqual({ kind: "seek", to: 3, rate: 1 });
    expect(correctDrift(-2, 3, 1, 24).kind).toBe("seek");
  });

  it("holds a shorter clip on its last frame", () => {
    expect(clipTarget(5, 3)).toBeCloseTo(2.999);
    expect(clipTarget(1.5, 3)).toBe(1.5);
    expect(clipTarget(-1, 3)).toBe(0);
    expect(clipTarget(2, Number.NaN)).toBe(2);
  });

  it("steps whole frames, snapped to frame centres, within the clip", () => {
    const d = frameDuration(30);
    expect(stepFrames(0, 1, 30, 10)).toBeCloseTo(1.5 * d);
    expect(stepFrames(1.5 * d, 1, 30, 10)).toBeCloseTo(2.5 * d);
    expect(stepFrames(1.5 * d, -1, 30, 10)).toBeCloseTo(0.5 * d);
    expect(stepFrames(0, -1, 30, 10)).toBeCloseTo(0.5 * d);
    expect(stepFrames(9.99, 5, 30, 10)).toBeCloseTo(10 - d / 2);
    // Ten steps forward then ten back return to the same frame.
    let t = stepFrames(1, 0, 24, 5);
    const start = t;
    for (let i = 0; i < 10; i++) t = stepFrames(t, 1, 24, 5);
    expect(t - start).toBeCloseTo(10 / 24);
    for (let i = 0; i < 10; i++) t = stepFrames(t, -1, 24, 5);
    expect(t).toBeCloseTo(start);
  });

  it("measures drift in frames", () => {
    expect(maxDriftFrames([1, 1 + 1 / 30], 30)).toBeCloseTo(1);
    expect(maxDriftFrames([2], 30)).toBe(0);
  });

  it("reads the frame rate from metadata, else 30", () => {
    expect(fpsFromMetadata({ fps: 24 })).toBe(24);
    expect(fpsFromMetadata({ frameRate: "30000/1001" })).toBeCloseTo(29.97);
    expect(fpsFromMetadata({ fps: "abc" })).toBe(30);
    expect(fpsFromMetadata(null)).toBe(30);
  });
});
