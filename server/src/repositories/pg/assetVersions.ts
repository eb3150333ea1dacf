// The asset versions area on PostgreSQL (issue 15): the functions of ../assetVersions.ts, same arguments, same
// results. Where SQLite's single writer made a read-then-write correct, PostgreSQL's concurrent writers need a
// lock, always the same one: the scene's row (versionNumbers.ts, lockSceneForVersions). Numbering a version and
// changing a scene's selected take both queue on it, so they never interleave and never deadlock on each other.
import { and, asc, desc, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { assetVersions, media, projects, promptPackages, scenes } from "../../db/pg/schema.js";
import { newId, nowIso } from "../../ids.js";
import type { AssetRow, FiledVersion, MirrorOutcome, SceneSummaryRows, VersionPatch } from "../assetVersions.js";
import { takeStatus } from "../assetVersions.js";
import { ensurePlatform } from "./platforms.js";
import {
  insertNumberedVersion as insertNumberedRow,
  lockSceneForVersions,
  type NewPgVersion,
  type PgTx,
  SceneNotFoundError,
} from "./versionNumbers.js";

/** The database or a transaction on it: the helpers below run inside the units of work too. */
type PgQuery = PgDb | PgTx;

export async function assetById(db: PgDb, assetId: string): Promise<AssetRow | undefined> {
  const [row] = await db.select().from(assetVersions).where(eq(assetVersions.id, assetId));
  return row;
}

export async function versionExists(db: PgDb, assetId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: assetVersions.id })
    .from(assetVersions)
    .where(eq(assetVersions.id, assetId))
    .limit(1);
  return !!row;
}

export async function versionInProject(db: PgDb, assetId: string, projectId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: assetVersions.id })
    .from(assetVersions)
    .where(and(eq(assetVersions.id, assetId), eq(assetVersions.projectId, projectId)))
    .limit(1);
  return !!row;
}

async function unselectSiblingsIn(tx: PgQuery, sceneId: string, assetType: string, exceptId?: string): Promise<void> {
  await tx
    .update(assetVersions)
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
    );
}

/**
 * Takes the scene's lock before a take is selected. Two writers selecting different takes of one scene would
 * otherwise each unselect the siblings they can see (not the other's uncommitted choice) and both commit a
 * selected take. Once the lock is granted, the next statement (READ COMMITTED) sees the previous holder's choice.
 * A scene that is gone has no versions left to change: nothing to lock, the updates find no rows (as on SQLite).
 */
async function lockSceneIfThere(tx: PgTx, sceneId: string): Promise<void> {
  try {
    await lockSceneForVersions(tx, sceneId);
  } catch (error) {
    if (!(error instanceof SceneNotFoundError)) throw error;
  }
}

/** Unselects the other versions of the scene and asset type, under the scene's lock (see lockSceneIfThere). */
export async function unselectSiblings(db: PgDb, sceneId: string, assetType: string, exceptId?: string): Promise<void> {
  await db.transaction(async (tx) => {
    await lockSceneIfThere(tx, sceneId);
    await unselectSiblingsIn(tx, sceneId, assetType, exceptId);
  });
}

export async function updateTake(
  db: PgDb,
  asset: AssetRow,
  change: { selected?: boolean; compareGroup?: string | null },
): Promise<AssetRow> {
  return db.transaction(async (tx) => {
    if (change.selected) {
      await lockSceneIfThere(tx, asset.sceneId);
      await unselectSiblingsIn(tx, asset.sceneId, asset.assetType, asset.id);
    }
    const [row] = await tx
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
      .returning();
    return row!;
  });
}

const PG_COLUMNS = getTableColumns(assetVersions);

/**
 * A version filed in SQLite's values (0/1 flags, JSON as text) as the pg table takes it. JSON text is cast as is
 * (`json` keeps the text exactly, as SQLite does), so nothing is parsed and stringified again.
 */
