import { expect, it } from "vitest";
import { HttpError } from "../../../src/errors.js";
import type { SegmentRow, TimelineRewrite } from "../../../src/repositories/segments.js";
import type { NewMedia, NewVariant, VariantRow } from "../../../src/repositories/variants.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { mediaAreas, seedJob, seedTimeline, timelineOf, uid } from "./mediaFixtures.js";

const clip = (name: string): NewMedia => ({
  origin: "generated",
  path: `variants/${uid(name)}.mp4`,
  kind: "video",
  durationSec: 1,
});

const made = (prompt: string): NewVariant => ({
  clip: clip("clip"),
  preview: { ...clip("preview"), kind: "image", mime: "image/jpeg" },
  values: {
    prompt,
    provider: "fake",
    startTs: 1,
    endTs: 2,
    box: { x: 0.1, y: 0.2, width: 0.5, height: 0.25 },
    info: { seed: 7, model: "m1" },
  },
});

/** An accept's plan: the variant's clip replaces the segment under its range (it does not look at acceptedAt). */
function planOver(projectId: string, targetId?: string) {
  return (variant: VariantRow | undefined, active: SegmentRow[]): TimelineRewrite => {
    if (!variant) throw new HttpError(404, "Variant not found");
    // By default the seeded timeline's middle segment (1 s to 2 s) is under the variant's range.
    const at = targetId ? active.findIndex((s) => s.id === targetId) : 1;
    const target = active[at] as SegmentRow;
    const id = uid("seg");
    return {
      deactivate: [target.id],
      insert: [
        {
          id,
          projectId,
          mediaId: variant.mediaId,
          startTs: 0,
          endTs: 1,
          orderIndex: at,
          source: "generated",
          variantId: variant.id,
          parentSegmentId: target.id,
        },
      ],
      order: active.map((s) => (s.id === target.id ? id : s.id)),
    };
  };
}

