import type { Project } from "@dailies/shared";
import type { CharacterRow, ProjectRow } from "../repositories/projects.js";
import type { SceneRow, ShotRow } from "../repositories/scenes.js";

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

export const characterView = (c: CharacterRow) => ({
  id: c.id,
  name: c.name,
  role: c.role,
  description: c.description,
});
