import { and, eq, sql } from "drizzle-orm";
import type { AuthContext } from "../auth/authenticate.js";
import type { Db } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { assetVersions, projects, scenes, type shots, workspaceMembers } from "../db/schema.js";
import { notFound } from "../errors.js";

export type ProjectRow = typeof projects.$inferSelect;
export type SceneRow = typeof scenes.$inferSelect;
export type ShotRow = typeof shots.$inferSelect;
export type AssetRow = typeof assetVersions.$inferSelect;

/** A project in a workspace the user belongs to; any other id answers 404, as if it did not exist. */
export function findProject(db: Db, auth: AuthContext, projectId: string): ProjectRow | undefined {
  return prepared(db, "access.project", () =>
    db
      .select({ project: projects })
      .from(projects)
      .innerJoin(
        workspaceMembers,
        and(
          eq(workspaceMembers.workspaceId, projects.workspaceId),
          eq(workspaceMembers.userId, sql.placeholder("userId")),
        ),
      )
      .where(eq(projects.id, sql.placeholder("projectId")))
      .prepare(),
  ).get({ userId: auth.user.id, projectId })?.project;
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
  const scene = db.select().from(scenes).where(eq(scenes.id, sceneDbId)).get();
  const project = scene && findProject(db, auth, scene.projectId);
  if (!scene || !project) throw notFound("Scene");
  return { scene, project };
}

export function requireSceneByCode(db: Db, projectId: string, sceneCode: string): SceneRow {
  const scene = prepared(db, "access.sceneByCode", () =>
    db
      .select()
      .from(scenes)
      .where(and(eq(scenes.projectId, sql.placeholder("projectId")), eq(scenes.sceneCode, sql.placeholder("code"))))
      .prepare(),
  ).get({ projectId, code: sceneCode.toUpperCase() });
  if (!scene) throw notFound("Scene");
  return scene;
}

export function requireAsset(db: Db, auth: AuthContext, assetId: string): AssetRow {
  const asset = db.select().from(assetVersions).where(eq(assetVersions.id, assetId)).get();
  if (!asset || !findProject(db, auth, asset.projectId)) throw notFound("Asset");
  return asset;
}
