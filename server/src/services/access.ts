import { and, eq, inArray } from "drizzle-orm";
import type { AuthContext } from "../auth/authenticate.js";
import type { Db } from "../db/client.js";
import { assetVersions, projects, scenes, shots, workspaceMembers } from "../db/schema.js";
import { notFound } from "../errors.js";

export type ProjectRow = typeof projects.$inferSelect;
export type SceneRow = typeof scenes.$inferSelect;
export type ShotRow = typeof shots.$inferSelect;
export type AssetRow = typeof assetVersions.$inferSelect;

/** Workspaces the user belongs to: an id outside them answers 404, as if it did not exist. */
function memberWorkspaces(db: Db, userId: string) {
  return db.select({ id: workspaceMembers.workspaceId }).from(workspaceMembers).where(eq(workspaceMembers.userId, userId));
}

export function findProject(db: Db, auth: AuthContext, projectId: string): ProjectRow | undefined {
  return db
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), inArray(projects.workspaceId, memberWorkspaces(db, auth.user.id))))
    .get();
}

export function requireProject(db: Db, auth: AuthContext, projectId: string): ProjectRow {
  const project = findProject(db, auth, projectId);
  if (!project) throw notFound("Project");
  return project;
}

export function requireSceneById(db: Db, auth: AuthContext, sceneDbId: string): { scene: SceneRow; project: ProjectRow } {
  const scene = db.select().from(scenes).where(eq(scenes.id, sceneDbId)).get();
  const project = scene && findProject(db, auth, scene.projectId);
  if (!scene || !project) throw notFound("Scene");
  return { scene, project };
}

export function requireSceneByCode(db: Db, projectId: string, sceneCode: string): SceneRow {
  const scene = db
    .select()
    .from(scenes)
    .where(and(eq(scenes.projectId, projectId), eq(scenes.sceneCode, sceneCode.toUpperCase())))
    .get();
  if (!scene) throw notFound("Scene");
  return scene;
}

export function requireAsset(db: Db, auth: AuthContext, assetId: string): AssetRow {
  const asset = db.select().from(assetVersions).where(eq(assetVersions.id, assetId)).get();
  if (!asset || !findProject(db, auth, asset.projectId)) throw notFound("Asset");
  return asset;
}
