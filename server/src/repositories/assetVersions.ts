import { and, count, desc, eq, sql } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { assetVersions, media, promptPackages, scenes } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";
import type { MediaRow } from "./media.js";
import { ensurePlatform } from "./platforms.js";
import { touchProject } from "./projects.js";
import { type FiledVersion, insertNumberedRow } from "./versionRows.js";

export type AssetRow = typeof assetVersions.$inferSelect;

export function assetById(db: Db, assetId: string): AssetRow | undefined {
  return db.select().from(assetVersions).where(eq(assetVersions.id, assetId)).get();
}

export function versionExists(db: Db, assetId: string): boolean {
  return !!prepared(db, "versions.exists", () =>
    (db as DbHandle).$client.prepare<[string], { id: string }>("select id from asset_versions where id = ?"),
  ).get(assetId);
}

export function versionInProject(db: Db, assetId: string, projectId: string): boolean {
  return !!db
    .select({ id: assetVersions.id })
    .from(assetVersions)
    .where(and(eq(assetVersions.id, assetId), eq(assetVersions.projectId, projectId)))
    .get();
}

/**
 * The take-selection rule, in one place: one selected version per scene and asset type. A selected version has
 * status SELECTED; a version that stops being selected (or is filed unselected with status SELECTED) becomes
 * GENERATED; any other status is kept.
 */
export function takeStatus<S extends string>(selected: boolean, status: S): S | "SELECTED" | "GENERATED" {
  return selected ? "SELECTED" : status === "SELECTED" ? "GENERATED" : status;
}

/** Unselects the other versions of the scene and asset type (their SELECTED status returns to GENERATED). */
export function unselectSiblings(db: Db, sceneId: string, assetType: string, exceptId?: string): void {
  db.update(assetVersions)
    .set({
      selected: false,
      status: sql`case when ${assetVersions.status} = 'SELECTED' then 'GENERATED' else ${assetVersions.status} end`,
      updatedAt: nowIso(),
    })
    .where(
      and(
        eq(assetVersions.sceneId, sceneId),
        eq(assetVersions.assetType, assetType),
        eq(assetVersions.selected, true),
        exceptId ? sql`${assetVersions.id} <> ${exceptId}` : undefined,
      ),
    )
    .run();
}

/** Selects or unselects a version (and/or sets its compare group), keeping one take per scene and type. */
export function updateTake(
  db: Db,
  asset: AssetRow,
  change: { selected?: boolean; compareGroup?: string | null },
): AssetRow {
  return db.transaction((tx) => {
    if (change.selected) unselectSiblings(tx, asset.sceneId, asset.assetType, asset.id);
    return tx
      .update(assetVersions)
      .set({
        ...(change.selected !== undefined && {
          selected: change.selected,
          status: takeStatus(change.selected, asset.status),
        }),
        ...(change.compareGroup !== undefined && { compareGroup: change.compareGroup }),
        updatedAt: nowIso(),
      })
      .where(eq(assetVersions.id, asset.id))
      .returning()
      .get()!;
  });
}

export type { FiledVersion } from "./versionRows.js";

/**
 * Inserts a version and takes the next number of (scene, asset type, platform) in the same statement, inside
 * the caller's immediate transaction (versionRows.ts).
 */
export function insertNumberedVersion(db: Db, version: FiledVersion): number {
  return insertNumberedRow(db, version).versionNumber;
}

export function promptPackageInProject(db: Db, id: string, projectId: string): boolean {
  return !!db
    .select({ id: promptPackages.id })
    .from(promptPackages)
    .where(and(eq(promptPackages.id, id), eq(promptPackages.projectId, projectId)))
    .get();
}

export function insertPromptPackage(db: Db, values: Omit<typeof promptPackages.$inferInsert, "id">): string {
  const id = newId("pp");
  db.insert(promptPackages)
    .values({ id, ...values })
    .run();
  return id;
}

