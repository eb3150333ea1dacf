/** The editing module's pure parts, as data: timeline mapping, keys, formats, argument lists, docs. */
import { GRADE_RANGES, gradeParamsSchema, segmentCreateSchema } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { GRADE_PARAM_NAMES, GRADE_PARAMS } from "../../src/media/args/index.js";
import { splitIntoRuns } from "../../src/media/strips.js";
import { decodeCheckArgs, mimeForProbe } from "../../src/media/validate.js";
import { outputFormat, partKey } from "../../src/services/exports.js";
import { normalizeGrade } from "../../src/services/grading.js";
import { frameKey } from "../../src/services/preview.js";
import {
  frameIndex,
  frameSeekTime,
  insertAt,
  layoutTimeline,
  locateTime,
  stripCount,
  stripTimes,
} from "../../src/services/timeline/index.js";
import { buildTestApp } from "../helpers/app.js";

const seg = (id: string, startTs: number, endTs: number) => ({ id, startTs, endTs });

describe("timeline time → segment and source time", () => {
  // a: source 10..13 (3 s), b: source 0..2, c: source 5..5.5
  const layout = layoutTimeline([seg("a", 10, 13), seg("b", 0, 2), seg("c", 5, 5.5)]);

  it("lays the active segments end to end", () => {
    expect(layout.duration).toBe(5.5);
    expect(layout.entries.map((e) => [e.segment.id, e.start, e.end])).toEqual([
      ["a", 0, 3],
      ["b", 3, 5],
      ["c", 5, 5.5],
    ]);
  });

  it("maps a time to the segment that owns [start, end) and the source time there", () => {
    const at = (ts: number) => {
      const hit = locateTime(layout, ts);
      return hit && [hit.segment.id, Number(hit.sourceTs.toFixed(9))];
    };
    expect(at(0)).toEqual(["a", 10]);
    expect(at(2.999)).toEqual(["a", 12.999]);
    expect(at(3)).toEqual(["b", 0]); // a boundary belongs to the segment that starts there
    expect(at(4.5)).toEqual(["b", 1.5]);
    expect(at(5.25)).toEqual(["c", 5.25]);
    expect(at(5.5)).toEqual(["c", 5.5]); // the end shows the last segment's last frame
    expect(at(5.6)).toBeNull();
    expect(at(-0.1)).toBeNull();
    expect(at(Number.NaN)).toBeNull();
    expect(locateTime(layoutTimeline([]), 0)).toBeNull();
  });

  it("skips zero-length segments", () => {
    const withEmpty = layoutTimeline([seg("a", 0, 1), seg("z", 4, 4), seg("b", 0, 1)]);
    expect(locateTime(withEmpty, 1)?.segment.id).toBe("b");
  });

  it("strip times are start + i/fps while < end, without drift", () => {
    expect(stripTimes(0, 2, 2)).toEqual([0, 0.5, 1, 1.5]);
    expect(stripTimes(1, 1.35, 10)).toEqual([1, 1.1, 1.2, 1.3]);
    expect(stripTimes(0.1, 0.4, 10)).toEqual([0.1, 0.2, 0.3]); // 0.30000000000000004 rounds to 0.3
    expect(stripTimes(0, 100, 0.1)).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
    expect(stripCount(0, 4, 50)).toBe(200);
    expect(stripCount(0, 4.001, 50)).toBe(201);
    expect(stripCount(2, 2, 1)).toBe(0);
    expect(stripCount(0, 1, 0)).toBe(0);
  });

  it("the frame on screen at a source time, clamped to the segment's frames", () => {
    expect(frameIndex(0.5, 25, 0, 3)).toBe(12); // frame 12 covers 0.48 .. 0.52
    expect(frameIndex(0.48, 25, 0, 3)).toBe(12);
    expect(frameIndex(0.52, 25, 0, 3)).toBe(13);
    expect(frameIndex(3, 25, 0, 3)).toBe(74); // the segment's end → its last frame
    expect(frameIndex(1, 30, 1.2, 2)).toBe(36); // before the segment's start → its first frame
    expect(frameIndex(1 / 3, 30, 0, 1)).toBe(10); // float 10.000000000000002 / 9.99999… both land on 10
    expect(frameIndex((1 / 30) * 7, 30, 0, 1)).toBe(7);
  });

  it("seeks half a frame early so stream timestamp rounding cannot skip a frame", () => {
    expect(frameSeekTime(0, 25)).toBe(0);
    expect(frameSeekTime(12, 25)).toBe(0.46);
    expect(frameSeekTime(1, 30)).toBe(0.016667);
  });

  it("inserts at a clamped position", () => {
    expect(insertAt(["a", "b", "c"], 1, ["x", "y"])).toEqual(["a", "x", "y", "b", "c"]);
    expect(insertAt(["a"], 9, ["x"])).toEqual(["a", "x"]);
    expect(insertAt(["a"], -2, ["x"])).toEqual(["x", "a"]);
  });
});

