// Scenes and shots on PostgreSQL. What SQLite's single writer gave for free, with several processes writing:
// - A new scene or shot numbered "last sort order + 1" (saveScene/saveShot with onExisting "conflict") first
//   locks its parent row (the project, resp. the scene) `for no key update` in its own transaction: creations
//   under one parent take turns, and each reads max(sort_order) after the previous one committed, so concurrent
//   creations get distinct, consecutive numbers. `no key update` still lets others insert rows that reference
//   the parent (foreign key checks take `key share`); the scene lock is the one ingest takes before numbering a
//   version (versionNumbers.ts), so shot creation and ingest into one scene queue in one order.
// - "409 when the code is taken" is `insert … on conflict do nothing`, then a look for the row that has the code:
//   two creations of one code never reach the unique index's raw error, whichever process they run in.
// - A scene plan's upserts are `on conflict do update` (atomic); pruning shots locks the scene first, so no
//   ingest can attach a version to a shot between "which shots are used" and the delete.
import { and, asc, eq, inArray, ne, notInArray, sql } from "drizzle-orm";
import { projects, scenes, shots } from "../../db/pg/schema.js";
import { conflict } from "../../errors.js";
import { newId, nowIso } from "../../ids.js";
import type { OnExisting, PlannedScene, SceneRow, ShotRow } from "../scenes.js";
import { bytewise, type PgConn } from "./conn.js";
import { setProjectDocument } from "./projects.js";

type SceneFields = Partial<Omit<typeof scenes.$inferInsert, "id" | "projectId" | "sceneCode">>;
type ShotFields = Partial<Omit<typeof shots.$inferInsert, "id" | "sceneId" | "shotCode">>;

const C = sql.identifier(bytewise);

export async function sceneById(db: PgConn, sceneDbId: string): Promise<SceneRow | undefined> {
  const [row] = await db.select().from(scenes).where(eq(scenes.id, sceneDbId));
  return row;
}

export async function sceneByCode(db: PgConn, projectId: string, sceneCode: string): Promise<SceneRow | undefined> {
  const [row] = await db
    .select()
    .from(scenes)
    .where(and(eq(scenes.projectId, projectId), eq(scenes.sceneCode, sceneCode)));
  return row;
}

/** The id of the project's scene with this code (ingest's hot path: only the id). */
export async function sceneIdByCode(db: PgConn, projectId: string, sceneCode: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: scenes.id })
    .from(scenes)
    .where(and(eq(scenes.projectId, projectId), eq(scenes.sceneCode, sceneCode)));
  return row?.id;
}

/** The project's scenes in the one scene order: sort order, then code (bytewise, as SQLite), then creation. */
export async function scenesOfProject(db: PgConn, projectId: string): Promise<SceneRow[]> {
  return db
    .select()
    .from(scenes)
    .where(eq(scenes.projectId, projectId))
    .orderBy(asc(scenes.sortOrder), sql`${scenes.sceneCode} collate ${C}`, asc(scenes.createdAt));
}

export async function shotsOfScene(db: PgConn, sceneDbId: string): Promise<ShotRow[]> {
  return db
    .select()
    .from(shots)
    .where(eq(shots.sceneId, sceneDbId))
    .orderBy(asc(shots.sortOrder), sql`${shots.shotCode} collate ${C}`);
}

export async function shotInScene(db: PgConn, shotId: string, sceneDbId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: shots.id })
    .from(shots)
    .where(and(eq(shots.id, shotId), eq(shots.sceneId, sceneDbId)));
  return !!row;
}

/**
 * The next sort order under the parent. Only a reading: exact under concurrency inside a transaction that
 * holds the parent's lock (lockParent), as saveScene and saveShot do.
 */
export async function nextSortOrder(db: PgConn, table: "scenes" | "shots", parentId: string): Promise<number> {
  const [row] =
    table === "scenes"
      ? await db
          .select({ n: sql<number>`coalesce(max(${scenes.sortOrder}), 0) + 1` })
          .from(scenes)
          .where(eq(scenes.projectId, parentId))
      : await db
          .select({ n: sql<number>`coalesce(max(${shots.sortOrder}), 0) + 1` })
          .from(shots)
          .where(eq(shots.sceneId, parentId));
  return Number(row?.n ?? 1);
}

/** Locks the parent row until the transaction ends (see the top of the file); a missing parent locks nothing. */
async function lockParent(tx: PgConn, table: "scenes" | "shots", parentId: string): Promise<void> {
  if (table === "scenes") {
    await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, parentId)).for("no key update");
  } else {
    await tx.select({ id: scenes.id }).from(scenes).where(eq(scenes.id, parentId)).for("no key update");
  }
}

/** The one scene creator (project routes and scene plans): codes are unique in a project. */
export async function saveScene(
  db: PgConn,
  projectId: string,
  sceneCode: string,
  fields: SceneFields,
  onExisting: OnExisting,
): Promise<SceneRow> {
  const values = { id: newId("scene"), projectId, sceneCode, ...fields };
  if (onExisting === "update") {
    const [row] = await db
      .insert(scenes)
      .values(values)
      .onConflictDoUpdate({ target: [scenes.projectId, scenes.sceneCode], set: fields })
      .returning();
    return row!;
  }
  return db.transaction(async (tx) => {
    if (fields.sortOrder === undefined) await lockParent(tx, "scenes", projectId);
    const [row] = await tx
      .insert(scenes)
      .values({ ...values, sortOrder: fields.sortOrder ?? (await nextSortOrder(tx, "scenes", projectId)) })
      .onConflictDoNothing({ target: [scenes.projectId, scenes.sceneCode] })
      .returning();
    if (row) return row;
    const taken = await sceneByCode(tx, projectId, sceneCode);
    throw conflict(`Scene ${sceneCode} already exists`, { sceneDbId: taken?.id });
  });
}