/** Versions of a scene (optionally one asset type), newest first. */
export function versionsOfScene(db: Db, sceneId: string, assetType: string | undefined, limit: number): AssetRow[] {
  return db
    .select()
    .from(assetVersions)
    .where(and(eq(assetVersions.sceneId, sceneId), assetType ? eq(assetVersions.assetType, assetType) : undefined))
    .orderBy(desc(assetVersions.createdAt), desc(assetVersions.versionNumber))
    .limit(limit)
    .all();
}

/** The VIDEO version a scene contributes to an assembled timeline: the newest selected one, else the newest. */
export function pickedVideoOfScene(db: Db, sceneId: string): AssetRow | undefined {
  return db
    .select()
    .from(assetVersions)
    .where(and(eq(assetVersions.sceneId, sceneId), eq(assetVersions.assetType, "VIDEO")))
    .orderBy(desc(assetVersions.selected), desc(assetVersions.createdAt), desc(assetVersions.versionNumber))
    .limit(1)
    .get();
}

/** A project's versions of one asset type, newest first. */
export function versionsOfProject(db: Db, projectId: string, assetType: string): AssetRow[] {
  return db
    .select()
    .from(assetVersions)
    .where(and(eq(assetVersions.projectId, projectId), eq(assetVersions.assetType, assetType)))
    .orderBy(desc(assetVersions.createdAt), desc(assetVersions.versionNumber))
    .all();
}

/**
 * Files a version whose file the server already holds (a generated image): the next number of (scene, type,
 * platform) through `insertNumberedVersion`, the media link, and the project's touch, in one immediate
 * transaction. Answers undefined when the scene is no longer in the project.
 */
export function insertHeldVersion(
  db: Db,
  input: {
    sceneId: string;
    projectId: string;
    platform: { slug: string; label: string };
    mediaId: string;
    version: Omit<FiledVersion, "sceneId" | "projectId" | "platformId">;
  },
): { id: string; versionNumber: number; sceneCode: string; platformKey: string } | undefined {
  return db.transaction(
    (tx) => {
      const scene = tx
        .select({ id: scenes.id, code: scenes.sceneCode })
        .from(scenes)
        .where(and(eq(scenes.id, input.sceneId), eq(scenes.projectId, input.projectId)))
        .get();
      if (!scene) return undefined;
      const platform = ensurePlatform(tx, input.platform.slug, input.platform.label, String(input.version.assetType));
      const versionNumber = insertNumberedVersion(db, {
        ...input.version,
        sceneId: scene.id,
        projectId: input.projectId,
        platformId: platform.id,
      });
      const id = String(input.version.id);
      tx.update(assetVersions).set({ mediaId: input.mediaId }).where(eq(assetVersions.id, id)).run();
      touchProject(tx, input.projectId);
      return { id, versionNumber, sceneCode: scene.code, platformKey: platform.slug };
    },
    { behavior: "immediate" },
  );
}

/** The fields of a version the web app may change (PATCH /api/asset-version/{id}). */
export type VersionPatch = Partial<Pick<AssetRow, "selected" | "status" | "rightsState" | "notes" | "tags">>;

/**
 * Unit of work of a version edit: when it becomes selected, its siblings of the scene and asset type are
 * unselected first, in the same transaction, so a scene never has two selected takes of a type.
 */
export function patchVersion(db: Db, asset: AssetRow, set: VersionPatch): AssetRow {
  return db.transaction((tx) => {
    if (set.selected) unselectSiblings(tx, asset.sceneId, asset.assetType, asset.id);
    return tx
      .update(assetVersions)
      .set({ ...set, updatedAt: nowIso() })
      .where(eq(assetVersions.id, asset.id))
      .returning()
      .get()!;
  });
}

/** One page of a scene's versions (optionally one asset type), newest first, with the total count. */
export function versionPageOfScene(
  db: Db,
  sceneId: string,
  assetType: string | undefined,
  page: { limit: number; offset: number },
): { rows: AssetRow[]; total: number } {
  const where = and(eq(assetVersions.sceneId, sceneId), assetType ? eq(assetVersions.assetType, assetType) : undefined);
  const rows = db
    .select()
    .from(assetVersions)
    .where(where)
    .orderBy(desc(assetVersions.createdAt), desc(assetVersions.versionNumber))
    .limit(page.limit)
    .offset(page.offset)
    .all();
  const total = db.select({ n: count() }).from(assetVersions).where(where).get()?.n ?? 0;
  return { rows, total };
}