function pgVersion(version: FiledVersion): NewPgVersion {
  const values: Record<string, unknown> = { updatedAt: version.createdAt };
  for (const [key, value] of Object.entries(version)) {
    const column = PG_COLUMNS[key as keyof typeof PG_COLUMNS];
    if (column?.columnType === "PgBoolean") values[key] = value === null ? null : !!Number(value);
    else if (column?.columnType === "PgJson" && typeof value === "string") values[key] = sql`${value}::json`;
    else values[key] = value;
  }
  return values as NewPgVersion;
}

async function fileNumbered(tx: PgTx, version: FiledVersion): Promise<number> {
  return (await insertNumberedRow(tx, pgVersion(version))).versionNumber;
}

/**
 * Inserts a version with the next number of (scene, asset type, platform): versionNumbers.ts locks the scene's
 * row, then inserts with max + 1, in one transaction, so concurrent ingests from any process never share or skip
 * a number. A scene that is gone throws SceneNotFoundError (SQLite: its foreign key error).
 */
export async function insertNumberedVersion(db: PgDb, version: FiledVersion): Promise<number> {
  return db.transaction((tx) => fileNumbered(tx, version));
}

export async function promptPackageInProject(db: PgDb, id: string, projectId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: promptPackages.id })
    .from(promptPackages)
    .where(and(eq(promptPackages.id, id), eq(promptPackages.projectId, projectId)))
    .limit(1);
  return !!row;
}

export async function insertPromptPackage(
  db: PgDb,
  values: Omit<typeof promptPackages.$inferInsert, "id">,
): Promise<string> {
  const id = newId("pp");
  await db.insert(promptPackages).values({ id, ...values });
  return id;
}

const newestFirst = [desc(assetVersions.createdAt), desc(assetVersions.versionNumber)];
const ofScene = (sceneId: string, assetType: string | undefined): SQL | undefined =>
  and(eq(assetVersions.sceneId, sceneId), assetType ? eq(assetVersions.assetType, assetType) : undefined);

export async function versionsOfScene(
  db: PgDb,
  sceneId: string,
  assetType: string | undefined,
  limit: number,
): Promise<AssetRow[]> {
  return db
    .select()
    .from(assetVersions)
    .where(ofScene(sceneId, assetType))
    .orderBy(...newestFirst)
    .limit(limit);
}

export async function pickedVideoOfScene(db: PgDb, sceneId: string): Promise<AssetRow | undefined> {
  const [row] = await db
    .select()
    .from(assetVersions)
    .where(and(eq(assetVersions.sceneId, sceneId), eq(assetVersions.assetType, "VIDEO")))
    .orderBy(desc(assetVersions.selected), ...newestFirst)
    .limit(1);
  return row;
}

export async function versionsOfProject(db: PgDb, projectId: string, assetType: string): Promise<AssetRow[]> {
  return db
    .select()
    .from(assetVersions)
    .where(and(eq(assetVersions.projectId, projectId), eq(assetVersions.assetType, assetType)))
    .orderBy(...newestFirst);
}

/**
 * Files a version whose file the server already holds, in one transaction: the scene's row is locked first
 * (for the number, and so a scene deleted meanwhile answers undefined instead of failing), then the platform,
 * the numbered insert with its media link, and the project's touch.
 */
export async function insertHeldVersion(
  db: PgDb,
  input: {
    sceneId: string;
    projectId: string;
    platform: { slug: string; label: string };
    mediaId: string;
    version: Omit<FiledVersion, "sceneId" | "projectId" | "platformId">;
  },
): Promise<{ id: string; versionNumber: number; sceneCode: string; platformKey: string } | undefined> {
  return db.transaction(async (tx) => {
    const [scene] = await tx
      .select({ id: scenes.id, code: scenes.sceneCode })
      .from(scenes)
      .where(and(eq(scenes.id, input.sceneId), eq(scenes.projectId, input.projectId)))
      .for("no key update");
    if (!scene) return undefined;
    const platform = await ensurePlatform(
      tx,
      input.platform.slug,
      input.platform.label,
      String(input.version.assetType),
    );
    const id = String(input.version.id);
    const versionNumber = await fileNumbered(tx, {
      ...input.version,
      sceneId: scene.id,
      projectId: input.projectId,
      platformId: platform.id,
    });
    await tx.update(assetVersions).set({ mediaId: input.mediaId }).where(eq(assetVersions.id, id));
    await tx.update(projects).set({ updatedAt: new Date().toISOString() }).where(eq(projects.id, input.projectId));
    return { id, versionNumber, sceneCode: scene.code, platformKey: platform.slug };
  });
}