describe("keys", () => {
  const base = { mediaHash: "abc", filter: "null", fps: 25, index: 12 };
  it("a frame key changes with the source, the frame and the grade only", () => {
    expect(frameKey(base)).toMatch(/^[a-f0-9]{64}$/);
    expect(frameKey(base)).toBe(frameKey({ ...base }));
    for (const other of [{ mediaHash: "abd" }, { index: 13 }, { filter: "eq=brightness=0.1" }, { fps: 30 }])
      expect(frameKey({ ...base, ...other })).not.toBe(frameKey(base));
  });

  it("a part key changes with source, in/out, grade, variant and output format", () => {
    const part = { mediaHash: "abc", startTs: 1, endTs: 2, filter: "null", variantId: null };
    const format = { width: 320, height: 240, fps: 25 };
    const key = partKey(part, format);
    expect(partKey({ ...part }, { ...format })).toBe(key);
    expect(partKey({ ...part, endTs: 2.0000001 }, format)).toBe(key); // below a microsecond
    for (const change of [
      { mediaHash: "x" },
      { startTs: 1.5 },
      { endTs: 1.9 },
      { filter: "hue=h=30" },
      { variantId: "var_1" },
    ])
      expect(partKey({ ...part, ...change }, format)).not.toBe(key);
    expect(partKey(part, { ...format, width: 640 })).not.toBe(key);
    expect(partKey(part, { ...format, fps: 30 })).not.toBe(key);
  });
});

describe("export output format", () => {
  const none = { DAILIES_EXPORT_WIDTH: 0, DAILIES_EXPORT_HEIGHT: 0 };
  it("is the first segment's size and rate unless configured", () => {
    expect(outputFormat(none, { width: 320, height: 240, fps: 25 })).toEqual({ width: 320, height: 240, fps: 25 });
    expect(outputFormat(none, { width: 1919, height: 1081, fps: 30000 / 1001 })).toEqual({
      width: 1920,
      height: 1082,
      fps: 29.97003,
    });
    expect(outputFormat(none, { width: null, height: null, fps: null })).toEqual({ width: 1280, height: 720, fps: 30 });
    expect(
      outputFormat({ DAILIES_EXPORT_WIDTH: 1280, DAILIES_EXPORT_HEIGHT: 720 }, { width: 320, height: 240, fps: 25 }),
    ).toEqual({ width: 1280, height: 720, fps: 25 });
    expect(
      outputFormat({ DAILIES_EXPORT_WIDTH: 640, DAILIES_EXPORT_HEIGHT: 0 }, { width: 320, height: 240, fps: 25 }),
    ).toEqual({ width: 640, height: 480, fps: 25 });
    expect(
      outputFormat({ DAILIES_EXPORT_WIDTH: 0, DAILIES_EXPORT_HEIGHT: 360 }, { width: 1920, height: 1080, fps: 240 }),
    ).toEqual({ width: 640, height: 360, fps: 30 });
  });
});

describe("grades", () => {
  it("the shared schema's ranges are the media module's GRADE_PARAMS", () => {
    expect(Object.keys(GRADE_RANGES)).toEqual(GRADE_PARAM_NAMES);
    for (const name of GRADE_PARAM_NAMES) {
      expect(GRADE_RANGES[name]).toEqual([GRADE_PARAMS[name].min, GRADE_PARAMS[name].max]);
      const { min, max } = GRADE_PARAMS[name];
      expect(gradeParamsSchema.safeParse({ [name]: max }).success).toBe(true);
      expect(gradeParamsSchema.safeParse({ [name]: min }).success).toBe(true);
      expect(gradeParamsSchema.safeParse({ [name]: max + 0.001 }).success).toBe(false);
      expect(gradeParamsSchema.safeParse({ [name]: min - 0.001 }).success).toBe(false);
    }
    expect(gradeParamsSchema.safeParse({ exposure: 1 }).success).toBe(false);
  });

  it("stores only the offsets that change something, in a stable order", () => {
    expect(normalizeGrade({ hue_shift: 10, brightness: 0, contrast: 0.2 })).toEqual({ contrast: 0.2, hue_shift: 10 });
    expect(Object.keys(normalizeGrade({ hue_shift: 10, contrast: 0.2 }))).toEqual(["contrast", "hue_shift"]);
  });
});

