import { expect, it } from "vitest";
import { HttpError } from "../../../src/errors.js";
import type { RestoreState, SegmentRow } from "../../../src/repositories/segments.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { mediaAreas, piece, seedMedia, seedProject, seedTimeline, timelineOf, uid } from "./mediaFixtures.js";

const approve = (s: SegmentRow | undefined): SegmentRow => {
  if (!s) throw new Error("no segment");
  return s;
};

describeOnBoth("segments repository", mediaAreas, (backend) => {
  const repos = () => backend().repos;

  it("finds a segment, and answers undefined for an unknown id", async () => {
    const { ids, mediaId, projectId } = await seedTimeline(backend(), 1);
    const found = await repos().segments.findSegment(ids[0]!);
    expect(found).toMatchObject({
      id: ids[0],
      projectId,
      mediaId,
      startTs: 0,
      endTs: 1,
      orderIndex: 0,
      active: true,
      source: "original",
      variantId: null,
      parentSegmentId: null,
      assetVersionId: null,
      grade: null,
    });
    expect(found?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await repos().segments.findSegment("seg_missing")).toBeUndefined();
  });

  it("inserts at a position, clamped, and at the end by default, keeping order_index 0..n-1", async () => {
    const { projectId, mediaId, ids } = await seedTimeline(backend(), 3);
    const [a] = await repos().segments.insertSegmentRows(projectId, 1, [piece(mediaId, 5, 6)]);
    const [b] = await repos().segments.insertSegmentRows(projectId, undefined, [piece(mediaId, 6, 7)]);
    const [c] = await repos().segments.insertSegmentRows(projectId, -4, [piece(mediaId, 7, 8)]);
    const [d, e] = await repos().segments.insertSegmentRows(projectId, 99.7, [
      piece(mediaId, 8, 9),
      piece(mediaId, 9, 10, { source: "generated", grade: { contrast: 1.25 } }),
    ]);
    expect(e).toMatchObject({ source: "generated", grade: { contrast: 1.25 }, orderIndex: 7 });
    expect(await timelineOf(backend(), projectId)).toEqual(
      [c!.id, ids[0]!, a!.id, ids[1]!, ids[2]!, b!.id, d!.id, e!.id].map((id, i) => [id, i]),
    );
    expect(await repos().segments.insertSegmentRows(projectId, 0, [])).toEqual([]);
  });

  it("splits a segment: halves in its place, the parent kept inactive", async () => {
    const { projectId, ids } = await seedTimeline(backend(), 3);
    let seen: SegmentRow | undefined;
    const [left, right] = await repos().segments.splitSegmentRows(ids[1]!, 1.5, (s) => {
      seen = s;
      return approve(s);
    });
    expect(seen?.id).toBe(ids[1]);
    expect(left).toMatchObject({ startTs: 1, endTs: 1.5, parentSegmentId: ids[1], orderIndex: 1, active: true });
    expect(right).toMatchObject({ startTs: 1.5, endTs: 2, parentSegmentId: ids[1], orderIndex: 2, active: true });
    expect(await timelineOf(backend(), projectId)).toEqual([
      [ids[0], 0],
      [left.id, 1],
      [right.id, 2],
      [ids[2], 3],
    ]);
    expect((await repos().segments.findSegment(ids[1]!))?.active).toBe(false);
  });

  it("refuses to split an inactive segment the check let through (409), and rolls back", async () => {
    const { projectId, ids } = await seedTimeline(backend(), 2);
    await repos().segments.removeSegmentRow(ids[0]!, approve);
    const error = await repos()
      .segments.splitSegmentRows(ids[0]!, 0.5, approve)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 409, details: { segment_id: ids[0], active: false } });
    expect(await timelineOf(backend(), projectId)).toEqual([[ids[1], 0]]);
  });

  it("hands the check undefined for an unknown segment, and its error propagates unchanged", async () => {
    const refused = new Error("refused");
    let seen: unknown = "not called";
    await expect(
      repos().segments.splitSegmentRows("seg_missing", 1, (s) => {
        seen = s;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(seen).toBeUndefined();
  });

  it("trims in place with the bounds the check returns", async () => {
    const { projectId, ids } = await seedTimeline(backend(), 2);
    const trimmed = await repos().segments.trimSegmentRow(ids[1]!, (s) => ({
      segment: approve(s),
      startTs: 1.25,
      endTs: 1.75,
    }));
    expect(trimmed).toMatchObject({ id: ids[1], startTs: 1.25, endTs: 1.75, orderIndex: 1, active: true });
    expect(await timelineOf(backend(), projectId)).toEqual([
      [ids[0], 0],
      [ids[1], 1],
    ]);
  });

  it("removes a segment softly and closes up the timeline; a refusing check changes nothing", async () => {
    const { projectId, ids } = await seedTimeline(backend(), 4);
    await expect(
      repos().segments.removeSegmentRow(ids[1]!, () => {
        throw new HttpError(409, "stale");
      }),
    ).rejects.toMatchObject({ statusCode: 409, message: "stale" });
    await repos().segments.removeSegmentRow(ids[1]!, approve);
    expect(await timelineOf(backend(), projectId)).toEqual([
      [ids[0], 0],
      [ids[2], 1],
      [ids[3], 2],
    ]);
    expect(await repos().segments.findSegment(ids[1]!)).toMatchObject({ active: false, orderIndex: 1 });
  });

  it("replaces the whole timeline, keeping the old rows inactive", async () => {
    const { projectId, mediaId, ids } = await seedTimeline(backend(), 3);
    const rows = await repos().segments.replaceTimelineRows(projectId, [piece(mediaId, 2, 4), piece(mediaId, 0, 2)]);
    expect(rows.map((r) => [r.startTs, r.orderIndex])).toEqual([
      [2, 0],
      [0, 1],
    ]);
    expect(await timelineOf(backend(), projectId)).toEqual(rows.map((r, i) => [r.id, i]));
    for (const id of ids) expect((await repos().segments.findSegment(id))?.active).toBe(false);
    expect(await repos().segments.replaceTimelineRows(projectId, [])).toEqual([]);
    expect(await timelineOf(backend(), projectId)).toEqual([]);
  });

  it("grades: registers the render once per path, and a graded copy takes the segment's place", async () => {
    const { projectId, ids } = await seedTimeline(backend(), 3);
    const path = `renders/${uid("graded")}.mp4`;
    const render = (current: SegmentRow) => ({
      id: uid("media"),
      projectId: current.projectId,
      origin: "render" as const,
      path,
      durationSec: current.endTs - current.startTs,
      bytes: 3_000_000_000,
      hasAudio: true,
    });
    const first = await repos().segments.gradeSegmentRows(ids[0]!, approve, { contrast: 1.2 }, render);
    expect(first.media).toMatchObject({
      path,
      origin: "render",
      status: "ready",
      bytes: 3_000_000_000,
      hasAudio: true,
    });
    expect(first.segment).toMatchObject({
      source: "graded",
      grade: { contrast: 1.2 },
      parentSegmentId: ids[0],
      orderIndex: 0,
      startTs: 0,
      endTs: 1,
    });
    const second = await repos().segments.gradeSegmentRows(ids[2]!, approve, { saturation: 0.5 }, render);
    expect(second.media.id).toBe(first.media.id);
    expect(await timelineOf(backend(), projectId)).toEqual([
      [first.segment.id, 0],
      [ids[1], 1],
      [second.segment.id, 2],
    ]);
  });

  it("registers one media row when segments of six projects are graded onto one path at once", async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, async () => (await seedTimeline(backend(), 1)).ids[0]!));
    const path = `renders/${uid("graded")}.mp4`;
    const results = await Promise.all(
      ids.map((id) =>
        repos().segments.gradeSegmentRows(id, approve, { gamma: 1.1 }, (current) => ({
          id: uid("media"),
          projectId: current.projectId,
          origin: "render",
          path,
        })),
      ),
    );
    expect(new Set(results.map((r) => r.media.id)).size).toBe(1);
  });

  it("reorders after the check saw the current timeline", async () => {
    const { projectId, ids } = await seedTimeline(backend(), 4);
    let seen: string[] = [];
    const wanted = [ids[3]!, ids[1]!, ids[0]!, ids[2]!];
    await repos().segments.reorderSegmentRows(projectId, wanted, (current) => {
      seen = current.map((s) => s.id);
    });
    expect(seen).toEqual(ids);
    expect(await timelineOf(backend(), projectId)).toEqual(wanted.map((id, i) => [id, i]));
    const stale = new HttpError(409, "stale order");
    await expect(
      repos().segments.reorderSegmentRows(projectId, ids, () => {
        throw stale;
      }),
    ).rejects.toBe(stale);
    expect(await timelineOf(backend(), projectId)).toEqual(wanted.map((id, i) => [id, i]));
  });

  it("restores an earlier timeline with its source times, judged on the state inside the transaction", async () => {
    const { projectId, mediaId, ids } = await seedTimeline(backend(), 3);
    const other = await seedMedia(backend(), projectId, { durationSec: null });
    const [extra] = await repos().segments.insertSegmentRows(projectId, undefined, [piece(other, 0, 1)]);
    await repos().segments.removeSegmentRow(ids[0]!, approve);
    let state: RestoreState | undefined;
    const wanted = [
      { id: ids[0]!, startTs: 0.5, endTs: 1 },
      { id: extra!.id, startTs: 0, endTs: 0.5 },
      { id: ids[2]!, startTs: 2, endTs: 3 },
    ];
    await repos().segments.restoreTimelineRows(projectId, wanted, (s) => {
      state = s;
    });
    expect(state?.current.map((s) => s.id)).toEqual([ids[1], ids[2], extra!.id]);
    expect([...(state?.rows.keys() ?? [])].sort()).toEqual([ids[0], extra!.id, ids[2]].sort());
    expect(state?.durations).toEqual(
      new Map<string, number | null>([
        [mediaId, 10],
        [other, null],
      ]),
    );
    expect(await timelineOf(backend(), projectId)).toEqual(wanted.map((w, i) => [w.id, i]));
    expect(await repos().segments.findSegment(ids[0]!)).toMatchObject({ active: true, startTs: 0.5, endTs: 1 });
    expect((await repos().segments.findSegment(ids[1]!))?.active).toBe(false);

    const refused = new Error("refused");
    await expect(
      repos().segments.restoreTimelineRows(projectId, [], () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(await timelineOf(backend(), projectId)).toEqual(wanted.map((w, i) => [w.id, i]));
  });

  it("applies a planned rewrite: deactivates, inserts at place, renumbers the rest", async () => {
    const { projectId, mediaId, ids } = await seedTimeline(backend(), 3);
    const active = await repos().segments.activeSegments(projectId);
    const inserted = uid("seg");
    await repos().segments.rewriteTimeline(active, {
      deactivate: [ids[0]!],
      insert: [{ id: inserted, projectId, mediaId, startTs: 0, endTs: 0.5, orderIndex: 1, source: "generated" }],
      order: [ids[1]!, inserted, ids[2]!],
    });
    expect(await timelineOf(backend(), projectId)).toEqual([
      [ids[1], 0],
      [inserted, 1],
      [ids[2], 2],
    ]);
  });

  it("keeps the order exact under 20 concurrent appends to one timeline", async () => {
    const projectId = await seedProject(backend());
    const mediaId = await seedMedia(backend(), projectId);
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        repos().segments.insertSegmentRows(projectId, undefined, [piece(mediaId, i, i + 1)]),
      ),
    );
    const timeline = await timelineOf(backend(), projectId);
    expect(timeline.map(([, index]) => index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(new Set(timeline.map(([id]) => id))).toEqual(new Set(made.map(([row]) => row!.id)));
  });

  it("keeps the timeline whole under 10 concurrent splits and removes", async () => {
    const { projectId, ids } = await seedTimeline(backend(), 10);
    await Promise.all(
      ids.map((id, i) =>
        i % 2 === 0
          ? repos().segments.splitSegmentRows(id, i + 0.5, approve)
          : repos().segments.removeSegmentRow(id, approve),
      ),
    );
    const active = await repos().segments.activeSegments(projectId);
    expect(active.map((s) => s.orderIndex)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // Each split's halves sit where their parent was, in timeline order.
    expect(active.map((s) => [s.startTs, s.endTs])).toEqual(
      [0, 2, 4, 6, 8].flatMap((start) => [
        [start, start + 0.5],
        [start + 0.5, start + 1],
      ]),
    );
  });
});