/** A version edit; selecting it unselects its siblings first, under the scene's lock (see lockSceneIfThere). */
export async function patchVersion(db: PgDb, asset: AssetRow, set: VersionPatch): Promise<AssetRow> {
  return db.transaction(async (tx) => {
    if (set.selected) {
      await lockSceneIfThere(tx, asset.sceneId);
      await unselectSiblingsIn(tx, asset.sceneId, asset.assetType, asset.id);
    }
    const [row] = await tx
      .update(assetVersions)
      .set({ ...set, updatedAt: nowIso() })
      .where(eq(assetVersions.id, asset.id))
      .returning();
    return row!;
  });
}

export async function versionPageOfScene(
  db: PgDb,
  sceneId: string,
  assetType: string | undefined,
  page: { limit: number; offset: number },
): Promise<{ rows: AssetRow[]; total: number }> {
  const where = ofScene(sceneId, assetType);
  const [rows, [counted]] = await Promise.all([
    db
      .select()
      .from(assetVersions)
      .where(where)
      .orderBy(...newestFirst)
      .limit(page.limit)
      .offset(page.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(assetVersions).where(where),
  ]);
  return { rows, total: counted?.n ?? 0 };
}

/** Scene ids by scene code and counts by (scene, asset type), as SQLite's indexes hand them out. */
export async function sceneSummaryRows(db: PgDb, projectId: string): Promise<SceneSummaryRows> {
  const [counts, selected, sceneRows] = await Promise.all([
    db
      .select({
        sceneId: assetVersions.sceneId,
        assetType: assetVersions.assetType,
        n: sql<number>`count(*)::int`,
      })
      .from(assetVersions)
      .where(eq(assetVersions.projectId, projectId))
      .groupBy(assetVersions.sceneId, assetVersions.assetType)
      .orderBy(asc(assetVersions.sceneId), asc(assetVersions.assetType)),
    db
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
      .orderBy(asc(assetVersions.createdAt), asc(assetVersions.id)),
    db.select({ id: scenes.id }).from(scenes).where(eq(scenes.projectId, projectId)).orderBy(asc(scenes.sceneCode)),
  ]);
  return { sceneIds: sceneRows.map((s) => s.id), counts, selected };
}

export async function versionForMirror(db: PgDb, assetId: string): Promise<AssetRow | undefined> {
  return assetById(db, assetId);
}

/** Records a mirror job's outcome; fields left out (status, error) keep their value. */
export async function setVersionMirror(db: PgDb, assetId: string, outcome: MirrorOutcome): Promise<void> {
  await db
    .update(assetVersions)
    .set({
      mediaId: outcome.mediaId,
      thumbnailMediaId: outcome.thumbnailMediaId,
      ...(outcome.mirrorStatus !== undefined && { mirrorStatus: outcome.mirrorStatus }),
      ...(outcome.mirrorError !== undefined && { mirrorError: outcome.mirrorError }),
      updatedAt: nowIso(),
    })
    .where(eq(assetVersions.id, assetId));
}

/** Fails a version's mirror that is still pending (one atomic update: a mirror that finished first wins). */
export async function failPendingMirror(
  db: PgDb,
  assetId: string,
  message: string,
): Promise<{ projectId: string } | undefined> {
  const [row] = await db
    .update(assetVersions)
    .set({ mirrorStatus: "failed", mirrorError: message, updatedAt: nowIso() })
    .where(and(eq(assetVersions.id, assetId), eq(assetVersions.mirrorStatus, "pending")))
    .returning({ projectId: assetVersions.projectId });
  return row;
}
