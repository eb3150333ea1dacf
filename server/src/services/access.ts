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

export function requireSceneById(
  db: Db,
  auth: AuthContext,
  sceneDbId: string,
): { scene: SceneRow; project: ProjectRow } {
  const scene = sceneById(db, sceneDbId);
  const project = scene && findProject(db, auth, scene.projectId);
  if (!scene || !project) throw notFound("Scene");
  return { scene, project };
}

export function requireSceneByCode(db: Db, projectId: string, sceneCode: string): SceneRow {
  const scene = sceneByCode(db, projectId, sceneCode.toUpperCase());
  if (!scene) throw notFound("Scene");
  return scene;
}

export function requireAsset(db: Db, auth: AuthContext, assetId: string): AssetRow {
  const asset = assetById(db, assetId);
  if (!asset || !findProject(db, auth, asset.projectId)) throw notFound("Asset");
  return asset;
}
