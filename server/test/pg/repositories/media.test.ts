import { expect, it } from "vitest";
import { describeOnBoth } from "../../support/bothBackends.js";
import { mediaAreas, piece, seedJob, seedMedia, seedProject, seedTimeline, uid } from "./mediaFixtures.js";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeOnBoth("media repository", mediaAreas, (backend) => {
  const repos = () => backend().repos;

  it("registers a media row with the schema's defaults and finds it again", async () => {
    const projectId = await seedProject(backend());
    const id = uid("media");
    const row = await repos().media.insertMedia({ id, projectId, origin: "mirror", path: `m/${id}.mp4` });
    expect(row).toEqual({
      id,
      projectId,
      origin: "mirror",
      status: "ready",
      sha256: null,
      path: `m/${id}.mp4`,
      bytes: null,
      mime: null,
      kind: null,
      durationSec: null,
      width: null,
      height: null,
      fps: null,
      videoCodec: null,
      audioCodec: null,
      hasAudio: null,
      fileName: null,
      error: null,
      createdAt: expect.stringMatching(ISO),
    });
    expect(await repos().media.findMedia(id)).toEqual(row);
    expect(await repos().media.findMedia("media_missing")).toBeUndefined();
  });

  it("keeps every column's value: big byte counts as numbers, fractions, booleans", async () => {
    const projectId = await seedProject(backend());
    const values = {
      id: uid("media"),
      projectId,
      origin: "upload" as const,
      status: "pending" as const,
      sha256: "ab".repeat(32),
      path: `m/${uid("f")}.mov`,
      bytes: 5_000_000_001,
      mime: "video/quicktime",
      kind: "video" as const,
      durationSec: 12.345,
      width: 1920,
      height: 1080,
      fps: 23.976,
      videoCodec: "prores",
      audioCodec: "pcm_s16le",
      hasAudio: false,
      fileName: "take 1.mov",
      error: null,
      createdAt: "2026-01-02T03:04:05.678Z",
    };
    expect(await repos().media.insertMedia(values)).toEqual(values);
    expect(await repos().media.findMedia(values.id)).toEqual(values);
  });

  it("finds many by id, each once, and none for no ids", async () => {
    const projectId = await seedProject(backend());
    const a = await seedMedia(backend(), projectId);
    const b = await seedMedia(backend(), projectId);
    const many = await repos().media.findMediaMany([a, b, "media_missing"]);
    expect(many.map((m) => m.id).sort()).toEqual([a, b].sort());
    expect(await repos().media.findMediaMany([])).toEqual([]);
    const byIds = await repos().media.mediaByIds([a, b, a, "media_missing"]);
    expect([...byIds.keys()].sort()).toEqual([a, b].sort());
    expect(byIds.get(a)?.id).toBe(a);
    expect((await repos().media.mediaByIds([])).size).toBe(0);
  });

  it("finds a file's row by path, and its ready row only when ready", async () => {
    const projectId = await seedProject(backend());
    const path = `m/${uid("f")}.mp4`;
    const id = await seedMedia(backend(), projectId, { path, status: "pending" });
    expect((await repos().media.mediaByPath(path))?.id).toBe(id);
    expect(await repos().media.mediaByPath("m/none.mp4")).toBeUndefined();
    expect(await repos().media.readyMediaByPath(path)).toBeUndefined();
    await repos().media.updateMedia(id, { status: "ready", bytes: 42 });
    expect(await repos().media.readyMediaByPath(path)).toMatchObject({ id, status: "ready", bytes: 42 });
  });

  it("updates a row and answers it, or undefined when it is gone; deletes", async () => {
    const projectId = await seedProject(backend());
    const id = await seedMedia(backend(), projectId, { status: "pending" });
    const updated = await repos().media.updateMediaRow(id, { status: "failed", error: "probe failed" });
    expect(updated).toMatchObject({ id, status: "failed", error: "probe failed", kind: "video" });
    expect(await repos().media.findMedia(id)).toEqual(updated);
    await repos().media.deleteMedia(id);
    expect(await repos().media.findMedia(id)).toBeUndefined();
    expect(await repos().media.updateMediaRow(id, { status: "ready" })).toBeUndefined();
    await repos().media.updateMedia(id, { status: "ready" });
    await repos().media.deleteMedia(id);
  });

  it("lists a project's library (uploads and mirrors), oldest first", async () => {
    const projectId = await seedProject(backend());
    const other = await seedProject(backend());
    const late = await seedMedia(backend(), projectId, { createdAt: "2026-03-01T00:00:00.000Z" });
    const early = await seedMedia(backend(), projectId, { origin: "mirror", createdAt: "2026-01-01T00:00:00.000Z" });
    const middle = await seedMedia(backend(), projectId, { createdAt: "2026-02-01T00:00:00.000Z" });
    await seedMedia(backend(), projectId, { origin: "render" });
    await seedMedia(backend(), projectId, { origin: "export" });
    await seedMedia(backend(), other);
    expect((await repos().media.libraryMediaOfProject(projectId)).map((m) => m.id)).toEqual([early, middle, late]);
    expect(await repos().media.libraryMediaOfProject("proj_missing")).toEqual([]);
  });

  it("lists export file paths once each, and those a timeline plays", async () => {
    const projectId = await seedProject(backend());
    const shared = `exports/${uid("x")}.mp4`;
    const played = `exports/${uid("x")}.mp4`;
    await seedMedia(backend(), projectId, { origin: "export", path: shared });
    await seedMedia(backend(), projectId, { origin: "export", path: shared });
    const playedId = await seedMedia(backend(), projectId, { origin: "export", path: played });
    await seedMedia(backend(), projectId, { origin: "export", path: null });
    const renderId = await seedMedia(backend(), projectId, { origin: "render" });
    await repos().segments.insertSegmentRows(projectId, undefined, [piece(playedId, 0, 1), piece(renderId, 0, 1)]);
    const paths = await repos().media.exportFilePaths();
    expect(paths.filter((p) => p === shared || p === played).sort()).toEqual([shared, played].sort());
    expect(new Set(paths).size).toBe(paths.length);
    const onTimelines = await repos().media.exportPathsOnTimelines();
    expect(onTimelines.has(played)).toBe(true);
    expect(onTimelines.has(shared)).toBe(false);
  });

  it("forgets an evicted file's rows and unlinks its exports", async () => {
    const projectId = await seedProject(backend());
    const path = `exports/${uid("x")}.mp4`;
    const a = await seedMedia(backend(), projectId, { origin: "export", path });
    const b = await seedMedia(backend(), projectId, { origin: "export", path });
    const exportId = uid("exp");
    await repos().exports.insertExport(
      { id: exportId, projectId, format: "mp4-1080p" },
      { id: exportId, kind: "export", input: {}, projectId },
    );
    await repos().exports.linkExportFile(exportId, { reuse: (await repos().media.findMedia(a))! });
    await repos().media.forgetMediaAtPath(path);
    expect(await repos().media.findMediaMany([a, b])).toEqual([]);
    expect(await repos().exports.exportById(exportId)).toMatchObject({ mediaId: null });
    await repos().media.forgetMediaAtPath(path);
  });

  it("keeps every row of a file something still references: the delete throws and rolls back", async () => {
    const { projectId } = await seedTimeline(backend(), 0);
    const path = `exports/${uid("x")}.mp4`;
    const linked = await seedMedia(backend(), projectId, { origin: "export", path });
    const played = await seedMedia(backend(), projectId, { origin: "export", path });
    const exportId = uid("exp");
    await repos().exports.insertExport(
      { id: exportId, projectId, format: "mp4-1080p" },
      { id: exportId, kind: "export", input: {}, projectId },
    );
    await repos().exports.linkExportFile(exportId, { reuse: (await repos().media.findMedia(linked))! });
    await repos().segments.insertSegmentRows(projectId, undefined, [piece(played, 0, 1)]);
    await expect(repos().media.forgetMediaAtPath(path)).rejects.toThrow();
    expect((await repos().media.findMediaMany([linked, played])).length).toBe(2);
    expect(await repos().exports.exportById(exportId)).toMatchObject({ mediaId: linked });
  });

  it("reads timelines: one project's, and every project's in order", async () => {
    const one = await seedTimeline(backend(), 3);
    const two = await seedTimeline(backend(), 2);
    await repos().segments.removeSegmentRow(one.ids[1]!, (s) => s!);
    expect((await repos().media.activeSegments(one.projectId)).map((s) => s.id)).toEqual([one.ids[0], one.ids[2]]);
    const all = await repos().media.activeSegmentsByProject();
    expect(all.get(one.projectId)?.map((s) => [s.id, s.orderIndex])).toEqual([
      [one.ids[0], 0],
      [one.ids[2], 1],
    ]);
    expect(all.get(two.projectId)?.map((s) => s.id)).toEqual(two.ids);
    const projects = [...all.keys()];
    expect(projects).toEqual([...projects].sort());
  });

  it("lists a job's variants oldest first", async () => {
    const projectId = await seedProject(backend());
    const jobId = await seedJob(backend(), { kind: "region" });
    const clip = { origin: "generated" as const, path: `v/${uid("c")}.mp4` };
    const values = (prompt: string, createdAt: string) => ({
      prompt,
      provider: "fake",
      startTs: 1,
      endTs: 2,
      box: { x: 0, y: 0, width: 1, height: 1 },
      createdAt,
    });
    const [late] = await repos().variants.insertVariantRows({ jobId, projectId }, clip, [
      { clip, preview: clip, values: values("late", "2026-05-01T00:00:00.000Z") },
    ]);
    const [early] = await repos().variants.insertVariantRows({ jobId, projectId }, clip, [
      { clip, preview: clip, values: values("early", "2026-04-01T00:00:00.000Z") },
    ]);
    expect((await repos().media.variantsOfJob(jobId)).map((v) => v.id)).toEqual([early, late]);
    expect(await repos().media.variantsOfJob("job_missing")).toEqual([]);
  });

  it("lists the variants one call stored in the order they were made", async () => {
    const projectId = await seedProject(backend());
    const jobId = await seedJob(backend(), { kind: "region" });
    const clip = { origin: "generated" as const, path: `v/${uid("c")}.mp4` };
    const values = { prompt: "p", provider: "fake", startTs: 1, endTs: 2, box: { x: 0, y: 0, width: 1, height: 1 } };
    const made = await repos().variants.insertVariantRows(
      { jobId, projectId },
      clip,
      Array.from({ length: 8 }, () => ({ clip, preview: clip, values })),
    );
    expect((await repos().media.variantsOfJob(jobId)).map((v) => v.id)).toEqual(made);
    // An update (an accept) keeps the order (on PostgreSQL it moves the row: the order must not rest on that).
    await backend().exec(`update variants set accepted_at = '2026-07-01T00:00:00.000Z' where id = '${made[0]}'`);
    expect((await repos().media.variantsOfJob(jobId)).map((v) => v.id)).toEqual(made);
  });

  it("puts the first media on a timeline once; later ones find a segment there", async () => {
    const projectId = await seedProject(backend());
    const a = await seedMedia(backend(), projectId);
    const b = await seedMedia(backend(), projectId);
    const first = await repos().media.insertFirstSegment(projectId, a, 7.5);
    expect(first).toMatchObject({
      projectId,
      mediaId: a,
      startTs: 0,
      endTs: 7.5,
      orderIndex: 0,
      active: true,
      source: "original",
    });
    expect(await repos().media.insertFirstSegment(projectId, b, 3)).toBeUndefined();
    // An inactive segment counts too: the project has had a timeline.
    await repos().segments.removeSegmentRow(first!.id, (s) => s!);
    expect(await repos().media.insertFirstSegment(projectId, b, 3)).toBeUndefined();
  });

  it("makes one first segment out of 20 concurrent first uploads", async () => {
    const projectId = await seedProject(backend());
    const ids = await Promise.all(Array.from({ length: 20 }, () => seedMedia(backend(), projectId)));
    const made = await Promise.all(ids.map((id) => repos().media.insertFirstSegment(projectId, id, 10)));
    const inserted = made.filter((s) => s !== undefined);
    expect(inserted).toHaveLength(1);
    expect((await repos().media.activeSegments(projectId)).map((s) => s.id)).toEqual([inserted[0]!.id]);
  });
});
