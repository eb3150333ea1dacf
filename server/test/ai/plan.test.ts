/**
 * The pure pieces of region generation, as data: timeline ranges, the accept plan, the local variants'
 * parameters and filters, the scorer's judgement, and the remote composite's arguments.
 */
import { describe, expect, it } from "vitest";
import { compositeRegionArgs } from "../../src/media/args/index.js";
import {
  localRegionFilter,
  localVariantParams,
  unsupportedRegionEditMessage,
} from "../../src/providers/local/regionEdit.js";
import { LOCAL_REGION_OPS } from "../../src/providers/local/regionOps.js";
import { judgeRegionEdit, type RegionMeasurements } from "../../src/providers/local/scorer.js";
import { nearestAspect } from "../../src/services/regionGeneration.js";
import {
  planVariantSplice,
  rangePieces,
  type SplicePlan,
  samePieces,
  type TimelineSegment,
  timelineDuration,
} from "../../src/services/timeline/index.js";

const seg = (id: string, startTs: number, endTs: number, mediaId = "m1"): TimelineSegment => ({
  id,
  mediaId,
  startTs,
  endTs,
});

function ids(): () => string {
  let n = 0;
  return () => `n${++n}`;
}

/** The active timeline after applying a plan: [id, mediaId|variant, startTs, endTs] in order. */
function apply(active: TimelineSegment[], plan: SplicePlan): [string, number, number][] {
  const byId = new Map<string, { startTs: number; endTs: number }>(active.map((s) => [s.id, s]));
  for (const p of plan.parts) byId.set(p.id, p);
  byId.set(plan.variantSegment.id, plan.variantSegment);
  return plan.order.map((id) => {
    const s = byId.get(id) as { startTs: number; endTs: number };
    return [id, s.startTs, s.endTs];
  });
}

describe("rangePieces", () => {
  const active = [seg("a", 0, 3), seg("b", 5, 7, "m2"), seg("c", 1, 2)];

  it("maps a timeline range to source times inside one segment", () => {
    expect(rangePieces(active, 1, 2)).toEqual([
      { segmentId: "a", mediaId: "m1", sourceStart: 1, sourceEnd: 2, timelineStart: 1, timelineEnd: 2 },
    ]);
  });

  it("crosses segment boundaries and skips segments it only touches", () => {
    expect(rangePieces(active, 2.5, 5.5)).toEqual([
      { segmentId: "a", mediaId: "m1", sourceStart: 2.5, sourceEnd: 3, timelineStart: 2.5, timelineEnd: 3 },
      { segmentId: "b", mediaId: "m2", sourceStart: 5, sourceEnd: 7, timelineStart: 3, timelineEnd: 5 },
      { segmentId: "c", mediaId: "m1", sourceStart: 1, sourceEnd: 1.5, timelineStart: 5, timelineEnd: 5.5 },
    ]);
    expect(rangePieces(active, 3, 5).map((p) => p.segmentId)).toEqual(["b"]);
    expect(timelineDuration(active)).toBe(6);
  });

  it("compares what plays, not segment ids: a split elsewhere keeps the range the same", () => {
    const split = [seg("a1", 0, 1.5), seg("a2", 1.5, 3), seg("b", 5, 7, "m2")];
    expect(samePieces(rangePieces(active, 1, 4), rangePieces(split, 1, 4))).toBe(true);
    expect(samePieces(rangePieces(active, 1, 4), rangePieces(active, 1.1, 4.1))).toBe(false);
    const replaced = [seg("a", 0, 1), seg("v", 0, 1, "variant"), seg("a3", 2, 3), seg("b", 5, 7, "m2")];
    expect(samePieces(rangePieces(active, 1, 2), rangePieces(replaced, 1, 2))).toBe(false);
  });
});

