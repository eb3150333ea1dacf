/**
 * Sessions (pipeline-api.md) are views of projects: the list of the active workspace's projects with what
 * the pipeline has made for them, and one project with its story, scene plan, scenes, shots, images and jobs.
 * Also the job view shared by GET /api/jobs/:jobId and the session.
 */
import type { JobView, Session } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { notFound } from "../errors.js";
import type { Job } from "../ports/jobs.js";
import type { Repos } from "../repositories/index.js";
import type { ProjectRow } from "./access.js";
import { assetViews } from "./assets.js";
import { IMAGE_JOB } from "./images.js";
import { mediaUrl } from "./mediaViews.js";
import { characterView, sceneView, shotView } from "./projects.js";

export async function sessionList(repos: Repos, workspaceId: string) {
  return (await repos.projects.listProjects(workspaceId)).map(({ project, sceneCount }) => ({
    id: project.id,
    name: project.name,
    status: project.status as Session["status"],
    updatedAt: project.updatedAt,
    sceneCount,
    hasStory: project.story !== null,
    hasScenePlan: project.scenePlan !== null,
  }));
}

export async function sessionDetails(deps: AppDeps, project: ProjectRow): Promise<Session> {
  const { repos } = deps;
  const sceneRows = await repos.scenes.scenesOfProject(project.id);
  const shotRows = await repos.scenes.shotsOfScenes(sceneRows.map((s) => s.id));
  const imageRows = await repos.assetVersions.versionsOfProject(project.id, "IMAGE");
  const jobRows = await repos.jobs.jobsOfProject(project.id);
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
    characters: (await repos.projects.charactersOfProject(project.id)).map(characterView),
    scenes: sceneRows.map((s) => ({
      ...sceneView(s),
      shots: shotRows.filter((shot) => shot.sceneId === s.id).map(shotView),
    })),
    images: await assetViews(deps, imageRows),
    jobs: await Promise.all(jobRows.map((j) => jobView(deps, j))),
  };
}

/**
 * A job as clients poll it. An image's signed URL is signed again on every read, so a result polled days
 * later still links to the file.
 */
export async function jobView(deps: AppDeps, job: Job): Promise<JobView> {
  let result = job.result ?? undefined;
  if (job.kind === IMAGE_JOB && result && typeof result === "object" && "mediaId" in result) {
    const row = await deps.repos.media.findMedia(String((result as { mediaId: unknown }).mediaId));
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
export async function requireJob(repos: Repos, auth: AuthContext, jobId: string): Promise<Job> {
  const found = await repos.jobs.jobById(jobId);
  const job =
    found &&
    (found.userId === auth.user.id ||
      (found.projectId && (await repos.projects.canSeeProject(auth.user.id, found.projectId))))
      ? found
      : undefined;
  if (!job) throw notFound("Job");
  return job;
}
