import type { AuthContext } from "../auth/authenticate.js";
import { notFound } from "../errors.js";
import type { AssetRow } from "../repositories/assetVersions.js";
import type { Repos } from "../repositories/index.js";
import type { ProjectRow } from "../repositories/projects.js";
import type { SceneRow } from "../repositories/scenes.js";

export type { AssetRow } from "../repositories/assetVersions.js";
export type { ProjectRow } from "../repositories/projects.js";
export type { SceneRow, ShotRow } from "../repositories/scenes.js";

/** A project in a workspace the user belongs to; any other id answers 404, as if it did not exist. */
export async function findProject(repos: Repos, auth: AuthContext, projectId: string): Promise<ProjectRow | undefined> {
  return await repos.projects.visibleProject(auth.user.id, projectId);
}

export async function requireProject(repos: Repos, auth: AuthContext, projectId: string): Promise<ProjectRow> {
  const project = await findProject(repos, auth, projectId);
  if (!project) throw notFound("Project");
  return project;
}

/** A row of a project the user can see, with that project; a missing row or another user's answers 404. */
export async function requireVisible<R extends { projectId: string }>(
  repos: Repos,
  auth: AuthContext,
  row: R | undefined,
  what: string,
): Promise<{ row: R; project: ProjectRow }> {
  const project = row && (await findProject(repos, auth, row.projectId));
  if (!row || !project) throw notFound(what);
  return { row, project };
}

export async function requireSceneById(
  repos: Repos,
  auth: AuthContext,
  sceneDbId: string,
): Promise<{ scene: SceneRow; project: ProjectRow }> {
  const { row: scene, project } = await requireVisible(repos, auth, await repos.scenes.sceneById(sceneDbId), "Scene");
  return { scene, project };
}

export async function requireSceneByCode(repos: Repos, projectId: string, sceneCode: string): Promise<SceneRow> {
  const scene = await repos.scenes.sceneByCode(projectId, sceneCode.toUpperCase());
  if (!scene) throw notFound("Scene");
  return scene;
}

export async function requireAsset(repos: Repos, auth: AuthContext, assetId: string): Promise<AssetRow> {
  return (await requireVisible(repos, auth, await repos.assetVersions.assetById(assetId), "Asset")).row;
}
