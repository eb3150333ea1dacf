import {
  type EditingJob,
  editingJobSchema,
  errorSchema,
  idParamsSchema,
  jobIdParamsSchema,
  jobViewSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppDeps } from "../context.js";
import type { Job } from "../ports/jobs.js";
import { findMedia, variantsOfJob } from "../repositories/media.js";
import { COLOR_GRADE_JOB } from "../services/grading.js";
import { mediaUrl } from "../services/projectMedia.js";
import { jobView, requireJob } from "../services/sessions.js";

/** GET /api/jobs/:jobId — the pipeline's view of the jobs table (GET /api/job/:id is the editing API's view). */
export async function jobRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
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
    async (request) => jobView(app.deps, requireJob(app.deps.db, request.auth, request.params.jobId)),
  );
}

/** A color-grade result gets a fresh signed link to its render on every read. */
function resultWithLinks(deps: AppDeps, job: Job): unknown {
  const result = job.result ?? null;
  if (job.kind !== COLOR_GRADE_JOB || !result || typeof result !== "object" || !("graded_media_id" in result))
    return result;
  const row = findMedia(deps.db, String(result.graded_media_id));
  return { ...result, graded_url: row ? mediaUrl(deps, row) : null };
}

/** The editing reference's view of a job, with the variants it produced (empty until it has any). */
export function editingJobView(deps: AppDeps, job: Job): EditingJob {
  const rows = variantsOfJob(deps.db, job.id);
  const link = (id: string | null) => {
    const row = id ? findMedia(deps.db, id) : undefined;
    return row ? mediaUrl(deps, row) : null;
  };
  return {
    id: job.id,
    project_id: job.projectId,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    error: job.error,
    result: resultWithLinks(deps, job),
    variants: rows.map((v) => ({ id: v.id, url: link(v.mediaId), preview_url: link(v.previewMediaId) })),
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
    async (request) => editingJobView(app.deps, requireJob(app.deps.db, request.auth, request.params.id)),
  );
}
