// Rows of other areas the core areas' contract tests stand on, written as plain SQL valid in both dialects.
import { randomBytes } from "node:crypto";
import type { Backend } from "../../support/bothBackends.js";

/** An id no other test of the file uses (the file's tests share one database). */
export const uid = (prefix: string): string => `${prefix}_${randomBytes(6).toString("hex")}`;

/** A user with a workspace they are a member of; returns both ids. */
export async function seedMember(backend: Backend, name = "Ann"): Promise<{ userId: string; workspaceId: string }> {
  const userId = uid("user");
  const workspaceId = uid("ws");
  await backend.exec(`insert into users (id, name) values ('${userId}', '${name}')`);
  await backend.exec(`insert into workspaces (id, name, owner_id) values ('${workspaceId}', 'Studio', '${userId}')`);
  await backend.exec(
    `insert into workspace_members (workspace_id, user_id, role) values ('${workspaceId}', '${userId}', 'owner')`,
  );
  return { userId, workspaceId };
}

/** A project of a fresh member's workspace. */
export async function seedProject(
  backend: Backend,
  updatedAt = "2026-01-01T00:00:00.000Z",
): Promise<{ userId: string; workspaceId: string; projectId: string }> {
  const member = await seedMember(backend);
  const projectId = uid("proj");
  await backend.exec(
    `insert into projects (id, workspace_id, owner_id, name, updated_at) values ('${projectId}', '${member.workspaceId}', '${member.userId}', 'Film', '${updatedAt}')`,
  );
  return { ...member, projectId };
}

/** A scene of the project (code, sort order). */
export async function seedScene(backend: Backend, projectId: string, code = "S1", sortOrder = 1): Promise<string> {
  const sceneId = uid("scene");
  await backend.exec(
    `insert into scenes (id, project_id, scene_code, sort_order) values ('${sceneId}', '${projectId}', '${code}', ${sortOrder})`,
  );
  return sceneId;
}

/** A version of the scene (on a fresh platform), optionally attached to a shot. */
export async function seedVersion(
  backend: Backend,
  projectId: string,
  sceneId: string,
  shotId: string | null = null,
): Promise<string> {
  const platformId = uid("platform");
  const versionId = uid("av");
  await backend.exec(
    `insert into platforms (id, slug, name, provider, specialties, supported_output) values ('${platformId}', '${platformId}', 'P', 'P', '[]', '[]')`,
  );
  await backend.exec(
    `insert into asset_versions (id, project_id, scene_id, shot_id, platform_id, asset_type, version_number, prompt, tags) values ('${versionId}', '${projectId}', '${sceneId}', ${shotId ? `'${shotId}'` : "null"}, '${platformId}', 'VIDEO', 1, 'a prompt', '[]')`,
  );
  return versionId;
}
