/**
 * The units of work of repositories/media.ts, exports.ts and assetVersions.ts' held versions on a real SQLite
 * file with the migrations: each commits everything or nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, schema } from "../../src/db/client.js";
import { newId } from "../../src/ids.js";
import { assetById, insertHeldVersion } from "../../src/repositories/assetVersions.js";
import { exportById, exportsOfProject, insertExport, linkExportFile } from "../../src/repositories/exports.js";
import {
  activeSegments,
  activeSegmentsByProject,
  exportFilePaths,
  exportPathsOnTimelines,
  findMedia,
  forgetMediaAtPath,
  insertFirstSegment,
  insertMedia,
} from "../../src/repositories/media.js";
import { insertProject, projectById } from "../../src/repositories/projects.js";
import { createUser } from "../../src/repositories/users.js";
import { insertWorkspace } from "../../src/repositories/workspaces.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-repo-media-"));
const db = openDatabase(join(dir, "db.sqlite"));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

let projectId: string;
let userId: string;
beforeEach(() => {
  userId = createUser(db, { name: "Editor" }).id;
  const workspace = insertWorkspace(db, userId, "Studio", true);
  projectId = insertProject(db, { id: newId("proj"), workspaceId: workspace.id, ownerId: userId, name: "Film" }).id;
});

const video = (path: string, origin: "upload" | "export" = "upload") =>
  insertMedia(db, { id: newId("media"), projectId, origin, status: "ready", path, kind: "video", durationSec: 4 });

const job = (id: string, kind = "export", status: "pending" | "completed" = "pending") =>
  db.insert(schema.jobs).values({ id, kind, status, input: {}, projectId, userId }).run();
const exportJob = (id: string) => ({ id, kind: "export", input: {}, projectId, userId });

describe("media repository", () => {
  it("puts a first segment only on an empty timeline", () => {
    const a = video("media/a.mp4");
    const b = video("media/b.mp4");
    const first = insertFirstSegment(db, projectId, a.id, 4);
    expect(first).toMatchObject({ mediaId: a.id, startTs: 0, endTs: 4, orderIndex: 0, active: true });
    expect(insertFirstSegment(db, projectId, b.id, 4)).toBeUndefined();
    expect(activeSegments(db, projectId).map((s) => s.mediaId)).toEqual([a.id]);
    expect(
      activeSegmentsByProject(db)
        .get(projectId)
        ?.map((s) => s.id),
    ).toEqual([first?.id]);
  });

  it("forgets an evicted export's rows and unlinks its exports, or nothing when a row is still referenced", () => {
    const file = video("exports/x.mp4", "export");
    insertExport(db, { id: "exp_a", projectId, format: "mp4" }, exportJob("exp_a"));
    linkExportFile(db, "exp_a", { reuse: file });
    expect(exportFilePaths(db)).toContain("exports/x.mp4");
    forgetMediaAtPath(db, "exports/x.mp4");
    expect(findMedia(db, file.id)).toBeUndefined();
    expect(exportById(db, "exp_a")?.mediaId).toBeNull();

    // An export file used as a variant's source: the delete fails and the export keeps its link.
    const kept = video("exports/y.mp4", "export");
    const result = video("media/variant.mp4");
    insertExport(db, { id: "exp_b", projectId, format: "mp4" }, exportJob("exp_b"));
    linkExportFile(db, "exp_b", { reuse: kept });
    job("job_variant", "variant", "completed");
    db.insert(schema.variants)
      .values({
        id: newId("var"),
        jobId: "job_variant",
        projectId,
        mediaId: result.id,
        sourceMediaId: kept.id,
        prompt: "p",
        provider: "local",
        startTs: 0,
        endTs: 1,
        box: { x: 0, y: 0, width: 1, height: 1 },
      })
      .run();
    expect(() => forgetMediaAtPath(db, "exports/y.mp4")).toThrow();
    expect(findMedia(db, kept.id)).toBeDefined();
    expect(exportById(db, "exp_b")?.mediaId).toBe(kept.id);

    insertFirstSegment(db, projectId, kept.id, 4);
    expect(exportPathsOnTimelines(db).has("exports/y.mp4")).toBe(true);
  });
});

describe("exports repository", () => {
  it("writes an export row and its job together, or neither", () => {
    insertExport(db, { id: "exp_ok", projectId, format: "mp4" }, exportJob("exp_ok"));
    expect(exportById(db, "exp_ok")).toBeDefined();
    expect(db.select().from(schema.jobs).where(eq(schema.jobs.id, "exp_ok")).get()?.status).toBe("pending");
    // The job's id is taken: its insert fails, and the export is not written either.
    expect(() => insertExport(db, { id: "exp_bad", projectId, format: "mp4" }, exportJob("exp_ok"))).toThrow();
    expect(exportById(db, "exp_bad")).toBeUndefined();
    expect(exportsOfProject(db, projectId, 10).map((r) => r.export.id)).toEqual(["exp_ok"]);
  });

  it("links a finished export to a new media row in one transaction", () => {
    insertExport(db, { id: "exp_new", projectId, format: "mp4" }, exportJob("exp_new"));
    db.update(schema.jobs).set({ status: "completed" }).where(eq(schema.jobs.id, "exp_new")).run();
    const row = linkExportFile(db, "exp_new", {
      created: { id: newId("media"), projectId, origin: "export", status: "ready", path: "exports/n.mp4", bytes: 9 },
    });
    expect(exportById(db, "exp_new")?.mediaId).toBe(row.id);
    expect(exportsOfProject(db, projectId, 10)).toEqual([
      expect.objectContaining({ export: expect.objectContaining({ id: "exp_new" }), bytes: 9 }),
    ]);
  });
});

describe("held versions (generated images)", () => {
  const version = (id: string) => ({
    id,
    shotId: null,
    assetType: "IMAGE",
    prompt: "a lighthouse",
    negativePrompt: null,
    title: null,
    modelName: "m",
    outputUrl: null,
    thumbnailUrl: null,
    sourceUrl: null,
    status: "GENERATED",
    selected: 0,
    rightsState: "UNKNOWN",
    metadata: JSON.stringify({ width: 4 }),
    tags: "[]",
    notes: null,
    externalAssetId: null,
    promptPackageId: null,
    compareGroup: null,
    parentVersionId: null,
    provenance: null,
    platformLabel: null,
    costEstimateUsd: null,
    generationSeconds: 1,
    queueWaitSeconds: null,
    mirrorStatus: "mirrored",
    bodySha256: null,
    createdBy: null,
    createdAt: new Date().toISOString(),
  });

  it("numbers per scene and platform, links the media, and touches the project", () => {
    const sceneId = newId("scene");
    db.insert(schema.scenes).values({ id: sceneId, projectId, sceneCode: "S01" }).run();
    const image = insertMedia(db, { id: newId("media"), projectId, origin: "generated", path: "media/i.png" });
    const before = projectById(db, projectId)?.updatedAt;
    const platform = { slug: "dailies-local", label: "Dailies local draft" };
    const first = insertHeldVersion(db, {
      sceneId,
      projectId,
      platform,
      mediaId: image.id,
      version: version("asset_1"),
    });
    const second = insertHeldVersion(db, {
      sceneId,
      projectId,
      platform,
      mediaId: image.id,
      version: version("asset_2"),
    });
    expect([first?.versionNumber, second?.versionNumber]).toEqual([1, 2]);
    expect(first).toMatchObject({ sceneCode: "S01", platformKey: "dailies-local" });
    expect(assetById(db, "asset_2")).toMatchObject({
      mediaId: image.id,
      mirrorStatus: "mirrored",
      bodySha256: null,
      metadata: { width: 4 },
    });
    expect((projectById(db, projectId)?.updatedAt ?? "") >= (before ?? "")).toBe(true);

    const other = insertHeldVersion(db, {
      sceneId,
      projectId,
      platform: { slug: "flux", label: "FLUX" },
      mediaId: image.id,
      version: version("asset_3"),
    });
    expect(other?.versionNumber).toBe(1);
  });

  it("files nothing when the scene is not in the project", () => {
    const image = insertMedia(db, { id: newId("media"), projectId, origin: "generated", path: "media/j.png" });
    const filed = insertHeldVersion(db, {
      sceneId: "scene_gone",
      projectId,
      platform: { slug: "dailies-local", label: "Dailies local draft" },
      mediaId: image.id,
      version: version("asset_4"),
    });
    expect(filed).toBeUndefined();
    expect(assetById(db, "asset_4")).toBeUndefined();
  });
});