/** The one shot creator (scene routes and scene plans): codes are unique in a scene. */
export async function saveShot(
  db: PgConn,
  sceneDbId: string,
  shotCode: string,
  fields: ShotFields,
  onExisting: OnExisting,
): Promise<ShotRow> {
  const values = { id: newId("shot"), sceneId: sceneDbId, shotCode, ...fields };
  if (onExisting === "update") {
    const [row] = await db
      .insert(shots)
      .values(values)
      .onConflictDoUpdate({ target: [shots.sceneId, shots.shotCode], set: fields })
      .returning();
    return row!;
  }
  return db.transaction(async (tx) => {
    if (fields.sortOrder === undefined) await lockParent(tx, "shots", sceneDbId);
    const [row] = await tx
      .insert(shots)
      .values({ ...values, sortOrder: fields.sortOrder ?? (await nextSortOrder(tx, "shots", sceneDbId)) })
      .onConflictDoNothing({ target: [shots.sceneId, shots.shotCode] })
      .returning();
    if (row) return row;
    const [taken] = await tx
      .select({ id: shots.id })
      .from(shots)
      .where(and(eq(shots.sceneId, sceneDbId), eq(shots.shotCode, shotCode)));
    throw conflict(`Shot ${shotCode} already exists in this scene`, { shotId: taken?.id });
  });
}

/**
 * Updates a scene; a new code must stay unique in the project (409 naming the scene that has it). A rename
 * locks the project row first (as scene creation does), so the check and the update are not raced by another
 * creation or rename of that code in the project.
 */
export async function updateScene(
  db: PgConn,
  scene: SceneRow,
  set: SceneFields & { sceneCode?: string },
): Promise<SceneRow> {
  const write = async (tx: PgConn) => {
    const [row] = await tx
      .update(scenes)
      .set({ ...set, updatedAt: nowIso() })
      .where(eq(scenes.id, scene.id))
      .returning();
    return row!;
  };
  if (!set.sceneCode || set.sceneCode === scene.sceneCode) return write(db);
  const sceneCode = set.sceneCode;
  return db.transaction(async (tx) => {
    await lockParent(tx, "scenes", scene.projectId);
    const [taken] = await tx
      .select({ id: scenes.id })
      .from(scenes)
      .where(and(eq(scenes.projectId, scene.projectId), eq(scenes.sceneCode, sceneCode), ne(scenes.id, scene.id)));
    if (taken) throw conflict(`Scene ${sceneCode} already exists`, { sceneDbId: taken.id });
    return write(tx);
  });
}

export async function deleteScene(db: PgConn, sceneDbId: string): Promise<void> {
  await db.delete(scenes).where(eq(scenes.id, sceneDbId));
}

/**
 * Removes the scene's shots not in `keepCodes`, except shots a version of the scene still points at. Locks the
 * scene first (the lock ingest takes before filing a version), then deletes in one statement.
 */
export async function pruneShots(db: PgConn, sceneDbId: string, keepCodes: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await lockParent(tx, "shots", sceneDbId);
    await tx
      .delete(shots)
      .where(
        and(
          eq(shots.sceneId, sceneDbId),
          notInArray(shots.shotCode, keepCodes),
          sql`not exists (select 1 from asset_versions av where av.scene_id = ${sceneDbId} and av.shot_id = ${shots.id})`,
        ),
      );
  });
}

/**
 * Writes a scene plan into the project in one transaction: the plan document, scenes upserted by code (scenes
 * the plan does not name are left alone), shots upserted by code in plan order, and shots the plan no longer
 * has removed unless a version was captured for them. False when the project no longer exists (nothing written).
 * Lock order: the project row (the document's update), each scene row (its upsert takes the row lock a
 * `for no key update` would), then its shots: the order ingest and shot creation use, so they queue, not deadlock.
 */
export async function writeScenePlan(
  db: PgConn,
  projectId: string,
  document: Record<string, unknown>,
  planned: PlannedScene[],
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await setProjectDocument(tx, projectId, { scenePlan: document }))) return false;
    for (const s of planned) {
      const scene = await saveScene(tx, projectId, s.sceneCode, s.fields, "update");
      for (const [k, shot] of s.shots.entries()) {
        await saveShot(tx, scene.id, shot.shotCode, { description: shot.description, sortOrder: k + 1 }, "update");
      }
      await pruneShots(
        tx,
        scene.id,
        s.shots.map((shot) => shot.shotCode),
      );
    }
    return true;
  });
}

/** Scene codes by scene id. */
export async function sceneCodes(db: PgConn, sceneIds: string[]): Promise<Map<string, string>> {
  const rows = sceneIds.length
    ? await db.select({ id: scenes.id, code: scenes.sceneCode }).from(scenes).where(inArray(scenes.id, sceneIds))
    : [];
  return new Map(rows.map((s) => [s.id, s.code]));
}

/** Shots of several scenes, in order within each scene. */
export async function shotsOfScenes(db: PgConn, sceneDbIds: string[]): Promise<ShotRow[]> {
  return sceneDbIds.length
    ? db
        .select()
        .from(shots)
        .where(inArray(shots.sceneId, sceneDbIds))
        .orderBy(asc(shots.sortOrder), sql`${shots.shotCode} collate ${C}`)
    : [];
}
