/**
 * Sessions (pipeline-api.md) are views of projects: the list of the active workspace's projects with what
 * the pipeline has made for them, and one project with its story, scene plan, scenes, shots, images and jobs.
 * Also the job view shared by GET /api/jobs/:jobId and the session.
 */
import type { JobView, Session } from "@dailies/shared";
import { and, asc, desc, eq, inArray, or } from "drizzle-orm";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import type { Db } from "../db/client.js";
import { assetVersions, characters, jobs, media, projects, shots, workspaceMembers } from "../db/schema.js";
import { notFound } from "../errors.js";
import type { Job } from "../ports/jobs.js";
import { listProjects } from "../repositories/projects.js";
import type { ProjectRow } from "./access.js";
import { assetViews } from "./assets.js";
import { IMAGE_JOB, scenesInOrder } from "./images.js";
import { mediaUrl } from "./projectMedia.js";
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
  const sceneRows = scenesInOrder(db, project.id);
  const shotRows = sceneRows.length
    ? db
        .select()
        .from(shots)
        .where(
          inArray(
            shots.sceneId,
            sceneRows.map((s) => s.id),
          ),
        )
        .orderBy(asc(shots.sortOrder), asc(shots.shotCode))
        .all()
    : [];
  const imageRows = db
    .select()
    .from(assetVersions)
    .where(and(eq(assetVersions.projectId, project.id), eq(assetVersions.assetType, "IMAGE")))
    .orderBy(desc(assetVersions.createdAt), desc(assetVersions.versionNumber))
    .all();
  const jobRows = db.select().from(jobs).where(eq(jobs.projectId, project.id)).orderBy(desc(jobs.createdAt)).all();
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
    characters: db
      .select()
      .from(characters)
      .where(eq(characters.projectId, project.id))
      .orderBy(asc(characters.createdAt))
      .all()
      .map(characterView),
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
    const row = deps.db
      .select()
      .from(media)
      .where(eq(media.id, String((result as { mediaId: unknown }).mediaId)))
      .get();
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
  const member = db
    .select({ id: workspaceMembers.workspaceId })
    .from(workspaceMembers)
    .where(eq(workspaceMembers.userId, auth.user.id));
  const visibleProjects = db.select({ id: projects.id }).from(projects).where(inArray(projects.workspaceId, member));
  const job = db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, jobId), or(eq(jobs.userId, auth.user.id), inArray(jobs.projectId, visibleProjects))))
    .get();
  if (!job) throw notFound("Job");
  return job;
}
