/**
 * Region generation end to end with the `local` provider on generated clips: POST /api/ai/generate →
 * job → variants (files, previews) → score → accept, with the pixels measured (SSIM inside and outside the
 * box against the original range) and the timeline checked after the accept.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FfmpegRunner } from "../../src/media/ffmpeg.js";
import { measureSaturation, measureSsim, renderSegment } from "../../src/media/operations.js";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { makeTestVideo, testFfmpegRunner } from "../helpers/videos.js";
import { createProject, download, generate, timeline, uploadClip } from "./helpers.js";

let t: TestApp;
let dir: string;
let runner: FfmpegRunner;
let clip: string;
const box = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };

beforeAll(async () => {
  t = await buildTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-ai-"));
  runner = await testFfmpegRunner();
  clip = await makeTestVideo(dir, { seconds: 3 });
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

/** The original's [start, end] in the format variants are made in, for pixel comparisons. */
async function originalRange(file: string, start: number, end: number, name: string, hasAudio = true) {
  const output = path.join(dir, name);
  await renderSegment(runner, {
    input: file,
    startSec: start,
    endSec: end,
    hasAudio,
    width: 320,
    height: 240,
    fps: 25,
    output,
  });
  return output;
}

describe("region generation with local: generate → variants → score → accept", () => {
  it("blurs the box over the range, scores the variants and splices one into the timeline", async () => {
    const projectId = await createProject(t);
    await uploadClip(t, projectId, clip);
    const before = await timeline(t, projectId);
    expect(before.segments).toHaveLength(1);
    const original = before.segments[0] as (typeof before.segments)[number];
    const total = before.duration;
    expect(total).toBeGreaterThan(2.9);

    const { accepted, job } = await generate(t, {
      project_id: projectId,
      prompt: "Blur the face in the middle",
      start_ts: 1,
      end_ts: 2,
      bounding_box: box,
    });
    expect(accepted).toMatchObject({ project_id: projectId, status: "pending", provider: "local", variant_count: 2 });
    expect(job.status, job.error).toBe("completed");
    expect(job.progress).toBe(1);
    expect(job.kind).toBe("ai-region-generate");
    expect(job.variants).toHaveLength(2);
    for (const v of job.variants) {
      expect(v.url).toMatch(/\/media\/media_\w+\?exp=\d+&sig=/);
      expect(v.preview_url).toMatch(/\/media\/media_\w+\?exp=\d+&sig=/);
    }

    // The job records which parameters each variant used: same op, stronger blur for the second.
    const [v0, v1] = await Promise.all(
      job.variants.map(
        async (v: { id: string }) => (await t.call({ method: "GET", url: `/api/variant/${v.id}` })).json,
      ),
    );
    expect(v0).toMatchObject({
      prompt: "Blur the face in the middle",
      provider: "local",
      start_ts: 1,
      end_ts: 2,
      accepted_at: null,
    });
    expect(v0.bounding_box).toEqual(box);
    expect(v0.info).toMatchObject({ op: "blur", model: "local-ffmpeg-region", variant_index: 0, variant_count: 2 });
    expect(v1.info).toMatchObject({ op: "blur", variant_index: 1 });
    expect(v1.info.params.radius_px).toBeGreaterThan(v0.info.params.radius_px);
    expect(v0.info.note).toMatch(/not AI/);

    // Files: the variant holds exactly the range, at the source's size; the preview is a JPEG.
    const f0 = await download(t, v0.url, dir, "v0.mp4");
    const f1 = await download(t, v1.url, dir, "v1.mp4");
    const preview = await download(t, v0.preview_url, dir, "v0.jpg");
    expect(preview.contentType).toBe("image/jpeg");
    const probed = await runner.probe(f0.file);
    expect(probed).toMatchObject({ width: 320, height: 240, hasAudio: true });
    expect(Math.abs(probed.durationSec - 1)).toBeLessThan(0.07);

    // Pixels: changed inside the box, kept outside. A re-encode alone gives ~0.99 outside; a blur of
    // testsrc2's detail (lines, digits) takes the inside below 0.9.
    const reference = await originalRange(clip, 1, 2, "orig-1-2.mp4");
    const ssim0 = await measureSsim(runner, { reference, distorted: f0.file, box });
    const ssim1 = await measureSsim(runner, { reference, distorted: f1.file, box });
    expect(ssim0.inside).toBeLessThan(0.9);
    expect(ssim0.outside).toBeGreaterThan(0.97);
    expect(ssim1.outside).toBeGreaterThan(0.97);
    expect(ssim1.inside).toBeLessThan(ssim0.inside as number); // the stronger variant changed more

    // Scores: by measurement, numbers in the strings, stored once.
    const byPrompt = await t.call({ method: "GET", url: `/api/variant/${v0.id}/score` });
    expect(byPrompt.status, byPrompt.body).toBe(200);
    expect(byPrompt.json).toMatchObject({ variant_id: v0.id, compare_to: "prompt", provider: "local" });
    expect(byPrompt.json.score.overall_rating).toBe("good");
    expect(byPrompt.json.score.fidelity_to_prompt).toMatch(
      /^as expected: blur should lower edge energy inside the box/,
    );
    expect(byPrompt.json.score.visual_quality).toMatch(/^outside the box kept: SSIM 0\.9\d\d/);
    expect(byPrompt.json.metrics.effect_after).toBeLessThan(byPrompt.json.metrics.effect_before * 0.75);
    const byOriginal = await t.call({ method: "GET", url: `/api/variant/${v0.id}/score?compare_to=original` });
    expect(byOriginal.status, byOriginal.body).toBe(200);
    expect(byOriginal.json.score.overall_rating).toBe("good");
    expect(byOriginal.json.score.details).toMatch(/SSIM full 0\.\d+ \/ inside 0\.\d+ \/ outside 0\.9\d+; PSNR full/);
    expect(byOriginal.json.metrics.ssim_inside).toBeLessThan(0.9);
    expect(byOriginal.json.metrics.psnr_outside).toBeGreaterThan(35);
    const again = await t.call({ method: "GET", url: `/api/variant/${v0.id}/score?compare_to=original` });
    expect(again.json).toEqual(byOriginal.json);
    expect(await testSql(t, "select id from scores where variant_id = ?", [v0.id])).toHaveLength(2);

    // Accept: [original 0..1] [variant] [original 2..end], in one transaction.
    const acc = await t.call({ method: "POST", url: `/api/variant/${v0.id}/accept` });
    expect(acc.status, acc.body).toBe(200);
    expect(acc.json.replaced_segment_ids).toEqual([original.id]);
    const after = await timeline(t, projectId);
    expect(after.segments.map((s) => [s.source, s.order_index])).toEqual([
      ["original", 0],
      ["generated", 1],
      ["original", 2],
    ]);
    const [left, middle, right] = after.segments;
    expect(left).toMatchObject({ media_id: original.media_id, start_ts: 0, end_ts: 1, timeline_start: 0 });
    expect(middle).toMatchObject({ variant_id: v0.id, start_ts: 0, end_ts: 1, timeline_start: 1 });
    expect(right).toMatchObject({
      media_id: original.media_id,
      start_ts: 2,
      end_ts: original.end_ts,
      timeline_start: 2,
    });
    expect(Math.abs(after.duration - total)).toBeLessThan(1e-9);
    expect(acc.json.segment.id).toBe(middle?.id);
    expect(acc.json.segments.map((s: { id: string }) => s.id)).toEqual(after.segments.map((s) => s.id));

    // The replaced parts are kept, inactive: the original, and the covered middle cut from it.
    const rows = await testSql(t, "select * from segments where project_id = ?", [projectId]);
    expect(rows.find((r) => r.id === original.id)?.active).toBe(0);
    const covered = rows.filter((r) => !r.active && r.parent_segment_id === original.id);
    expect(covered).toMatchObject([{ start_ts: 1, end_ts: 2, media_id: original.media_id }]);
    expect(rows.filter((r) => r.parent_segment_id === original.id)).toHaveLength(4); // left, covered, right, variant

    // The timeline plays the variant in the range.
    const frame = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 1.5 },
    });
    expect(frame.status, frame.body).toBe(200);
    expect(frame.json.segment_id).toBe(middle?.id);

    // Accepting twice is a conflict; so is the sibling, whose range now shows the accepted variant.
    const twice = await t.call({ method: "POST", url: `/api/variant/${v0.id}/accept` });
    expect(twice.status).toBe(409);
    expect(twice.json.error).toBe("Variant already accepted");
    const sibling = await t.call({ method: "POST", url: `/api/variant/${v1.id}/accept` });
    expect(sibling.status).toBe(409);
    expect(sibling.json.error).toMatch(/timeline changed/);
    expect((await timeline(t, projectId)).segments).toHaveLength(3);
  });

  it("renders a range across two segments from the timeline and splits both on accept", async () => {
    const projectId = await createProject(t, "Two clips");
    const second = await makeTestVideo(dir, { seconds: 2, audio: false });
    await uploadClip(t, projectId, clip);
    const secondId = await uploadClip(t, projectId, second);
    const add = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/segments`,
      payload: { media_id: secondId },
    });
    expect(add.status, add.body).toBe(201);
    const before = await timeline(t, projectId);
    expect(before.segments).toHaveLength(2);
    const [a, b] = before.segments;
    const aLen = (a?.end_ts ?? 0) - (a?.start_ts ?? 0);
    const start = aLen - 0.5;
    const end = aLen + 0.5;

    const { job } = await generate(t, {
      project_id: projectId,
      prompt: "make the sign black and white",
      start_ts: start,
      end_ts: end,
      bounding_box: { x: 0, y: 0, width: 0.5, height: 1 },
    });
    expect(job.status, job.error).toBe("completed");
    const variant = (await t.call({ method: "GET", url: `/api/variant/${job.variants[0].id}` })).json;
    expect(variant.info.op).toBe("grayscale");
    expect(variant.info.source).toHaveLength(2);
    const file = (await download(t, variant.url, dir, "gray.mp4")).file;
    const probed = await runner.probe(file);
    // Two parts joined: each rounds to whole frames and AAC packets, so the file may run a few frames long
    // (the segment still plays exactly 0..1 of it).
    expect(probed.durationSec).toBeGreaterThan(0.99);
    expect(probed.durationSec).toBeLessThan(1.12);
    expect(probed.hasAudio).toBe(true); // the silent clip's half got silence
    const leftHalf = { x: 0, y: 0, width: 0.5, height: 1 };
    const rightHalf = { x: 0.5, y: 0, width: 0.5, height: 1 };
    expect(await measureSaturation(runner, { input: file, box: leftHalf })).toBeLessThan(2);
    expect(await measureSaturation(runner, { input: file, box: rightHalf })).toBeGreaterThan(20);

    const acc = await t.call({ method: "POST", url: `/api/variant/${variant.id}/accept` });
    expect(acc.status, acc.body).toBe(200);
    expect(acc.json.replaced_segment_ids).toEqual([a?.id, b?.id]);
    const after = await timeline(t, projectId);
    expect(after.segments.map((s) => s.source)).toEqual(["original", "generated", "original"]);
    expect(after.segments.map((s) => s.order_index)).toEqual([0, 1, 2]);
    expect(after.segments[0]).toMatchObject({ media_id: a?.media_id, start_ts: 0 });
    expect(after.segments[0]?.end_ts).toBeCloseTo(start, 9);
    expect(after.segments[1]).toMatchObject({ variant_id: variant.id, start_ts: 0 });
    expect(after.segments[1]?.end_ts).toBeCloseTo(1, 9);
    expect(after.segments[1]?.timeline_start).toBeCloseTo(start, 9);
    expect(after.segments[2]).toMatchObject({ media_id: b?.media_id, end_ts: b?.end_ts });
    expect(after.segments[2]?.start_ts).toBeCloseTo(0.5, 9);
    expect(after.duration).toBeCloseTo(before.duration, 9);
  });

  it("fails the job with the list of what local can do when the prompt names no edit", async () => {
    const projectId = await createProject(t, "Dragon");
    await uploadClip(t, projectId, clip);
    const { job } = await generate(t, {
      project_id: projectId,
      prompt: "turn the car into a dragon",
      start_ts: 0,
      end_ts: 1,
      bounding_box: box,
    });
    expect(job.status).toBe("failed");
    expect(job.variants).toEqual([]);
    expect(job.error).toMatch(/^local cannot do "turn the car into a dragon"/);
    for (const op of ["blur", "pixelate", "remove", "grayscale", "brighten", "darken"]) expect(job.error).toContain(op);
  });
});

describe("crash after the variants were committed", () => {
  it("a rerun of the job answers with the committed variants instead of making more", async () => {
    const projectId = await createProject(t, "Rerun");
    await uploadClip(t, projectId, clip);
    const { accepted, job } = await generate(t, {
      project_id: projectId,
      prompt: "grayscale the sign",
      start_ts: 0.5,
      end_ts: 1.5,
      bounding_box: box,
    });
    expect(job.status).toBe("completed");
    const before = job.variants.map((v: { id: string }) => v.id);
    // The process died after the commit: the job is back in the queue, as recoverInterrupted leaves it.
    await testSql(t, "update jobs set status = 'pending' where id = ?", [accepted.job_id]);
    await t.app.deps.worker.idle(120_000);
    const again = await t.call({ method: "GET", url: `/api/job/${accepted.job_id}` });
    expect(again.json.status).toBe("completed");
    expect(again.json.variants.map((v: { id: string }) => v.id)).toEqual(before);
  });
});