describe("upload checks", () => {
  it("decodes one picture, or one second of sound", () => {
    expect(decodeCheckArgs("/x/in", "video")).toEqual([
      "-i",
      "/x/in",
      "-map",
      "0:v:0",
      "-frames:v",
      "1",
      "-f",
      "null",
      "-",
    ]);
    expect(decodeCheckArgs("/x/in", "image")).toEqual([
      "-i",
      "/x/in",
      "-map",
      "0:v:0",
      "-frames:v",
      "1",
      "-f",
      "null",
      "-",
    ]);
    expect(decodeCheckArgs("/x/in", "audio")).toEqual(["-i", "/x/in", "-map", "0:a:0", "-t", "1", "-f", "null", "-"]);
  });

  it("stores the type ffprobe found, using the claim only to break ties", () => {
    const mp4 = { kind: "video" as const, formatName: "mov,mp4,m4a,3gp,3g2,mj2", videoCodec: "h264" };
    expect(mimeForProbe(mp4, "text/html")).toBe("video/mp4");
    expect(mimeForProbe(mp4, "video/quicktime")).toBe("video/quicktime");
    expect(mimeForProbe({ ...mp4, kind: "audio", videoCodec: null }, "")).toBe("audio/mp4");
    expect(mimeForProbe({ kind: "video", formatName: "matroska,webm", videoCodec: "vp9" }, "")).toBe("video/webm");
    expect(mimeForProbe({ kind: "video", formatName: "matroska,webm", videoCodec: "h264" }, "")).toBe(
      "video/x-matroska",
    );
    expect(mimeForProbe({ kind: "image", formatName: "png_pipe", videoCodec: "png" }, "video/mp4")).toBe("image/png");
    expect(mimeForProbe({ kind: "image", formatName: "image2", videoCodec: "mjpeg" }, "")).toBe("image/jpeg");
    expect(mimeForProbe({ kind: "audio", formatName: "wav", videoCodec: null }, "")).toBe("audio/wav");
    expect(mimeForProbe({ kind: "video", formatName: "avi", videoCodec: "mpeg4" }, "video/x-msvideo")).toBe(
      "video/x-msvideo",
    );
    expect(mimeForProbe({ kind: "video", formatName: "avi", videoCodec: "mpeg4" }, "text/html")).toBe("video/mp4");
  });
});

describe("parallel strips", () => {
  it("splits frames into contiguous, near-equal runs", () => {
    expect(splitIntoRuns(10, 4)).toEqual([
      [0, 3],
      [3, 6],
      [6, 8],
      [8, 10],
    ]);
    expect(splitIntoRuns(10, 2)).toEqual([
      [0, 5],
      [5, 10],
    ]);
    expect(splitIntoRuns(1, 8)).toEqual([[0, 1]]);
    expect(splitIntoRuns(3, 0)).toEqual([[0, 3]]);
  });
});

describe("request schemas", () => {
  it("a new segment names exactly one source", () => {
    expect(segmentCreateSchema.safeParse({ media_id: "m" }).success).toBe(true);
    expect(segmentCreateSchema.safeParse({ asset_version_id: "a", start_ts: 1 }).success).toBe(true);
    expect(segmentCreateSchema.safeParse({}).success).toBe(false);
    expect(segmentCreateSchema.safeParse({ media_id: "m", asset_version_id: "a" }).success).toBe(false);
  });
});

describe("OpenAPI", () => {
  it("documents every editing route, the timeline time, the grade mappings and the formats", async () => {
    const t = await buildTestApp();
    try {
      const spec = (await t.call({ method: "GET", url: "/openapi.json", token: null })).json;
      const op = (p: string, m: string) => spec.paths[p]?.[m];
      const routes: [string, string][] = [
        ["/api/project/{id}/upload", "post"],
        ["/uploads/{id}", "put"],
        ["/api/project/{id}/preview/frame", "post"],
        ["/api/project/{id}/preview/strip", "post"],
        ["/frames/{file}", "get"],
        ["/api/project/{id}/segments", "post"],
        ["/api/project/{id}/timeline/assemble", "post"],
        ["/api/segment/{id}/split", "post"],
        ["/api/segment/{id}/trim", "post"],
        ["/api/segment/{id}", "delete"],
        ["/api/segment/{id}/grade-preview", "post"],
        ["/api/segment/{id}/color-grade", "post"],
        ["/api/export", "post"],
        ["/api/export/{id}", "get"],
        ["/api/job/{id}", "get"],
      ];
      for (const [p, m] of routes) expect(op(p, m)?.summary, `${m} ${p}`).toBeTruthy();
      expect(op("/api/project/{id}/preview/frame", "post").description).toMatch(/ACTIVE segments laid end to end/);
      const grade = op("/api/segment/{id}/color-grade", "post").description as string;
      for (const name of GRADE_PARAM_NAMES) expect(grade).toContain(GRADE_PARAMS[name].description);
      expect(grade).toMatch(/colortemperature/);
      expect(op("/api/export", "post").description).toMatch(/mp4.*H\.264.*AAC/);
      expect(op("/api/project/{id}/timeline/assemble", "post").description).toMatch(/selected VIDEO version/);
    } finally {
      await t.close();
    }
  });
});

describe("strip decoder threads", () => {
  it("puts -threads before each seeked input when asked", async () => {
    const { stripArgs } = await import("../../src/media/args/index.js");
    const args = stripArgs({ input: "/in.mp4", times: [1, 2], outputs: ["/a.jpg", "/b.jpg"], decoderThreads: 1 });
    expect(args.slice(0, 12)).toEqual([
      "-threads",
      "1",
      "-ss",
      "1",
      "-i",
      "/in.mp4",
      "-threads",
      "1",
      "-ss",
      "2",
      "-i",
      "/in.mp4",
    ]);
    expect(stripArgs({ input: "/in.mp4", times: [1], outputs: ["/a.jpg"] })).not.toContain("-threads");
  });
});