describeOnBoth("variants repository", mediaAreas, (backend) => {
  const repos = () => backend().repos;

  async function seedVariants(count: number, segments = 3) {
    const timeline = await seedTimeline(backend(), segments);
    const jobId = await seedJob(backend(), { kind: "region" });
    const source = clip("source");
    const ids = await repos().variants.insertVariantRows(
      { jobId, projectId: timeline.projectId },
      source,
      Array.from({ length: count }, (_, i) => made(`prompt ${i}`)),
    );
    return { ...timeline, jobId, source, variantIds: ids };
  }

  it("stores a job's variants with their clip, preview and source media", async () => {
    const { projectId, jobId, source, variantIds } = await seedVariants(2);
    expect(variantIds).toHaveLength(2);
    const first = await repos().variants.findVariant(variantIds[0]!);
    expect(first).toEqual({
      id: variantIds[0],
      jobId,
      projectId,
      mediaId: expect.any(String),
      previewMediaId: expect.any(String),
      sourceMediaId: expect.any(String),
      prompt: "prompt 0",
      provider: "fake",
      startTs: 1,
      endTs: 2,
      box: { x: 0.1, y: 0.2, width: 0.5, height: 0.25 },
      info: { seed: 7, model: "m1" },
      acceptedAt: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const second = await repos().variants.findVariant(variantIds[1]!);
    expect(second?.sourceMediaId).toBe(first?.sourceMediaId);
    const mediaRows = await repos().media.mediaByIds([
      first!.mediaId,
      first!.previewMediaId!,
      first!.sourceMediaId!,
      second!.mediaId,
    ]);
    expect(mediaRows.size).toBe(4);
    expect(mediaRows.get(first!.sourceMediaId!)).toMatchObject({ projectId, path: source.path, origin: "generated" });
    expect(mediaRows.get(first!.previewMediaId!)).toMatchObject({ projectId, kind: "image", mime: "image/jpeg" });
    expect(await repos().variants.findVariant("var_missing")).toBeUndefined();
  });

  it("stores the source media even for a job that made no variant", async () => {
    const projectId = (await seedTimeline(backend(), 0)).projectId;
    const jobId = await seedJob(backend(), { kind: "region" });
    const source = clip("source");
    expect(await repos().variants.insertVariantRows({ jobId, projectId }, source, [])).toEqual([]);
    expect((await repos().media.mediaByPath(source.path!))?.projectId).toBe(projectId);
  });

  it("rolls back every row of a job's variants when one fails", async () => {
    const projectId = (await seedTimeline(backend(), 0)).projectId;
    const source = clip("source");
    // The job does not exist: the variant rows break their foreign key, and the media rows go with them.
    await expect(
      repos().variants.insertVariantRows({ jobId: "job_missing", projectId }, source, [made("x")]),
    ).rejects.toThrow();
    expect(await repos().media.mediaByPath(source.path!)).toBeUndefined();
  });

  it("stores scores and reads them per reference", async () => {
    const { variantIds } = await seedVariants(1);
    const variantId = variantIds[0]!;
    await repos().variants.insertScore({ variantId, compareTo: "source", result: { scorer: "ssim", value: 0.93 } });
    await repos().variants.insertScore({ variantId, compareTo: "source", result: { scorer: "clip", value: 0.5 } });
    await repos().variants.insertScore({ variantId, compareTo: "ref_1", result: { scorer: "ssim", value: 0.2 } });
    const scores = await repos().variants.scoresOfVariant(variantId, "source");
    expect(scores.map((s) => s.result).sort((a, b) => String(a.scorer).localeCompare(String(b.scorer)))).toEqual([
      { scorer: "clip", value: 0.5 },
      { scorer: "ssim", value: 0.93 },
    ]);
    expect(scores[0]).toMatchObject({ id: expect.stringMatching(/^score_/), variantId, compareTo: "source" });
    expect(await repos().variants.scoresOfVariant(variantId, "nothing")).toEqual([]);
  });

  it("accepts a variant: the plan sees it and the timeline, its rewrite is applied, the variant marked", async () => {
    const { projectId, ids, variantIds } = await seedVariants(1);
    let seen: { variant?: VariantRow | undefined; active: string[] } | undefined;
    const plan = planOver(projectId);
    const result = await repos().variants.acceptVariantRows(variantIds[0]!, (variant, active) => {
      seen = { variant, active: active.map((s) => s.id) };
      return plan(variant, active);
    });
    expect(seen?.variant?.id).toBe(variantIds[0]);
    expect(seen?.active).toEqual(ids);
    expect(result.projectId).toBe(projectId);
    expect(result.acceptedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const inserted = result.rewrite.insert[0]!.id;
    expect(await timelineOf(backend(), projectId)).toEqual([
      [ids[0], 0],
      [inserted, 1],
      [ids[2], 2],
    ]);
    expect(await repos().segments.findSegment(inserted)).toMatchObject({
      source: "generated",
      variantId: variantIds[0],
    });
    expect((await repos().variants.findVariant(variantIds[0]!))?.acceptedAt).toBe(result.acceptedAt);
  });

  it("refuses a second accept after its rewrite (409), rolling the rewrite back", async () => {
    const { projectId, variantIds } = await seedVariants(1);
    const plan = planOver(projectId);
    await repos().variants.acceptVariantRows(variantIds[0]!, plan);
    const before = await timelineOf(backend(), projectId);
    const error = await repos()
      .variants.acceptVariantRows(variantIds[0]!, plan)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 409, details: { variant_id: variantIds[0] } });
    expect(await timelineOf(backend(), projectId)).toEqual(before);
  });

  it("hands the plan nothing for an unknown variant, and a refusing plan's error propagates unchanged", async () => {
    const { projectId, variantIds } = await seedVariants(1);
    let seen: unknown[] = [];
    const missing = new HttpError(404, "Variant not found");
    await expect(
      repos().variants.acceptVariantRows("var_missing", (variant, active) => {
        seen = [variant, active];
        throw missing;
      }),
    ).rejects.toBe(missing);
    expect(seen).toEqual([undefined, []]);
    const before = await timelineOf(backend(), projectId);
    const refused = new HttpError(409, "Timeline changed");
    await expect(
      repos().variants.acceptVariantRows(variantIds[0]!, () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(await timelineOf(backend(), projectId)).toEqual(before);
    expect((await repos().variants.findVariant(variantIds[0]!))?.acceptedAt).toBeNull();
  });

  it("accepts a variant once when 10 accepts race, and two variants of one timeline one after the other", async () => {
    const { projectId, variantIds } = await seedVariants(2);
    const plan = planOver(projectId);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => repos().variants.acceptVariantRows(variantIds[0]!, plan)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(failures).toHaveLength(9);
    for (const reason of failures) expect(reason).toMatchObject({ statusCode: 409 });
    const timeline = await repos().segments.activeSegments(projectId);
    expect(timeline.map((s) => s.orderIndex)).toEqual([0, 1, 2]);
    expect(timeline.filter((s) => s.variantId === variantIds[0])).toHaveLength(1);
  });

  it("keeps the timeline whole when 10 accepts and 10 splits of one timeline race", async () => {
    const { projectId, ids, variantIds } = await seedVariants(10, 20);
    const approve = (s: SegmentRow | undefined) => s as SegmentRow;
    await Promise.all(
      variantIds.flatMap((variantId, i) => [
        repos().variants.acceptVariantRows(variantId, planOver(projectId, ids[2 * i + 1])),
        repos().segments.splitSegmentRows(ids[2 * i]!, 2 * i + 0.5, approve),
      ]),
    );
    const timeline = await repos().segments.activeSegments(projectId);
    expect(timeline.map((s) => s.orderIndex)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // Each pair of split halves, then the variant that replaced the next segment.
    expect(timeline.map((s) => (s.variantId ? `v${variantIds.indexOf(s.variantId)}` : s.startTs))).toEqual(
      variantIds.flatMap((_, i) => [2 * i, 2 * i + 0.5, `v${i}`]),
    );
  });
});
