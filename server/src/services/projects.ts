import type { Project } from "@dailies/shared";
import { count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { type characters, projects, scenes, shots } from "../db/schema.js";
import type { ProjectRow, SceneRow, ShotRow } from "./access.js";

// Written out: drizzle drops table names inside a subquery, which would compare scenes.id with itself.
const sceneCount = sql<number>`(select count(*) from "scenes" where "scenes"."project_id" = "projects"."id")`;

export function listProjects(db: Db, workspaceId: string): { project: ProjectRow; sceneCount: number }[] {
  return db
    .select({ project: projects, sceneCount })
    .from(projects)
    .where(eq(projects.workspaceId, workspaceId))
    .orderBy(desc(projects.updatedAt))
    .all()
    .map((r) => ({ project: r.project, sceneCount: Number(r.sceneCount) }));
}

export function countScenes(db: Db, projectId: string): number {
  return Number(db.select({ n: count() }).from(scenes).where(eq(scenes.projectId, projectId)).get()?.n ?? 0);
}

export const projectView = (p: ProjectRow, scenesInProject: number): Project => ({
  id: p.id,
  workspace_id: p.workspaceId,
  name: p.name,
  description: p.description,
  status: p.status as Project["status"],
  genre: p.genre,
  video_url: p.videoUrl,
  scene_count: scenesInProject,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

export const sceneView = (s: SceneRow) => ({
  id: s.id,
  projectId: s.projectId,
  sceneId: s.sceneCode,
  storyBeat: s.storyBeat,
  act: s.act,
  macroScene: s.macroScene,
  title: s.title,
  sortOrder: s.sortOrder,
  durationSec: s.durationSec,
  imagePrompt: s.imagePrompt,
  videoPrompt: s.videoPrompt,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const shotView = (s: ShotRow) => ({
  id: s.id,
  sceneDbId: s.sceneId,
  shotCode: s.shotCode,
  description: s.description,
  sortOrder: s.sortOrder,
});

export const characterView = (c: typeof characters.$inferSelect) => ({
  id: c.id,
  name: c.name,
  role: c.role,
  description: c.description,
});

/** Bumps the project's updatedAt so lists show recently touched projects first. */
export function touchProject(db: Db, projectId: string): void {
  db.update(projects).set({ updatedAt: new Date().toISOString() }).where(eq(projects.id, projectId)).run();
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
