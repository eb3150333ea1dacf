import { and, asc, eq, inArray, ne, notInArray, sql } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { assetVersions, scenes, shots } from "../db/schema.js";
import { conflict } from "../errors.js";
import { newId, nowIso } from "../ids.js";
import { setProjectDocument } from "./projects.js";

export type SceneRow = typeof scenes.$inferSelect;
export type ShotRow = typeof shots.$inferSelect;
type SceneFields = Partial<Omit<typeof scenes.$inferInsert, "id" | "projectId" | "sceneCode">>;
type ShotFields = Partial<Omit<typeof shots.$inferInsert, "id" | "sceneId" | "shotCode">>;

/**
 * What happens when the code is already used: a user's create answers 409 naming the existing row; a scene plan
 * written over the project updates it in place (its versions stay attached).
 */
export type OnExisting = "conflict" | "update";

export function sceneById(db: Db, sceneDbId: string): SceneRow | undefined {
  return db.select().from(scenes).where(eq(scenes.id, sceneDbId)).get();
}

export function sceneByCode(db: Db, projectId: string, sceneCode: string): SceneRow | undefined {
  return prepared(db, "scenes.byCode", () =>
    db
      .select()
      .from(scenes)
      .where(and(eq(scenes.projectId, sql.placeholder("projectId")), eq(scenes.sceneCode, sql.placeholder("code"))))
      .prepare(),
  ).get({ projectId, code: sceneCode });
}

/**
 * The id of the project's scene with this code: ingest's hot path, one raw prepared statement (drizzle's
 * prepared `.get()` maps a whole row and cost ~4 µs more per capture).
 */
export function sceneIdByCode(db: Db, projectId: string, sceneCode: string): string | undefined {
  return prepared(db, "scenes.idByCode", () =>
    (db as DbHandle).$client.prepare<[string, string], { id: string }>(
      "select id from scenes where project_id = ? and scene_code = ?",
    ),
  ).get(projectId, sceneCode)?.id;
}

/** The project's scenes in the one scene order: sort order, then code, then creation. */
export function scenesOfProject(db: Db, projectId: string): SceneRow[] {
  return db
    .select()
    .from(scenes)
    .where(eq(scenes.projectId, projectId))
    .orderBy(asc(scenes.sortOrder), asc(scenes.sceneCode), asc(scenes.createdAt))
    .all();
}

export function shotsOfScene(db: Db, sceneDbId: string): ShotRow[] {
  return db
    .select()
    .from(shots)
    .where(eq(shots.sceneId, sceneDbId))
    .orderBy(asc(shots.sortOrder), asc(shots.shotCode))
    .all();
}

export function shotInScene(db: Db, shotId: string, sceneDbId: string): boolean {
  return !!db
    .select({ id: shots.id })
    .from(shots)
    .where(and(eq(shots.id, shotId), eq(shots.sceneId, sceneDbId)))
    .get();
}

export function nextSortOrder(db: Db, table: "scenes" | "shots", parentId: string): number {
  const row =
    table === "scenes"
      ? db
          .select({ n: sql<number>`coalesce(max(${scenes.sortOrder}), 0) + 1` })
          .from(scenes)
          .where(eq(scenes.projectId, parentId))
          .get()
      : db
          .select({ n: sql<number>`coalesce(max(${shots.sortOrder}), 0) + 1` })
          .from(shots)
          .where(eq(shots.sceneId, parentId))
          .get();
  return Number(row?.n ?? 1);
}

/** The one scene creator (project routes and scene plans): codes are unique in a project. */
export function saveScene(
  db: Db,
  projectId: string,
  sceneCode: string,
  fields: SceneFields,
  onExisting: OnExisting,
): SceneRow {
  const values = { id: newId("scene"), projectId, sceneCode, ...fields };
  if (onExisting === "update") {
    return db
      .insert(scenes)
      .values(values)
      .onConflictDoUpdate({ target: [scenes.projectId, scenes.sceneCode], set: fields })
      .returning()
      .get();
  }
  const taken = sceneByCode(db, projectId, sceneCode);
  if (taken) throw conflict(`Scene ${sceneCode} already exists`, { sceneDbId: taken.id });
  return db
    .insert(scenes)
    .values({ ...values, sortOrder: fields.sortOrder ?? nextSortOrder(db, "scenes", projectId) })
    .returning()
    .get();
}