describe("planVariantSplice", () => {
  it("splits one segment around the range: left and right stay, the covered middle is kept inactive", () => {
    const active = [seg("a", 0, 3)];
    const plan = planVariantSplice(active, 1, 2, ids());
    expect(plan).toEqual({
      deactivate: ["a"],
      parts: [
        { id: "n2", parentSegmentId: "a", startTs: 0, endTs: 1, active: true, role: "left" },
        { id: "n3", parentSegmentId: "a", startTs: 1, endTs: 2, active: false, role: "covered" },
        { id: "n4", parentSegmentId: "a", startTs: 2, endTs: 3, active: true, role: "right" },
      ],
      variantSegment: { id: "n1", startTs: 0, endTs: 1, parentSegmentId: "a" },
      order: ["n2", "n1", "n4"],
    });
  });

  it("needs no left part at the segment's start, no right part at its end", () => {
    const active = [seg("a", 10, 13)];
    expect(apply(active, planVariantSplice(active, 0, 1, ids()))).toEqual([
      ["n1", 0, 1],
      ["n3", 11, 13],
    ]);
    expect(apply(active, planVariantSplice(active, 2, 3, ids()))).toEqual([
      ["n2", 10, 12],
      ["n1", 0, 1],
    ]);
  });

  it("replaces a whole segment without cutting it", () => {
    const active = [seg("a", 0, 2), seg("b", 0, 1, "m2"), seg("c", 4, 6)];
    const plan = planVariantSplice(active, 2, 3, ids());
    expect(plan.deactivate).toEqual(["b"]);
    expect(plan.parts).toEqual([]);
    expect(plan.order).toEqual(["a", "n1", "c"]);
  });

  it("spans two segments: the first keeps its left part, the second its right part", () => {
    const active = [seg("a", 0, 2), seg("b", 5, 7, "m2"), seg("c", 0, 1)];
    const plan = planVariantSplice(active, 1.5, 2.5, ids());
    expect(plan.deactivate).toEqual(["a", "b"]);
    expect(plan.parts.map((p) => [p.parentSegmentId, p.role, p.startTs, p.endTs])).toEqual([
      ["a", "left", 0, 1.5],
      ["a", "covered", 1.5, 2],
      ["b", "covered", 5, 5.5],
      ["b", "right", 5.5, 7],
    ]);
    expect(apply(active, plan)).toEqual([
      ["n2", 0, 1.5],
      ["n1", 0, 1],
      ["n5", 5.5, 7],
      ["c", 0, 1],
    ]);
  });

  it("covers the whole timeline", () => {
    const active = [seg("a", 0, 2), seg("b", 0, 1)];
    const plan = planVariantSplice(active, 0, 3, ids());
    expect(plan.deactivate).toEqual(["a", "b"]);
    expect(plan.order).toEqual(["n1"]);
  });

  it("keeps the timeline's length for any range (durations sum to the original)", () => {
    const active = [seg("a", 0, 2.5), seg("b", 1, 4, "m2"), seg("c", 0, 0.75)];
    const total = timelineDuration(active);
    for (const [start, end] of [
      [0, 0.1],
      [0.3, 2.5],
      [2.4, 2.6],
      [1, 6],
      [5.9, 6.25],
      [0, 6.25],
    ] as const) {
      const after = apply(active, planVariantSplice(active, start, end, ids()));
      const sum = after.reduce((acc, [, a, b]) => acc + (b - a), 0);
      expect(Math.abs(sum - total), `${start}..${end}`).toBeLessThan(1e-9);
      // The variant starts exactly at `start` on the new timeline.
      let cursor = 0;
      for (const [id, a, b] of after) {
        if (id === "n1") expect(cursor).toBeCloseTo(start, 9);
        cursor += b - a;
      }
    }
  });

  it("refuses an empty range or one outside the timeline", () => {
    const active = [seg("a", 0, 3)];
    expect(() => planVariantSplice(active, 1, 1, ids())).toThrow(RangeError);
    expect(() => planVariantSplice(active, 2, 3.5, ids())).toThrow(/outside the timeline/);
  });
});

