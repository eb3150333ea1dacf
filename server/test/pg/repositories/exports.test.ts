import { expect, it } from "vitest";
import { describeOnBoth } from "../../support/bothBackends.js";
import { mediaAreas, seedJob, seedMedia, seedProject, uid } from "./mediaFixtures.js";

const exportJob = (id: string, projectId: string) => ({ id, kind: "export", input: {}, projectId });

describeOnBoth("exports repository", mediaAreas, (backend) => {
  const repos = () => backend().repos;

  it("records an export with its job, or neither when the job cannot be written", async () => {
    const projectId = await seedProject(backend());
    const id = uid("exp");
    await repos().exports.insertExport({ id, projectId, format: "mp4-1080p" }, exportJob(id, projectId));
    expect(await repos().jobs.jobById(id)).toMatchObject({ id, kind: "export", status: "pending", projectId });
    expect(await repos().exports.exportById(id)).toEqual({
      id,
      projectId,
      format: "mp4-1080p",
      mediaId: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    // The job's id is taken: its insert fails, and the export is not recorded either.
    const failed = uid("exp");
    await expect(
      repos().exports.insertExport({ id: failed, projectId, format: "mp4-1080p" }, exportJob(id, projectId)),
    ).rejects.toThrow();
    expect(await repos().exports.exportById(failed)).toBeUndefined();
    expect(await repos().exports.exportById("exp_missing")).toBeUndefined();
  });

  it("links a finished export to a new file or to an earlier export's file", async () => {
    const projectId = await seedProject(backend());
    const first = uid("exp");
    const second = uid("exp");
    for (const id of [first, second])
      await repos().exports.insertExport({ id, projectId, format: "webm" }, exportJob(id, projectId));
    const mediaId = uid("media");
    const created = await repos().exports.linkExportFile(first, {
      created: { id: mediaId, projectId, origin: "export", path: `exports/${mediaId}.webm`, bytes: 4_294_967_296 },
    });
    expect(created).toMatchObject({ id: mediaId, origin: "export", status: "ready", bytes: 4_294_967_296 });
    expect(await repos().media.findMedia(mediaId)).toEqual(created);
    expect(await repos().exports.linkExportFile(second, { reuse: created })).toEqual(created);
    expect((await repos().exports.exportById(first))?.mediaId).toBe(mediaId);
    expect((await repos().exports.exportById(second))?.mediaId).toBe(mediaId);
  });

  it("rolls back a new file's row when its export link fails", async () => {
    const projectId = await seedProject(backend());
    const existing = await seedMedia(backend(), projectId);
    const exportId = uid("exp");
    await repos().exports.insertExport({ id: exportId, projectId, format: "webm" }, exportJob(exportId, projectId));
    // The id is taken: the insert fails and nothing is linked.
    await expect(
      repos().exports.linkExportFile(exportId, { created: { id: existing, projectId, origin: "export" } }),
    ).rejects.toThrow();
    expect((await repos().exports.exportById(exportId))?.mediaId).toBeNull();
  });

  it("lists a project's exports newest first with their jobs and sizes, up to the limit", async () => {
    const projectId = await seedProject(backend());
    const other = await seedProject(backend());
    const at = (n: number) => `2026-06-0${n}T00:00:00.000Z`;
    const base = uid("exp");
    const ids = ["a", "b", "c", "d"].map((s) => `${base}_${s}`);
    const insert = async (id: string, createdAt: string, project = projectId) => {
      await backend().exec(
        `insert into exports (id, project_id, format, created_at) values ('${id}', '${project}', 'webm', '${createdAt}')`,
      );
    };
    // Two share a time: the id breaks the tie, descending.
    await insert(ids[0]!, at(1));
    await insert(ids[1]!, at(3));
    await insert(ids[2]!, at(3));
    await insert(ids[3]!, at(2));
    const orphan = uid("exp");
    await insert(orphan, at(4));
    await insert(uid("exp"), at(5), other);
    for (const id of ids) await seedJob(backend(), { id, status: "completed" });
    const mediaId = await seedMedia(backend(), projectId, { origin: "export", bytes: 3_000_000_000 });
    const noSize = await seedMedia(backend(), projectId, { origin: "export", bytes: null });
    await repos().exports.linkExportFile(ids[1]!, { reuse: (await repos().media.findMedia(mediaId))! });
    await repos().exports.linkExportFile(ids[0]!, { reuse: (await repos().media.findMedia(noSize))! });

    const listed = await repos().exports.exportsOfProject(projectId, 10);
    expect(listed.map((r) => [r.export.id, r.bytes])).toEqual([
      [ids[2], null],
      [ids[1], 3_000_000_000],
      [ids[3], null],
      [ids[0], null],
    ]);
    expect(listed[1]?.job).toMatchObject({ id: ids[1], kind: "export", status: "completed", input: {}, progress: 0 });
    // The limit applies to exports before those without a job are left out (the orphan is the newest).
    expect((await repos().exports.exportsOfProject(projectId, 2)).map((r) => r.export.id)).toEqual([ids[2]]);
    expect(await repos().exports.exportsOfProject("proj_missing", 10)).toEqual([]);
  });

  it("tells whether a job of a kind waits or runs", async () => {
    const kind = uid("kind");
    expect(await repos().exports.jobOfKindUnfinished(kind)).toBe(false);
    const job = await seedJob(backend(), { kind, status: "completed" });
    await seedJob(backend(), { kind, status: "failed" });
    expect(await repos().exports.jobOfKindUnfinished(kind)).toBe(false);
    await backend().exec(`update jobs set status = 'running' where id = '${job}'`);
    expect(await repos().exports.jobOfKindUnfinished(kind)).toBe(true);
    await seedJob(backend(), { kind, status: "pending" });
    expect(await repos().exports.jobOfKindUnfinished(kind)).toBe(true);
  });

  it("files rendered parts by key, replaces a key's file, lists and deletes them", async () => {
    const key = uid("part");
    expect(await repos().exports.renderedPart(key)).toBeUndefined();
    await repos().exports.saveRenderedPart({ key, path: `parts/${key}.mp4`, durationSec: 1.5 });
    const saved = await repos().exports.renderedPart(key);
    expect(saved).toEqual({ key, path: `parts/${key}.mp4`, durationSec: 1.5, createdAt: expect.any(String) });
    await repos().exports.saveRenderedPart({ key, path: `parts/${key}-b.mp4`, durationSec: null });
    expect(await repos().exports.renderedPart(key)).toEqual({
      ...saved,
      path: `parts/${key}-b.mp4`,
      durationSec: null,
    });
    expect((await repos().exports.allRenderedParts()).filter((p) => p.key === key)).toHaveLength(1);
    await repos().exports.deleteRenderedPart(key);
    expect(await repos().exports.renderedPart(key)).toBeUndefined();
    expect((await repos().exports.allRenderedParts()).some((p) => p.key === key)).toBe(false);
    await repos().exports.deleteRenderedPart(key);
  });

  it("files a part once when 20 workers save the same key at once, and 20 keys at once", async () => {
    const key = uid("part");
    await Promise.all(
      Array.from({ length: 20 }, () =>
        repos().exports.saveRenderedPart({ key, path: `parts/${key}.mp4`, durationSec: 2 }),
      ),
    );
    const keys = Array.from({ length: 20 }, () => uid("part"));
    await Promise.all(
      keys.map((k) => repos().exports.saveRenderedPart({ key: k, path: `parts/${k}.mp4`, durationSec: 1 })),
    );
    const all = await repos().exports.allRenderedParts();
    expect(all.filter((p) => p.key === key)).toEqual([
      { key, path: `parts/${key}.mp4`, durationSec: 2, createdAt: expect.any(String) },
    ]);
    expect(
      all
        .filter((p) => keys.includes(p.key))
        .map((p) => p.key)
        .sort(),
    ).toEqual([...keys].sort());
  });
});