/** The one shot creator (scene routes and scene plans): codes are unique in a scene. */
export function saveShot(
  db: Db,
  sceneDbId: string,
  shotCode: string,
  fields: ShotFields,
  onExisting: OnExisting,
): ShotRow {
  const values = { id: newId("shot"), sceneId: sceneDbId, shotCode, ...fields };
  if (onExisting === "update") {
    return db
      .insert(shots)
      .values(values)
      .onConflictDoUpdate({ target: [shots.sceneId, shots.shotCode], set: fields })
      .returning()
      .get();
  }
  const taken = db
    .select({ id: shots.id })
    .from(shots)
    .where(and(eq(shots.sceneId, sceneDbId), eq(shots.shotCode, shotCode)))
    .get();
  if (taken) throw conflict(`Shot ${shotCode} already exists in this scene`, { shotId: taken.id });
  return db
    .insert(shots)
    .values({ ...values, sortOrder: fields.sortOrder ?? nextSortOrder(db, "shots", sceneDbId) })
    .returning()
    .get();
}

/** Updates a scene; a new code must stay unique in the project (409 naming the scene that has it). */
export function updateScene(db: Db, scene: SceneRow, set: SceneFields & { sceneCode?: string }): SceneRow {
  if (set.sceneCode && set.sceneCode !== scene.sceneCode) {
    const taken = db
      .select({ id: scenes.id })
      .from(scenes)
      .where(and(eq(scenes.projectId, scene.projectId), eq(scenes.sceneCode, set.sceneCode), ne(scenes.id, scene.id)))
      .get();
    if (taken) throw conflict(`Scene ${set.sceneCode} already exists`, { sceneDbId: taken.id });
  }
  return db
    .update(scenes)
    .set({ ...set, updatedAt: nowIso() })
    .where(eq(scenes.id, scene.id))
    .returning()
    .get()!;
}

export function deleteScene(db: Db, sceneDbId: string): void {
  db.delete(scenes).where(eq(scenes.id, sceneDbId)).run();
}

/** Removes the scene's shots not in `keepCodes`, except shots a version still points at. */
export function pruneShots(db: Db, sceneDbId: string, keepCodes: string[]): void {
  const used = db
    .select({ id: assetVersions.shotId })
    .from(assetVersions)
    .where(eq(assetVersions.sceneId, sceneDbId))
    .all()
    .map((r) => r.id)
    .filter((id): id is string => !!id);
  db.delete(shots)
    .where(
      and(
        eq(shots.sceneId, sceneDbId),
        notInArray(shots.shotCode, keepCodes),
        used.length > 0 ? notInArray(shots.id, used) : undefined,
      ),
    )
    .run();
}

/** A scene of a plan as the project stores it: its fields and its shots in order. */
export interface PlannedScene {
  sceneCode: string;
  fields: SceneFields;
  shots: { shotCode: string; description: string | null }[];
}

/**
 * Writes a scene plan into the project in one transaction: the plan document, scenes upserted by code (scenes
 * the plan does not name are left alone), shots upserted by code in plan order, and shots the plan no longer
 * has removed unless a version was captured for them. False when the project no longer exists (nothing written).
 */
export function writeScenePlan(
  db: Db,
  projectId: string,
  document: Record<string, unknown>,
  planned: PlannedScene[],
): boolean {
  return db.transaction((tx) => {
    if (!setProjectDocument(tx, projectId, { scenePlan: document })) return false;
    for (const s of planned) {
      const scene = saveScene(tx, projectId, s.sceneCode, s.fields, "update");
      s.shots.forEach((shot, k) => {
        saveShot(tx, scene.id, shot.shotCode, { description: shot.description, sortOrder: k + 1 }, "update");
      });
      pruneShots(
        tx,
        scene.id,
        s.shots.map((shot) => shot.shotCode),
      );
    }
    return true;
  });
}

/** Scene codes by scene id. */
export function sceneCodes(db: Db, sceneIds: string[]): Map<string, string> {
  const rows = sceneIds.length
    ? db.select({ id: scenes.id, code: scenes.sceneCode }).from(scenes).where(inArray(scenes.id, sceneIds)).all()
    : [];
  return new Map(rows.map((s) => [s.id, s.code]));
}

/** Shots of several scenes, in order within each scene. */
export function shotsOfScenes(db: Db, sceneDbIds: string[]): ShotRow[] {
  return sceneDbIds.length
    ? db
        .select()
        .from(shots)
        .where(inArray(shots.sceneId, sceneDbIds))
        .orderBy(asc(shots.sortOrder), asc(shots.shotCode))
        .all()
    : [];
}