describe("local variants", () => {
  it("spread from mild to strong", () => {
    expect([0, 1].map((i) => localVariantParams("blur", i, 2))).toEqual([
      { strength: 0, radius_share: 0.083 },
      { strength: 1, radius_share: 0.2 },
    ]);
    expect([0, 1, 2].map((i) => localVariantParams("pixelate", i, 3).blocks)).toEqual([16, 11, 6]);
    expect(localVariantParams("brighten", 0, 1)).toEqual({ strength: 0.5, brightness: 0.25 });
    expect(localVariantParams("darken", 1, 2).brightness).toBe(-0.35);
    expect([0, 1].map((i) => localVariantParams("remove", i, 2).smooth_share)).toEqual([0, 0.1]);
    expect([0, 1].map((i) => localVariantParams("grayscale", i, 2).contrast)).toEqual([1, 1.3]);
    expect(() => localVariantParams("blur", 2, 2)).toThrow(RangeError);
  });

  const frame = { box: { x: 0.25, y: 0.25, width: 0.5, height: 0.5 }, frameWidth: 320, frameHeight: 240 };
  const range = { startSec: 0, endSec: 1 };

  it("build their filter graphs inside the box, enabled over the range", () => {
    const blur = localRegionFilter({ op: "blur", params: { radius_share: 0.2 }, ...frame, ...range });
    expect(blur).toEqual({
      graph:
        "[0:v]split=2[base][roi];[roi]crop=w=160:h=120:x=80:y=60," +
        "boxblur=luma_radius=24:luma_power=2:chroma_radius=24:chroma_power=2[edit];" +
        "[base][edit]overlay=x=80:y=60:enable='between(t,0,1)'[v]",
      used: { box_px: "160x120+80+60", radius_px: 24 },
    });
    expect(localRegionFilter({ op: "pixelate", params: { blocks: 12 }, ...frame, ...range }).graph).toContain(
      "scale=16:12:flags=area,scale=160:120:flags=neighbor",
    );
    expect(localRegionFilter({ op: "grayscale", params: { contrast: 1.3 }, ...frame, ...range }).graph).toContain(
      "hue=s=0,eq=contrast=1.3",
    );
    expect(localRegionFilter({ op: "darken", params: { brightness: -0.25 }, ...frame, ...range }).graph).toContain(
      "eq=brightness=-0.25",
    );
    expect(localRegionFilter({ op: "remove", params: { smooth_share: 0 }, ...frame, ...range }).graph).toBe(
      "[0:v]delogo=x=80:y=60:w=160:h=120:enable='between(t,0,1)'[v]",
    );
    // A box at the frame's edge keeps delogo's 1-pixel border; smoothing blurs the filled box.
    const edge = localRegionFilter({
      op: "remove",
      params: { smooth_share: 0.1 },
      ...frame,
      box: { x: 0, y: 0, width: 1, height: 0.5 },
      ...range,
    });
    expect(edge.graph).toMatch(
      /^\[0:v\]delogo=x=1:y=1:w=318:h=119:enable='between\(t,0,1\)'\[filled\];\[filled\]split=2/,
    );
    expect(edge.used.smooth_radius_px).toBe(12);
  });

  it("lists every op when the prompt names none", () => {
    const message = unsupportedRegionEditMessage("  make   it epic  ");
    expect(message).toMatch(/^local cannot do "make it epic": /);
    for (const op of LOCAL_REGION_OPS) expect(message).toContain(op);
  });
});

