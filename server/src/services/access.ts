import type { AuthContext } from "../auth/authenticate.js";
import type { Db } from "../db/client.js";
import { notFound } from "../errors.js";
import { type AssetRow, assetById } from "../repositories/assetVersions.js";
import { type ProjectRow, visibleProject } from "../repositories/projects.js";
import { type SceneRow, sceneByCode, sceneById } from "../repositories/scenes.js";

export type { AssetRow } from "../repositories/assetVersions.js";
export type { ProjectRow } from "../repositories/projects.js";
export type { SceneRow, ShotRow } from "../repositories/scenes.js";

/** A project in a workspace the user belongs to; any other id answers 404, as if it did not exist. */
export function findProject(db: Db, auth: AuthContext, projectId: string): ProjectRow | undefined {
  return visibleProject(db, auth.user.id, projectId);
}

export function requireProject(db: Db, auth: AuthContext, projectId: string): ProjectRow {
  const project = findProject(db, auth, projectId);
  if (!project) throw notFound("Project");
  return project;
}

/** A row of a project the user can see, with that project; a missing row or another user's answers 404. */
export function requireVisible<R extends { projectId: string }>(
  db: Db,
  auth: AuthContext,
  row: R | undefined,
  what: string,
): { row: R; project: ProjectRow } {
  const project = row && findProject(db, auth, row.projectId);
  if (!row || !project) throw notFound(what);
  return { row, project };
}

export function requireSceneById(
  db: Db,
  auth: AuthContext,
  sceneDbId: string,
): { scene: SceneRow; project: ProjectRow } {
  const { row: scene, project } = requireVisible(db, auth, sceneById(db, sceneDbId), "Scene");
  return { scene, project };
}

export function requireSceneByCode(db: Db, projectId: string, sceneCode: string): SceneRow {
  const scene = sceneByCode(db, projectId, sceneCode.toUpperCase());
  if (!scene) throw notFound("Scene");
  return scene;
}

export function requireAsset(db: Db, auth: AuthContext, assetId: string): AssetRow {
  return requireVisible(db, auth, assetById(db, assetId), "Asset").row;
}
