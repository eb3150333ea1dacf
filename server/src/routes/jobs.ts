import {
  type EditingJob,
  editingJobSchema,
  errorSchema,
  idParamsSchema,
  jobIdParamsSchema,
  jobListItemSchema,
  jobListQuerySchema,
  jobListResponseSchema,
  jobViewSchema,
  RETRYABLE_JOB_KINDS,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppDeps } from "../context.js";
import type { Job } from "../ports/jobs.js";
import { COLOR_GRADE_JOB } from "../services/grading.js";
import { listJobs, retryJob } from "../services/jobList.js";
import { mediaUrl } from "../services/mediaViews.js";
import { jobView, requireJob } from "../services/sessions.js";

/**
 * /api/jobs: the workspace's jobs (the web app's Jobs page), retry of a failed one, and GET /api/jobs/{jobId},
 * the pipeline's view of one job (GET /api/job/{id} is the editing API's view).
 */
export async function jobRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/jobs",
    {
      schema: {
        tags: ["jobs"],
        summary: "Every job of the workspace, newest first",
        description:
          "Jobs of the caller's workspace (`X-Workspace-Id`, default the personal one): those started in it and " +
          "those of its projects. Each: `{ id, kind, status, progress, error, attempts, project_id, project_name, " +
          "retryable, created_at, updated_at, finished_at }`. Filters: `project_id`, `status`; `limit` (default " +
          "200, at most 500). Live changes arrive on GET /api/events as job.progress/completed/failed.",
        querystring: jobListQuerySchema,
        response: { 200: jobListResponseSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => ({ jobs: await listJobs(app.deps, request.auth, request.query) }),
  );

  r.post(
    "/api/jobs/:jobId/retry",
    {
      schema: {
        tags: ["jobs"],
        summary: "Run a failed job again",
        description:
          `A failed job of a kind that runs from its stored input (${RETRYABLE_JOB_KINDS.join(", ")}) goes back ` +
          "to pending with its progress and error cleared, and the worker picks it up. Other kinds (color-grade " +
          "waits inside its request) and jobs that are not failed are a 409 saying why. 404 for a job the caller " +
          "cannot see.",
        params: jobIdParamsSchema,
        response: { 200: jobListItemSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => await retryJob(app.deps, request.auth, request.params.jobId),
  );

  r.get(
    "/api/jobs/:jobId",
    {
      schema: {
        tags: ["jobs"],
        summary: "Poll job status and progress",
        description:
          "Any job kind (story, scene-plan, image-generate, …): `{ id, kind, status, progress, result?, error? }`. " +
          "`status` is pending, running, completed or failed; `result` is set when completed, `error` when failed " +
          "(or when a retry is pending). 404 for a job the caller did not start and whose project they cannot see.",
        params: jobIdParamsSchema,
        response: { 200: jobViewSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => await jobView(app.deps, await requireJob(app.deps.repos, request.auth, request.params.jobId)),
  );
}

/** A color-grade result gets a fresh signed link to its render on every read. */
async function resultWithLinks(deps: AppDeps, job: Job): Promise<unknown> {
  const result = job.result ?? null;
  if (job.kind !== COLOR_GRADE_JOB || !result || typeof result !== "object" || !("graded_media_id" in result))
    return result;
  const row = await deps.repos.media.findMedia(String(result.graded_media_id));
  return { ...result, graded_url: row ? mediaUrl(deps, row) : null };
}

/** The editing reference's view of a job, with the variants it produced (empty until it has any). */
export async function editingJobView(deps: AppDeps, job: Job): Promise<EditingJob> {
  const rows = await deps.repos.media.variantsOfJob(job.id);
  const link = async (id: string | null) => {
    const row = id ? await deps.repos.media.findMedia(id) : undefined;
    return row ? mediaUrl(deps, row) : null;
  };
  return {
    id: job.id,
    project_id: job.projectId,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    error: job.error,
    result: await resultWithLinks(deps, job),
    variants: await Promise.all(
      rows.map(async (v) => ({ id: v.id, url: await link(v.mediaId), preview_url: await link(v.previewMediaId) })),
    ),
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

/** GET /api/job/{id} — the editing API's view of the jobs table (GET /api/jobs/{jobId} is the pipeline's). */
export async function editingJobRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/job/:id",
    {
      schema: {
        tags: ["jobs"],
        summary: "A generation, color-grade, import or other job, with its variants",
        description:
          "`{ id, project_id, kind, status, progress, error, result, variants: [{ id, url, preview_url }] }`. " +
          "`status` is pending, running, completed or failed; `variants` are the AI variants the job produced " +
          "(signed links; empty for other kinds). Exports are jobs too but are better polled with " +
          "GET /api/export/{id}, which adds their file URLs. 404 for a job the caller cannot see.",
        params: idParamsSchema,
        response: { 200: editingJobSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) =>
      await editingJobView(app.deps, await requireJob(app.deps.repos, request.auth, request.params.id)),
  );
}