describe("judgeRegionEdit", () => {
  const kept: RegionMeasurements = { ssimFull: 0.9, ssimInside: 0.6, ssimOutside: 0.993 };

  it("good when the op's effect shows and the rest is kept", () => {
    const score = judgeRegionEdit({
      op: "blur",
      compareTo: "prompt",
      m: { ...kept, effectBefore: 3.5, effectAfter: 0.4 },
    });
    expect(score.overall_rating).toBe("good");
    expect(score.fidelity_to_prompt).toBe(
      "as expected: blur should lower edge energy inside the box; it went 3.5 → 0.4 (-89 %), expected a drop of at least 25 %",
    );
    expect(score.visual_quality).toBe("outside the box kept: SSIM 0.993; whole frame SSIM 0.900");
  });

  it("fair when the effect is weak or the rest slightly changed; poor when nothing happened or the rest broke", () => {
    const rate = (m: Partial<RegionMeasurements>, op: "blur" | "brighten" = "blur") =>
      judgeRegionEdit({ op, compareTo: "prompt", m: { ...kept, ...m } }).overall_rating;
    expect(rate({ effectBefore: 3.5, effectAfter: 3.0 })).toBe("fair");
    expect(rate({ effectBefore: 3.5, effectAfter: 0.4, ssimOutside: 0.95 })).toBe("fair");
    expect(rate({ effectBefore: 3.5, effectAfter: 3.5 })).toBe("poor");
    expect(rate({ effectBefore: 3.5, effectAfter: 0.4, ssimOutside: 0.8 })).toBe("poor");
    expect(rate({ effectBefore: 120, effectAfter: 160 }, "brighten")).toBe("good");
    expect(rate({ effectBefore: 120, effectAfter: 125 }, "brighten")).toBe("fair");
    expect(rate({ effectBefore: 120, effectAfter: 100 }, "brighten")).toBe("poor");
  });

  it("against the original: the box changed and the rest kept, with PSNR", () => {
    const score = judgeRegionEdit({
      op: "blur",
      compareTo: "original",
      m: { ...kept, psnrFull: 25, psnrInside: 19, psnrOutside: 43 },
    });
    expect(score.overall_rating).toBe("good");
    expect(score.details).toContain("PSNR full 25.0 dB / inside 19.0 dB / outside 43.0 dB");
    expect(score.visual_quality).toBe(
      "outside the box kept: SSIM 0.993, PSNR 43.0 dB; whole frame SSIM 0.900, PSNR 25.0 dB",
    );
    const unchanged = judgeRegionEdit({ op: "blur", compareTo: "original", m: { ...kept, ssimInside: 0.995 } });
    expect(unchanged.overall_rating).toBe("poor");
  });

  it("says when the prompt names nothing it can measure", () => {
    const score = judgeRegionEdit({ op: null, compareTo: "prompt", m: kept });
    expect(score.fidelity_to_prompt).toMatch(/^not measurable: the prompt names none of the edits local can check/);
    expect(score.overall_rating).toBe("good"); // the box changed, the rest was kept
  });
});

describe("remote region variants", () => {
  it("ask for the aspect ratio closest to the box", () => {
    expect(nearestAspect(1280, 720)).toBe("16:9");
    expect(nearestAspect(400, 300)).toBe("4:3");
    expect(nearestAspect(100, 110)).toBe("1:1");
    expect(nearestAspect(200, 400)).toBe("9:16");
  });

  it("composite the generated clip into the box, timed to the range", () => {
    expect(
      compositeRegionArgs({
        source: "/s.mp4",
        generated: "/g.mp4",
        output: "/o.mp4",
        box: { x: 80, y: 60, width: 160, height: 120 },
        durationSec: 1.5,
        fps: 25,
      }),
    ).toEqual([
      "-i",
      "/s.mp4",
      "-i",
      "/g.mp4",
      "-filter_complex",
      "[1:v]scale=160:120,setsar=1,fps=25,tpad=stop_mode=clone:stop_duration=1.5,trim=duration=1.5,setpts=PTS-STARTPTS[g];" +
        "[0:v][g]overlay=x=80:y=60:eof_action=repeat[v]",
      "-map",
      "[v]",
      "-map",
      "0:a:0?",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-crf",
      "20",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-b:a",
      "160k",
      "-ar",
      "48000",
      "-ac",
      "2",
      "-movflags",
      "+faststart",
      "-t",
      "1.5",
      "-progress",
      "pipe:1",
      "-nostats",
      "/o.mp4",
    ]);
  });
});
