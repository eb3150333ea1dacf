/**
 * Sessions (pipeline-api.md) are views of projects: the list of the active workspace's projects with what
 * the pipeline has made for them, and one project with its story, scene plan, scenes, shots, images and jobs.
 * Also the job view shared by GET /api/jobs/:jobId and the session.
 */
import type { JobView, Session } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import type { Db } from "../db/client.js";
import { notFound } from "../errors.js";
import type { Job } from "../ports/jobs.js";
import { versionsOfProject } from "../repositories/assetVersions.js";
import { jobById, jobsOfProject } from "../repositories/jobs.js";
import { findMedia } from "../repositories/media.js";
import { canSeeProject, charactersOfProject, listProjects } from "../repositories/projects.js";
import { scenesOfProject, shotsOfScenes } from "../repositories/scenes.js";
import type { ProjectRow } from "./access.js";
import { assetViews } from "./assets.js";
import { IMAGE_JOB } from "./images.js";
import { mediaUrl } from "./mediaViews.js";
import { characterView, sceneView, shotView } from "./projects.js";

export function sessionList(db: Db, workspaceId: string) {
  return listProjects(db, workspaceId).map(({ project, sceneCount }) => ({
    id: project.id,
    name: project.name,
    status: project.status as Session["status"],
    updatedAt: project.updatedAt,
    sceneCount,
    hasStory: project.story !== null,
    hasScenePlan: project.scenePlan !== null,
  }));
}

export function sessionDetails(deps: AppDeps, project: ProjectRow): Session {
  const { db } = deps;
  const sceneRows = scenesOfProject(db, project.id);
  const shotRows = shotsOfScenes(
    db,
    sceneRows.map((s) => s.id),
  );
  const imageRows = versionsOfProject(db, project.id, "IMAGE");
  const jobRows = jobsOfProject(db, project.id);
  return {
    id: project.id,
    workspaceId: project.workspaceId,
    name: project.name,
    description: project.description,
    status: project.status as Session["status"],
    genre: project.genre,
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
    story: project.story ?? null,
    scenePlan: project.scenePlan ?? null,
    characters: charactersOfProject(db, project.id).map(characterView),
    scenes: sceneRows.map((s) => ({
      ...sceneView(s),
      shots: shotRows.filter((shot) => shot.sceneId === s.id).map(shotView),
    })),
    images: assetViews(deps, imageRows),
    jobs: jobRows.map((j) => jobView(deps, j)),
  };
}

/**
 * A job as clients poll it. An image's signed URL is signed again on every read, so a result polled days
 * later still links to the file.
 */
export function jobView(deps: AppDeps, job: Job): JobView {
  let result = job.result ?? undefined;
  if (job.kind === IMAGE_JOB && result && typeof result === "object" && "mediaId" in result) {
    const row = findMedia(deps.db, String((result as { mediaId: unknown }).mediaId));
    const url = row ? mediaUrl(deps, row) : null;
    if (url) result = { ...result, imageUrl: url };
  }
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    ...(result !== undefined ? { result } : {}),
    ...(job.error ? { error: job.error } : {}),
    projectId: job.projectId,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}

/**
 * A job the caller may see: one they started, or one of a project in a workspace they belong to.
 * Anything else answers 404, as if it did not exist.
 */
export function requireJob(db: Db, auth: AuthContext, jobId: string): Job {
  const found = jobById(db, jobId);
  const job =
    found && (found.userId === auth.user.id || (found.projectId && canSeeProject(db, auth.user.id, found.projectId)))
      ? found
      : undefined;
  if (!job) throw notFound("Job");
  return job;
}