/** What the per-scene summaries of a project are built from: scene ids, version counts, selected takes. */
export interface SceneSummaryRows {
  sceneIds: string[];
  counts: { sceneId: string; assetType: string; n: number }[];
  selected: {
    id: string;
    sceneId: string;
    assetType: string;
    thumbnailUrl: string | null;
    outputUrl: string | null;
    thumb: MediaRow | null;
  }[];
}

/**
 * Scene ids by scene code and counts by (scene, asset type): the orders SQLite's index and grouping hand out,
 * spelled out so PostgreSQL gives the same.
 */
export function sceneSummaryRows(db: Db, projectId: string): SceneSummaryRows {
  const counts = db
    .select({ sceneId: assetVersions.sceneId, assetType: assetVersions.assetType, n: count() })
    .from(assetVersions)
    .where(eq(assetVersions.projectId, projectId))
    .groupBy(assetVersions.sceneId, assetVersions.assetType)
    .orderBy(assetVersions.sceneId, assetVersions.assetType)
    .all();
  const selected = db
    .select({
      id: assetVersions.id,
      sceneId: assetVersions.sceneId,
      assetType: assetVersions.assetType,
      thumbnailUrl: assetVersions.thumbnailUrl,
      outputUrl: assetVersions.outputUrl,
      thumb: media,
    })
    .from(assetVersions)
    .leftJoin(media, eq(media.id, assetVersions.thumbnailMediaId))
    .where(and(eq(assetVersions.projectId, projectId), eq(assetVersions.selected, true)))
    .all();
  const sceneIds = db
    .select({ id: scenes.id })
    .from(scenes)
    .where(eq(scenes.projectId, projectId))
    .orderBy(scenes.sceneCode)
    .all()
    .map((s) => s.id);
  return { sceneIds, counts, selected };
}

/** What a mirror job found for a version: its mirrored files and status (the original URLs are kept). */
export interface MirrorOutcome {
  mediaId: string | null;
  thumbnailMediaId: string | null;
  mirrorStatus?: AssetRow["mirrorStatus"];
  mirrorError?: string | null;
}

/** A version as its mirror job reads it (prepared: one per mirrored capture). */
export function versionForMirror(db: Db, assetId: string): AssetRow | undefined {
  return prepared(db, "versions.forMirror", () =>
    db
      .select()
      .from(assetVersions)
      .where(eq(assetVersions.id, sql.placeholder("id")))
      .prepare(),
  ).get({ id: assetId });
}

/** Records a mirror job's outcome; fields left out (status, error) keep their value. Prepared. */
export function setVersionMirror(db: Db, assetId: string, outcome: MirrorOutcome): void {
  prepared(db, "versions.setMirror", () =>
    (db as DbHandle).$client.prepare(
      `update asset_versions set media_id = @mediaId, thumbnail_media_id = @thumbnailMediaId,
         mirror_status = coalesce(@mirrorStatus, mirror_status),
         mirror_error = case when @keepError then mirror_error else @mirrorError end,
         updated_at = @now
       where id = @id`,
    ),
  ).run({
    id: assetId,
    mediaId: outcome.mediaId,
    thumbnailMediaId: outcome.thumbnailMediaId,
    mirrorStatus: outcome.mirrorStatus ?? null,
    keepError: outcome.mirrorError === undefined ? 1 : 0,
    mirrorError: outcome.mirrorError ?? null,
    now: nowIso(),
  });
}

/** Fails a version's mirror that is still pending; its project when it was, for the event. */
export function failPendingMirror(db: Db, assetId: string, message: string): { projectId: string } | undefined {
  return db
    .update(assetVersions)
    .set({ mirrorStatus: "failed", mirrorError: message, updatedAt: nowIso() })
    .where(and(eq(assetVersions.id, assetId), eq(assetVersions.mirrorStatus, "pending")))
    .returning({ projectId: assetVersions.projectId })
    .get();
}
