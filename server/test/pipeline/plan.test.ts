import type { ScenePlanDraft } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { scenePlanTemplate, storyTemplate } from "../../src/providers/local/templates.js";
import { fitPlan, shotLetters } from "../../src/services/scenePlanning.js";
import { findVideoModel } from "../../src/services/videoModels.js";

const scene = (shots: number[], durationSec = 10) => ({
  title: "S",
  storyBeat: "B",
  act: 1,
  macroScene: "M",
  durationSec,
  imagePrompt: "I",
  videoPrompt: "V",
  shots: shots.map((d, i) => ({ description: `shot ${i}`, durationSec: d })),
});
const total = (scenes: ReturnType<typeof fitPlan>) => scenes.reduce((a, s) => a + s.durationSec, 0);

describe("fitPlan", () => {
  it("keeps a plan that already fits, assigning codes", () => {
    const out = fitPlan({ scenes: [scene([4, 4]), scene([6])] }, { maxSeconds: 60, maxClipSeconds: 8 });
    expect(out.map((s) => [s.number, s.sceneCode, s.durationSec])).toEqual([
      [1, "001", 8],
      [2, "002", 6],
    ]);
    expect(out[0]!.shots.map((s) => [s.shotCode, s.durationSec])).toEqual([
      ["001A", 4],
      ["001B", 4],
    ]);
  });

  it("scales an over-long plan down and splits shots longer than one clip", () => {
    const draft: ScenePlanDraft = { scenes: [scene([100, 20]), scene([30, 30, 20])] }; // 200 s
    const out = fitPlan(draft, { maxSeconds: 60, maxClipSeconds: 8 });
    expect(total(out)).toBeLessThanOrEqual(60);
    expect(total(out)).toBeGreaterThan(59.5);
    for (const s of out) for (const shot of s.shots) expect(shot.durationSec).toBeLessThanOrEqual(8);
    // 100 s → 30 s → four 7.5 s parts.
    expect(out[0]!.shots.slice(0, 4).map((s) => s.durationSec)).toEqual([7.5, 7.5, 7.5, 7.5]);
    expect(out[0]!.shots[0]!.description).toBe("shot 0 (part 1 of 4)");
  });

  it("spreads the remainder of an uneven split over the first parts, never past the clip", () => {
    const out = fitPlan({ scenes: [scene([25.1])] }, { maxSeconds: 300, maxClipSeconds: 10 });
    expect(out[0]!.shots.map((s) => s.durationSec)).toEqual([8.4, 8.4, 8.3]);
  });

  it("still respects the limit when a model returns absurdly many shots", () => {
    const draft = { scenes: Array.from({ length: 60 }, () => scene(Array(20).fill(30))) } as ScenePlanDraft;
    const out = fitPlan(draft, { maxSeconds: 60, maxClipSeconds: 8 });
    expect(total(out)).toBeLessThanOrEqual(60);
    for (const s of out) expect(s.shots.length).toBeGreaterThan(0);
  });

  it("letters shots A…Z, then AA, AB", () => {
    expect([0, 1, 25, 26, 27, 51, 52].map(shotLetters)).toEqual(["A", "B", "Z", "AA", "AB", "AZ", "BA"]);
  });
});

describe("local templates", () => {
  it("are deterministic and sized by the runtime", () => {
    expect(storyTemplate({ topic: "Tides", maxMinutes: 2 })).toEqual(storyTemplate({ topic: "Tides", maxMinutes: 2 }));
    expect(storyTemplate({ topic: "Tides", maxMinutes: 1 }).acts.flatMap((a) => a.beats)).toHaveLength(6);
    expect(storyTemplate({ topic: "Tides", maxMinutes: 5 }).acts.flatMap((a) => a.beats)).toHaveLength(12);
    const story = storyTemplate({ topic: "Tides", maxMinutes: 5 });
    const plan = scenePlanTemplate({ story, maxMinutes: 5, maxClipSeconds: 8 });
    expect(plan.scenes).toHaveLength(12);
    const sum = plan.scenes.reduce((a, s) => a + s.durationSec, 0);
    expect(sum).toBeLessThanOrEqual(300);
    expect(plan.note).toMatch(/not AI/);
  });

  it("knows the video models by id and alias", () => {
    expect(findVideoModel(undefined)?.id).toBe("veo-3.1");
    expect(findVideoModel("Sora2")?.maxClipSeconds).toBe(12);
    expect(findVideoModel("kling-2.5")?.maxClipSeconds).toBe(10);
    expect(findVideoModel("nope")).toBeUndefined();
  });
});
