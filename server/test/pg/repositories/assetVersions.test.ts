import { expect, it } from "vitest";
import { newTimeOrderedId } from "../../../src/ids.js";
import type { FiledVersion } from "../../../src/repositories/assetVersions.js";
import * as assetVersions from "../../../src/repositories/pg/assetVersions.js";
import { describeOnBoth } from "../../support/bothBackends.js";

describeOnBoth("assetVersions repository", { assetVersions }, (backend) => {
  const repo = () => backend().repos.assetVersions;
  let seq = 0;
  const uid = (prefix: string) => `${prefix}_${++seq}`;
  // Distinct, increasing creation times: the lists' newest-first order is what is checked, not the clock.
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  const tick = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };

  /** A user, workspace, project with its scenes (by code) and two platforms: the rows other areas own. */
  async function seed(sceneCodes = ["S01"]) {
    const user = uid("user");
    const workspace = uid("ws");
    const project = uid("proj");
    const sceneIds = sceneCodes.map(() => uid("scene"));
    const platforms = [uid("plat"), uid("plat")];
    const exec = backend().exec;
    await exec(`insert into users (id, name) values ('${user}', 'Ada')`);
    await exec(`insert into workspaces (id, name, owner_id, personal) values ('${workspace}', 'W', '${user}', true)`);
    await exec(
      `insert into projects (id, workspace_id, owner_id, name, updated_at)
       values ('${project}', '${workspace}', '${user}', 'Film', '2020-01-01T00:00:00.000Z')`,
    );
    for (const [i, code] of sceneCodes.entries()) {
      await exec(`insert into scenes (id, project_id, scene_code) values ('${sceneIds[i]}', '${project}', '${code}')`);
    }
    for (const id of platforms) {
      await exec(
        `insert into platforms (id, slug, name, provider, specialties, supported_output)
         values ('${id}', '${id}', 'P', 'P', '[]', '[]')`,
      );
    }
    return { user, project, sceneIds, sceneId: sceneIds[0]!, platforms };
  }

  const filed = (
    at: { project: string; sceneId: string; platformId: string },
    over: Partial<FiledVersion> = {},
  ): FiledVersion => ({
    id: newTimeOrderedId("asset"),
    projectId: at.project,
    sceneId: at.sceneId,
    shotId: null,
    platformId: at.platformId,
    assetType: "VIDEO",
    prompt: "a slow dolly in",
    negativePrompt: null,
    title: null,
    modelName: null,
    outputUrl: null,
    thumbnailUrl: null,
    sourceUrl: null,
    status: "GENERATED",
    selected: 0,
    rightsState: "UNKNOWN",
    metadata: null,
    tags: "[]",
    notes: null,
    externalAssetId: null,
    promptPackageId: null,
    compareGroup: null,
    parentVersionId: null,
    provenance: null,
    platformLabel: null,
    costEstimateUsd: null,
    generationSeconds: null,
    queueWaitSeconds: null,
    mirrorStatus: "none",
    bodySha256: null,
    createdBy: null,
    createdAt: tick(),
    ...over,
  });

  async function file(at: { project: string; sceneId: string; platformId: string }, over: Partial<FiledVersion> = {}) {
    const version = filed(at, over);
    const versionNumber = await repo().insertNumberedVersion(version);
    return { id: String(version.id), versionNumber };
  }

  it("numbers versions per scene, asset type and platform, and reads them back with SQLite's values", async () => {
    const s = await seed();
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const first = await file(at, {
      selected: 1,
      status: "SELECTED",
      metadata: JSON.stringify({ zeta: 1, alpha: { nested: ["ü", "\u0000"] } }),
      tags: JSON.stringify(["night", "wide"]),
      provenance: JSON.stringify({ tool: "sora" }),
      costEstimateUsd: 0.25,
      createdBy: s.user,
    });
    const second = await file(at);
    const image = await file(at, { assetType: "IMAGE" });
    const otherPlatform = await file({ ...at, platformId: s.platforms[1]! });
    expect([first, second, image, otherPlatform].map((v) => v.versionNumber)).toEqual([1, 2, 1, 1]);

    const row = await repo().assetById(first.id);
    expect(row).toMatchObject({
      id: first.id,
      versionNumber: 1,
      selected: true,
      status: "SELECTED",
      tags: ["night", "wide"],
      provenance: { tool: "sora" },
      costEstimateUsd: 0.25,
      mediaId: null,
      mirrorError: null,
      createdBy: s.user,
    });
    // Key order and characters are kept (json, not jsonb).
    expect(JSON.stringify(row!.metadata)).toBe(JSON.stringify({ zeta: 1, alpha: { nested: ["ü", "\u0000"] } }));
    expect(row!.updatedAt).toBe(row!.createdAt);
    expect((await repo().assetById(second.id))!.selected).toBe(false);
  });

  it("gives 20 concurrent ingests into one scene the numbers 1 to 20", async () => {
    const s = await seed();
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const numbers = await Promise.all(Array.from({ length: 20 }, () => file(at)));
    expect(numbers.map((n) => n.versionNumber).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it("refuses a version of a scene that does not exist", async () => {
    const s = await seed();
    const version = filed({ project: s.project, sceneId: "no-such-scene", platformId: s.platforms[0]! });
    await expect(repo().insertNumberedVersion(version)).rejects.toThrow();
    expect(await repo().versionExists(String(version.id))).toBe(false);
  });

  it("answers existence and project membership, and undefined for an unknown version", async () => {
    const s = await seed();
    const other = await seed();
    const v = await file({ project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! });
    expect(await repo().versionExists(v.id)).toBe(true);
    expect(await repo().versionExists("asset_missing")).toBe(false);
    expect(await repo().versionInProject(v.id, s.project)).toBe(true);
    expect(await repo().versionInProject(v.id, other.project)).toBe(false);
    expect(await repo().assetById("asset_missing")).toBeUndefined();
    expect(await repo().versionForMirror("asset_missing")).toBeUndefined();
    expect((await repo().versionForMirror(v.id))!.id).toBe(v.id);
  });

  it("unselects the siblings of a scene and type: SELECTED becomes GENERATED, other statuses stay", async () => {
    const s = await seed();
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const a = await file(at, { selected: 1, status: "SELECTED" });
    const b = await file(at, { selected: 1, status: "APPROVED" });
    const keep = await file(at, { selected: 1, status: "SELECTED" });
    const image = await file(at, { assetType: "IMAGE", selected: 1, status: "SELECTED" });
    await repo().unselectSiblings(s.sceneId, "VIDEO", keep.id);
    const read = async (id: string) => {
      const row = (await repo().assetById(id))!;
      return [row.selected, row.status];
    };
    expect(await read(a.id)).toEqual([false, "GENERATED"]);
    expect(await read(b.id)).toEqual([false, "APPROVED"]);
    expect(await read(keep.id)).toEqual([true, "SELECTED"]);
    expect(await read(image.id)).toEqual([true, "SELECTED"]);
    await repo().unselectSiblings(s.sceneId, "VIDEO");
    expect(await read(keep.id)).toEqual([false, "GENERATED"]);
    await repo().unselectSiblings("no-such-scene", "VIDEO");
  });

  it("selects a take (unselecting the others), sets a compare group, and unselects it", async () => {
    const s = await seed();
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const a = await file(at, { selected: 1, status: "SELECTED" });
    const b = await file(at);
    const bRow = (await repo().assetById(b.id))!;
    const selected = await repo().updateTake(bRow, { selected: true });
    expect(selected).toMatchObject({ id: b.id, selected: true, status: "SELECTED" });
    expect(await repo().assetById(a.id)).toMatchObject({ selected: false, status: "GENERATED" });

    const grouped = await repo().updateTake(selected, { compareGroup: "g1" });
    expect(grouped).toMatchObject({ selected: true, status: "SELECTED", compareGroup: "g1" });
    const unselected = await repo().updateTake(grouped, { selected: false, compareGroup: null });
    expect(unselected).toMatchObject({ selected: false, status: "GENERATED", compareGroup: null });
  });

  it("keeps one selected take per scene and type when 20 writers select different takes at once", async () => {
    const s = await seed();
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const takes = await Promise.all(Array.from({ length: 20 }, () => file(at)));
    const rows = await Promise.all(takes.map((t) => repo().assetById(t.id)));
    await Promise.all(
      rows.map((row, i) =>
        i % 2
          ? repo().updateTake(row!, { selected: true })
          : repo().patchVersion(row!, { selected: true, status: "SELECTED" }),
      ),
    );
    const after = await repo().versionsOfScene(s.sceneId, "VIDEO", 100);
    expect(after).toHaveLength(20);
    expect(after.filter((v) => v.selected)).toHaveLength(1);
    expect(after.filter((v) => v.status === "SELECTED")).toHaveLength(1);
  });

  it("patches a version's fields; selecting it unselects its siblings", async () => {
    const s = await seed();
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const a = await file(at, { selected: 1, status: "SELECTED" });
    const b = await file(at);
    const patched = await repo().patchVersion((await repo().assetById(b.id))!, {
      notes: "best so far",
      tags: ["keeper"],
      rightsState: "CLEARED",
    });
    expect(patched).toMatchObject({ notes: "best so far", tags: ["keeper"], rightsState: "CLEARED", selected: false });
    expect((await repo().assetById(a.id))!.selected).toBe(true);
    const chosen = await repo().patchVersion(patched, { selected: true, status: "SELECTED" });
    expect(chosen).toMatchObject({ selected: true, status: "SELECTED", tags: ["keeper"] });
    expect(await repo().assetById(a.id)).toMatchObject({ selected: false, status: "GENERATED" });
  });

  it("files prompt packages and checks them against the project", async () => {
    const s = await seed();
    const other = await seed();
    const id = await repo().insertPromptPackage({
      projectId: s.project,
      name: "S01 look",
      prompt: "neon rain",
      constraints: { aspect: "16:9" },
      tags: ["noir"],
      targetDurationSec: 4.5,
    });
    expect(id).toMatch(/^pp_/);
    expect(await repo().promptPackageInProject(id, s.project)).toBe(true);
    expect(await repo().promptPackageInProject(id, other.project)).toBe(false);
    expect(await repo().promptPackageInProject("pp_missing", s.project)).toBe(false);
    const v = await file(
      { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! },
      { promptPackageId: id },
    );
    expect((await repo().assetById(v.id))!.promptPackageId).toBe(id);
  });

  it("lists a scene's and a project's versions newest first, by type, in pages", async () => {
    const s = await seed(["S01", "S02"]);
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const v1 = await file(at);
    const i1 = await file(at, { assetType: "IMAGE" });
    const same = tick();
    // Two versions filed in the same millisecond: the higher number first.
    const v2 = await file(at, { createdAt: same });
    const v3 = await file({ ...at, platformId: s.platforms[1]! }, { createdAt: same });
    const v4 = await file(at);
    const elsewhere = await file({ ...at, sceneId: s.sceneIds[1]! });
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

    expect(ids(await repo().versionsOfScene(s.sceneId, "VIDEO", 10))).toEqual([v4.id, v2.id, v3.id, v1.id]);
    expect(ids(await repo().versionsOfScene(s.sceneId, undefined, 3))).toEqual([v4.id, v2.id, v3.id]);
    expect(ids(await repo().versionsOfScene(s.sceneId, "IMAGE", 10))).toEqual([i1.id]);
    expect(await repo().versionsOfScene("no-such-scene", undefined, 10)).toEqual([]);
    expect(ids(await repo().versionsOfProject(s.project, "VIDEO"))).toEqual([elsewhere.id, v4.id, v2.id, v3.id, v1.id]);

    const page = await repo().versionPageOfScene(s.sceneId, undefined, { limit: 2, offset: 1 });
    expect(ids(page.rows)).toEqual([v2.id, v3.id]);
    expect(page.total).toBe(5);
    const videos = await repo().versionPageOfScene(s.sceneId, "VIDEO", { limit: 10, offset: 3 });
    expect(ids(videos.rows)).toEqual([v1.id]);
    expect(videos.total).toBe(4);
    expect(await repo().versionPageOfScene("no-such-scene", undefined, { limit: 10, offset: 0 })).toEqual({
      rows: [],
      total: 0,
    });
  });

  it("picks a scene's selected video, else its newest, else nothing", async () => {
    const s = await seed(["S01", "S02"]);
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    expect(await repo().pickedVideoOfScene(s.sceneId)).toBeUndefined();
    await file(at, { assetType: "IMAGE" });
    expect(await repo().pickedVideoOfScene(s.sceneId)).toBeUndefined();
    const older = await file(at, { selected: 1, status: "SELECTED" });
    const newer = await file(at);
    expect((await repo().pickedVideoOfScene(s.sceneId))!.id).toBe(older.id);
    await repo().unselectSiblings(s.sceneId, "VIDEO");
    expect((await repo().pickedVideoOfScene(s.sceneId))!.id).toBe(newer.id);
  });

  it("files a held version: new platform, next number, media link, project touched", async () => {
    const s = await seed();
    const other = await seed();
    const mediaId = uid("media");
    await backend().exec(
      `insert into media (id, project_id, origin) values ('${mediaId}', '${s.project}', 'generated')`,
    );
    const held = (over: Partial<FiledVersion> = {}) => ({
      id: newTimeOrderedId("asset"),
      shotId: null,
      assetType: "IMAGE",
      prompt: "key art",
      negativePrompt: null,
      title: null,
      modelName: "imagen",
      outputUrl: null,
      thumbnailUrl: null,
      sourceUrl: null,
      status: "GENERATED",
      selected: 0,
      rightsState: "UNKNOWN",
      metadata: null,
      tags: '["generated"]',
      notes: null,
      externalAssetId: null,
      promptPackageId: null,
      compareGroup: null,
      parentVersionId: null,
      provenance: null,
      platformLabel: null,
      costEstimateUsd: null,
      generationSeconds: null,
      queueWaitSeconds: null,
      mirrorStatus: "none",
      bodySha256: null,
      createdBy: s.user,
      createdAt: tick(),
      ...over,
    });
    const slug = uid("imagen");
    const first = await repo().insertHeldVersion({
      sceneId: s.sceneId,
      projectId: s.project,
      platform: { slug, label: " Imagen " },
      mediaId,
      version: held(),
    });
    expect(first).toMatchObject({ versionNumber: 1, sceneCode: "S01", platformKey: slug });
    const row = (await repo().assetById(first!.id))!;
    expect(row).toMatchObject({ mediaId, tags: ["generated"], assetType: "IMAGE", versionNumber: 1 });
    const second = await repo().insertHeldVersion({
      sceneId: s.sceneId,
      projectId: s.project,
      platform: { slug, label: "Imagen" },
      mediaId,
      version: held(),
    });
    expect(second!.versionNumber).toBe(2);
    expect((await repo().assetById(second!.id))!.platformId).toBe(row.platformId);
    expect((await repo().sceneSummaryRows(s.project)).counts).toEqual([
      { sceneId: s.sceneId, assetType: "IMAGE", n: 2 },
    ]);
    // The project was touched (seeded with a 2020 updated_at): a marker scene is filed only if so.
    const marker = uid("scene");
    await backend().exec(
      `insert into scenes (id, project_id, scene_code) select '${marker}', id, 'ZZ' from projects
       where id = '${s.project}' and updated_at > '2021'`,
    );
    expect((await repo().sceneSummaryRows(s.project)).sceneIds).toEqual([s.sceneId, marker]);

    // A scene of another project: nothing filed.
    const version = held();
    expect(
      await repo().insertHeldVersion({
        sceneId: other.sceneId,
        projectId: s.project,
        platform: { slug, label: "Imagen" },
        mediaId,
        version,
      }),
    ).toBeUndefined();
    expect(await repo().versionExists(String(version.id))).toBe(false);
  });

  it("rolls a held version back entirely when a step fails (an unknown media file)", async () => {
    const s = await seed();
    const version = {
      ...filed({ project: s.project, sceneId: s.sceneId, platformId: "unused" }),
      assetType: "IMAGE",
    };
    const { sceneId: _s, projectId: _p, platformId: _pl, ...rest } = version;
    await expect(
      repo().insertHeldVersion({
        sceneId: s.sceneId,
        projectId: s.project,
        platform: { slug: uid("fresh"), label: "Fresh" },
        mediaId: "media_missing",
        version: rest,
      }),
    ).rejects.toThrow();
    expect(await repo().versionExists(String(version.id))).toBe(false);
    // The number was not used either.
    const next = await file({ project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! });
    expect(next.versionNumber).toBe(1);
  });

  it("numbers 10 concurrent held versions of a new platform 1 to 10, on one platform", async () => {
    const s = await seed();
    const mediaId = uid("media");
    await backend().exec(
      `insert into media (id, project_id, origin) values ('${mediaId}', '${s.project}', 'generated')`,
    );
    const slug = uid("burst");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => {
        const {
          sceneId: _s,
          projectId: _p,
          platformId: _pl,
          ...version
        } = filed({ project: s.project, sceneId: s.sceneId, platformId: "unused" }, { assetType: "IMAGE" });
        return repo().insertHeldVersion({
          sceneId: s.sceneId,
          projectId: s.project,
          platform: { slug, label: "Burst" },
          mediaId,
          version,
        });
      }),
    );
    expect(results.map((r) => r!.versionNumber).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    const rows = await repo().versionsOfScene(s.sceneId, "IMAGE", 100);
    expect(new Set(rows.map((r) => r.platformId)).size).toBe(1);
  });

  it("summarises a project's scenes: ids by code, counts by scene and type, selected takes with thumbnails", async () => {
    const s = await seed(["S02", "S01", "S03"]);
    const [s02, s01] = s.sceneIds as [string, string, string];
    const thumb = uid("media");
    await backend().exec(
      `insert into media (id, project_id, origin, kind, width) values ('${thumb}', '${s.project}', 'mirror', 'image', 640)`,
    );
    const at = { project: s.project, sceneId: s01, platformId: s.platforms[0]! };
    await file(at);
    const picked = await file(at, { selected: 1, status: "SELECTED", outputUrl: "https://cdn.test/a.mp4" });
    const image = await file({ ...at, sceneId: s02 }, { assetType: "IMAGE", selected: 1, status: "SELECTED" });
    await repo().setVersionMirror(picked.id, { mediaId: null, thumbnailMediaId: thumb });

    const summary = await repo().sceneSummaryRows(s.project);
    expect(summary.sceneIds).toEqual([s01, s02, s.sceneIds[2]]);
    expect(summary.counts).toEqual(
      [
        { sceneId: s01, assetType: "VIDEO", n: 2 },
        { sceneId: s02, assetType: "IMAGE", n: 1 },
      ].sort((a, b) => (a.sceneId < b.sceneId ? -1 : 1)),
    );
    // The selected takes come in no promised order.
    expect(summary.selected).toHaveLength(2);
    expect(summary.selected).toEqual(
      expect.arrayContaining([
        {
          id: picked.id,
          sceneId: s01,
          assetType: "VIDEO",
          thumbnailUrl: null,
          outputUrl: "https://cdn.test/a.mp4",
          thumb: expect.objectContaining({ id: thumb, kind: "image", width: 640, origin: "mirror" }),
        },
        { id: image.id, sceneId: s02, assetType: "IMAGE", thumbnailUrl: null, outputUrl: null, thumb: null },
      ]),
    );
    expect(await repo().sceneSummaryRows("no-such-project")).toEqual({ sceneIds: [], counts: [], selected: [] });
  });

  it("records mirror outcomes, keeping what an outcome leaves out, and fails only a pending mirror", async () => {
    const s = await seed();
    const media = uid("media");
    await backend().exec(`insert into media (id, project_id, origin) values ('${media}', '${s.project}', 'mirror')`);
    const at = { project: s.project, sceneId: s.sceneId, platformId: s.platforms[0]! };
    const v = await file(at, { mirrorStatus: "pending", outputUrl: "https://cdn.test/v.mp4" });

    await repo().setVersionMirror(v.id, { mediaId: media, thumbnailMediaId: null, mirrorError: "thumbnail missing" });
    expect(await repo().versionForMirror(v.id)).toMatchObject({
      mediaId: media,
      thumbnailMediaId: null,
      mirrorStatus: "pending",
      mirrorError: "thumbnail missing",
    });
    await repo().setVersionMirror(v.id, { mediaId: media, thumbnailMediaId: null, mirrorStatus: "mirrored" });
    expect(await repo().versionForMirror(v.id)).toMatchObject({
      mirrorStatus: "mirrored",
      mirrorError: "thumbnail missing",
    });
    expect(await repo().failPendingMirror(v.id, "too late")).toBeUndefined();
    await repo().setVersionMirror(v.id, {
      mediaId: null,
      thumbnailMediaId: null,
      mirrorStatus: "pending",
      mirrorError: null,
    });
    expect(await repo().versionForMirror(v.id)).toMatchObject({ mediaId: null, mirrorError: null });

    expect(await repo().failPendingMirror(v.id, "gave up")).toEqual({ projectId: s.project });
    expect(await repo().assetById(v.id)).toMatchObject({ mirrorStatus: "failed", mirrorError: "gave up" });
    expect(await repo().failPendingMirror(v.id, "again")).toBeUndefined();
    expect(await repo().failPendingMirror("asset_missing", "nothing")).toBeUndefined();
  });
});
