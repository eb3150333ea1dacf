/**
 * Color grading and export on real video: graded frames are measurably brighter, the export's duration is
 * the sum of the active segments, mixed sizes/rates/audio are normalized, the file plays with Range
 * requests, and a re-export after one trim renders only that segment.
 */

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ExportStatus } from "@dailies/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerQueue } from "../../src/jobs/queue.js";
import { extractFrame, measureMeanLuma } from "../../src/media/operations.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { testFfmpegRunner } from "../helpers/videos.js";
import {
  type Clips,
  type Counting,
  countRuns,
  details,
  download,
  fetchSigned,
  idle,
  makeClips,
  meanLuma,
  probe,
  uploadOk,
} from "./helpers.js";

let dir: string;
let clips: Clips;
let t: TestApp;
let counting: Counting;
let projectId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-editing-exp-"));
  clips = await makeClips(dir);
  t = await buildTestApp();
  counting = await countRuns(t);
  ({ projectId } = await seedProject(t));
  // Timeline: a (3 s, 320x240 25 fps, sound) | silent (2 s, no audio) | wide (2 s, 640x360 30 fps, sound).
  await uploadOk(t, projectId, clips.a);
  for (const file of [clips.silent, clips.wide]) {
    const m = await uploadOk(t, projectId, file);
    const res = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/segments`,
      payload: { media_id: m.id },
    });
    expect(res.status, res.body).toBe(201);
  }
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (url: string, payload: object, token?: string) => t.call({ method: "POST", url, payload, token });

/** RMS level (dB) of the sound between `at` and `at + seconds`; -inf dB (silence) comes back as -Infinity. */
async function rmsDb(file: string, at: number, seconds: number): Promise<number> {
  const stats = path.join(dir, `rms-${at}.txt`);
  await (await testFfmpegRunner()).run([
    "-ss",
    String(at),
    "-t",
    String(seconds),
    "-i",
    file,
    "-af",
    `astats=metadata=1:reset=0,ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file=${stats}`,
    "-f",
    "null",
    "-",
  ]);
  const values = [...(await readFile(stats, "utf8")).matchAll(/RMS_level=(\S+)/g)].map((m) => Number(m[1]));
  const last = values.at(-1);
  if (last === undefined) throw new Error("no RMS values");
  return Number.isNaN(last) ? Number.NEGATIVE_INFINITY : last;
}

/** A completed export's status: its URLs and duration are set. */
type Done = ExportStatus & { export_url: string; download_url: string; duration: number };

async function exportAndWait(): Promise<Done> {
  const start = await post("/api/export", { project_id: projectId, format: "mp4" });
  expect(start.status, start.body).toBe(202);
  expect(start.json).toMatchObject({ status: "pending", export_job_id: expect.stringMatching(/^exp_/) });
  expect(start.json.message).toMatch(/get_export_status/);
  await idle(t);
  const status = await t.call({ method: "GET", url: `/api/export/${start.json.export_job_id}` });
  expect(status.status).toBe(200);
  expect(status.json, JSON.stringify(status.json)).toMatchObject({ status: "completed", progress: 1, error: null });
  return status.json as Done;
}

describe("color", () => {
  it("grade-preview answers a graded frame, brighter with brightness > 0, darker below 0", async () => {
    const [segment] = (await details(t, projectId)).segments;
    const plain = await post(`/api/segment/${segment.id}/grade-preview`, { at: 1 });
    const bright = await post(`/api/segment/${segment.id}/grade-preview`, { brightness: 0.3, at: 1 });
    const dark = await post(`/api/segment/${segment.id}/grade-preview`, { brightness: -0.3, at: 1 });
    expect(bright.status, bright.body).toBe(200);
    expect(bright.json).toMatchObject({ preview_frame_url: expect.stringMatching(/\/frames\//), source_ts: 1 });
    const [l0, l1, l2] = (await Promise.all(
      [plain, bright, dark].map(async (r, i) =>
        meanLuma(await download(t, r.json.preview_frame_url, dir, `g${i}.jpg`)),
      ),
    )) as [number, number, number];
    expect(l1 - l0).toBeGreaterThan(40); // 0.3 of the 0..255 range is about +76
    expect(l0 - l2).toBeGreaterThan(40);
    const f = await probe(path.join(dir, "g1.jpg"));
    expect(f).toMatchObject({ width: 320, height: 240 });
    // The default frame is the segment's middle.
    const middle = await post(`/api/segment/${segment.id}/grade-preview`, { saturation: -1 });
    expect(middle.json.source_ts).toBeCloseTo(1.48, 5);
  });

  it("out-of-range and unknown grade parameters are 400 with fieldErrors", async () => {
    const [segment] = (await details(t, projectId)).segments;
    const cases: [Record<string, unknown>, string][] = [
      [{ brightness: 1.5 }, "brightness"],
      [{ contrast: -2 }, "contrast"],
      [{ saturation: 9 }, "saturation"],
      [{ temperature: 1.01 }, "temperature"],
      [{ gamma: -1.5 }, "gamma"],
      [{ hue_shift: 200 }, "hue_shift"],
      [{ brightness: "bright" }, "brightness"],
    ];
    for (const [payload, field] of cases) {
      for (const route of ["color-grade", "grade-preview"]) {
        const res = await post(`/api/segment/${segment.id}/${route}`, payload);
        expect(res.status, `${route} ${JSON.stringify(payload)}`).toBe(400);
        expect(res.json.details.fieldErrors).toHaveProperty(field);
      }
    }
    const unknown = await post(`/api/segment/${segment.id}/color-grade`, { exposure: 1 });
    expect(unknown.status).toBe(400);
    const outside = await post(`/api/segment/${segment.id}/grade-preview`, { at: 10 });
    expect(outside.json.details.fieldErrors).toHaveProperty("at");
  });

  it("color-grade renders the segment and replaces it with a graded segment", async () => {
    const before = (await details(t, projectId)).segments;
    const target = before[1]; // the silent clip
    const res = await post(`/api/segment/${target.id}/color-grade`, { brightness: 0.25, hue_shift: 30 });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({
      segment_id: expect.stringMatching(/^seg_/),
      graded_url: expect.stringMatching(/\/media\/media_\w+\?exp=/),
      job_id: expect.stringMatching(/^job_/),
    });
    const after = (await details(t, projectId)).segments;
    expect(after.map((s: { id: string }) => s.id)).toEqual([before[0].id, res.json.segment_id, before[2].id]);
    expect(after[1]).toMatchObject({
      source: "graded",
      media_id: target.media_id,
      start_ts: target.start_ts,
      end_ts: target.end_ts,
      order_index: 1,
      active: true,
    });
    const old = await post(`/api/segment/${target.id}/trim`, { new_start_ts: 0, new_end_ts: 1 });
    expect(old.status).toBe(409);

    // The render: the export format (first segment's 320x240, 25 fps), with silence added, and brighter.
    const graded = await download(t, res.json.graded_url, dir, "graded.mp4");
    const p = await probe(graded);
    expect(p).toMatchObject({
      width: 320,
      height: 240,
      fps: 25,
      videoCodec: "h264",
      audioCodec: "aac",
      hasAudio: true,
    });
    expect(Math.abs(p.durationSec - (target.end_ts - target.start_ts))).toBeLessThanOrEqual(1 / 25);
    expect((await meanLuma(graded)) - (await meanLuma(clips.silent))).toBeGreaterThan(30);

    // Previews of the graded segment are graded.
    const frame = await post(`/api/project/${projectId}/preview/frame`, { ts: after[1].timeline_start + 1 });
    const plain = await post(`/api/segment/${before[0].id}/grade-preview`, {}); // any plain frame of the same source kind
    expect(frame.json.segment_id).toBe(res.json.segment_id);
    const gradedFrame = await meanLuma(await download(t, frame.json.frame_url, dir, "gf.jpg"));
    expect(
      gradedFrame - (await meanLuma(await download(t, plain.json.preview_frame_url, dir, "pf.jpg"))),
    ).toBeGreaterThan(30);

    // GET /api/job/{id} shows the grade job.
    const job = await t.call({ method: "GET", url: `/api/job/${res.json.job_id}` });
    expect(job.json).toMatchObject({
      id: res.json.job_id,
      project_id: projectId,
      kind: "color-grade",
      status: "completed",
      progress: 1,
      error: null,
      variants: [],
      result: { segment_id: res.json.segment_id, graded_url: expect.stringMatching(/\/media\/media_/) },
    });
    // A strip over the graded segment is graded too (several frames: the graded path of a strip).
    const strip = await post(`/api/project/${projectId}/preview/strip`, {
      start: after[1].timeline_start + 0.2,
      end: after[1].timeline_start + 1.7,
      fps: 2,
    });
    expect(strip.json.frames).toHaveLength(3);
    for (const [i, f] of strip.json.frames.entries()) {
      expect(f.segment_id).toBe(res.json.segment_id);
      const graded = await meanLuma(await download(t, f.frame_url, dir, `strip-${i}.jpg`));
      const direct = path.join(dir, `strip-direct-${i}.jpg`);
      await extractFrame(await testFfmpegRunner(), { input: clips.silent, atSec: f.source_ts, output: direct });
      expect(graded - (await meanLuma(direct))).toBeGreaterThan(30);
    }
    expect((await t.call({ method: "GET", url: `/api/job/${res.json.job_id}`, token: t.other.token })).status).toBe(
      404,
    );
    expect((await t.call({ method: "GET", url: "/api/job/job_nope" })).status).toBe(404);
  });
});

describe("export", () => {
  let first: Done;

  it("joins the active segments into one H.264 + AAC file as long as their sum", async () => {
    counting.reset();
    first = await exportAndWait();
    const project = await details(t, projectId);
    // The graded segment was rendered by color-grade: this export reused it.
    expect(first).toMatchObject({ rendered_parts: 2, reused_parts: 1, format: "mp4", project_id: projectId });
    expect(counting.renders()).toBe(2);
    expect(counting.runs.filter((a) => a.includes("concat"))).toHaveLength(1);

    const file = await download(t, first.export_url, dir, "export.mp4");
    const p = await probe(file);
    expect(p).toMatchObject({
      width: 320, // the first segment's size: the 640x360 one is fitted inside it
      height: 240,
      fps: 25,
      videoCodec: "h264",
      audioCodec: "aac",
      hasAudio: true,
    });
    expect(Math.abs(p.durationSec - project.duration)).toBeLessThanOrEqual(1 / 25);
    expect(Math.abs(first.duration - project.duration)).toBeLessThanOrEqual(1 / 25);
    // Sound where the source had it: the tone in the first segment, silence added for the silent one.
    expect(await rmsDb(file, 0.5, 1)).toBeGreaterThan(-30);
    expect(await rmsDb(file, project.segments[1].timeline_start + 0.5, 1)).toBeLessThan(-80);
    // The 640x360 segment is fitted into 320x240: 320x180 with black bars above and below.
    const wideAt = project.segments[2].timeline_start + 0.5;
    const runner = await testFfmpegRunner();
    const still = path.join(dir, "wide-in-export.jpg");
    await extractFrame(runner, { input: file, atSec: wideAt, output: still });
    expect(await measureMeanLuma(runner, { input: still, box: { x: 0, y: 0, width: 1, height: 0.1 } })).toBeLessThan(
      20,
    );
    expect(
      await measureMeanLuma(runner, { input: still, box: { x: 0, y: 0.3, width: 1, height: 0.4 } }),
    ).toBeGreaterThan(40);
    // Export files are named by their content (issue 9: an unchanged timeline reuses its export).
    expect(await readdir(path.join(t.dataDir, "exports"))).toEqual([expect.stringMatching(/^[a-f0-9]{64}\.mp4$/)]);
  });

  it("plays from export_url with Range (206) and downloads as an attachment", async () => {
    const whole = await fetchSigned(t, first.export_url);
    expect(whole.status).toBe(200);
    expect(whole.headers["content-type"]).toBe("video/mp4");
    expect(whole.headers["accept-ranges"]).toBe("bytes");
    const size = whole.body.length;
    const ranged = await fetchSigned(t, first.export_url, { range: "bytes=100-1099" });
    expect(ranged.status).toBe(206);
    expect(ranged.headers["content-range"]).toBe(`bytes 100-1099/${size}`);
    expect(ranged.body.equals(whole.body.subarray(100, 1100))).toBe(true);
    const tail = await fetchSigned(t, first.export_url, { range: `bytes=${size - 10}-` });
    expect(tail.status).toBe(206);
    expect(tail.body).toHaveLength(10);
    const dl = await fetchSigned(t, first.download_url);
    expect(dl.status).toBe(200);
    expect(String(dl.headers["content-disposition"])).toMatch(/^attachment; filename="Film\.mp4"$/);
    expect(dl.body.equals(whole.body)).toBe(true);
  });

  it("a second export after trimming one segment re-renders only that segment", async () => {
    const segments = (await details(t, projectId)).segments;
    const trimmed = await post(`/api/segment/${segments[2].id}/trim`, { new_start_ts: 0.5, new_end_ts: 1.5 });
    expect(trimmed.status).toBe(200);
    const cacheCount = async () => (await testSql(t, "select count(*) n from render_cache"))[0]?.n;
    const cacheBefore = (await cacheCount()) as number;
    counting.reset();
    const second = await exportAndWait();
    expect(second).toMatchObject({ rendered_parts: 1, reused_parts: 2 });
    expect(counting.renders()).toBe(1);
    const rendered = counting.runs.find((a) => a.includes("libx264"))!;
    expect(rendered[rendered.indexOf("-ss") + 1]).toBe("0.5"); // the trimmed segment, from its new in point
    expect(await cacheCount()).toBe(cacheBefore + 1);
    const p = await probe(await download(t, second.export_url, dir, "export2.mp4"));
    const duration = (await details(t, projectId)).duration;
    expect(Math.abs(p.durationSec - duration)).toBeLessThanOrEqual(1 / 25);
    expect(duration).toBeCloseTo(first.duration - 1, 1);

    // Nothing changed: a third export renders nothing and writes no new file; it is the second export again.
    counting.reset();
    const files = await readdir(path.join(t.dataDir, "exports"));
    const third = await exportAndWait();
    expect(third).toMatchObject({ rendered_parts: 0, reused_parts: 3 });
    expect(counting.renders()).toBe(0);
    expect(counting.runs).toEqual([]);
    expect(await readdir(path.join(t.dataDir, "exports"))).toEqual(files);
    expect(new URL(third.export_url).pathname).toBe(new URL(second.export_url).pathname);
  });

  it("refuses other formats, empty timelines and other users' projects", async () => {
    for (const format of ["webm", "mov", "gif"]) {
      const res = await post("/api/export", { project_id: projectId, format });
      expect(res.status).toBe(400);
      expect(res.json.details.fieldErrors.format[0]).toMatch(/only mp4/);
    }
    expect((await post("/api/export", { project_id: projectId, format: "mp4" }, t.other.token)).status).toBe(404);
    expect((await post("/api/export", { project_id: "proj_nope", format: "mp4" })).status).toBe(404);
    const { projectId: empty } = await seedProject(t);
    expect((await post("/api/export", { project_id: empty, format: "mp4" })).status).toBe(409);
    expect((await t.call({ method: "GET", url: "/api/export/exp_nope" })).status).toBe(404);
    expect(
      (await t.call({ method: "GET", url: `/api/export/${first.export_job_id}`, token: t.other.token })).status,
    ).toBe(404);
    expect((await post("/api/export", {})).json.details.fieldErrors).toEqual({ project_id: ["Required"] });
  });

  it("the export is of the timeline when it was requested; progress is reported", async () => {
    const progress: number[] = [];
    // The worker's own queue (either backend's): every progress write it makes.
    const queue = (t.app.deps.worker as unknown as { queue: WorkerQueue }).queue;
    const realProgress = queue.progress.bind(queue);
    queue.progress = (id, value) => {
      progress.push(value);
      return realProgress(id, value);
    };
    try {
      const segments = (await details(t, projectId)).segments;
      // A trim makes one part new, so this export renders (and reports ffmpeg's progress).
      await post(`/api/segment/${segments[0].id}/trim`, { new_start_ts: 0.2, new_end_ts: 2.8 });
      const before = (await details(t, projectId)).duration;
      const start = await post("/api/export", { project_id: projectId, format: "mp4" });
      // Deleting right after the request does not change what is exported: the job has its own copy.
      await t.call({ method: "DELETE", url: `/api/segment/${segments[1].id}` });
      await idle(t);
      const status = (await t.call({ method: "GET", url: `/api/export/${start.json.export_job_id}` })).json;
      expect(status).toMatchObject({ status: "completed", progress: 1, rendered_parts: 1 });
      expect(Math.abs(status.duration - before)).toBeLessThanOrEqual(1 / 25);
    } finally {
      queue.progress = realProgress;
    }
    expect(progress.length).toBeGreaterThan(1);
    expect([...progress].sort((x, y) => x - y)).toEqual(progress);
    expect(progress.some((p) => p > 0 && p < 0.97)).toBe(true);
  });
});
