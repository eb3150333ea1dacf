import { type EditingJob, editingJobSchema, errorSchema, idParamsSchema } from "@dailies/shared";
import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppDeps } from "../context.js";
import { media, variants } from "../db/schema.js";
import type { Job } from "../ports/jobs.js";
import { COLOR_GRADE_JOB } from "../services/grading.js";
import { mediaUrl } from "../services/projectMedia.js";
import { requireJob } from "../services/sessions.js";

/** A color-grade result gets a fresh signed link to its render on every read. */
function resultWithLinks(deps: AppDeps, job: Job): unknown {
  const result = job.result ?? null;
  if (job.kind !== COLOR_GRADE_JOB || !result || typeof result !== "object" || !("graded_media_id" in result))
    return result;
  const row = deps.db
    .select()
    .from(media)
    .where(eq(media.id, String(result.graded_media_id)))
    .get();
  return { ...result, graded_url: row ? mediaUrl(deps, row) : null };
}

/** The editing reference's view of a job, with the variants it produced (empty until it has any). */
export function editingJobView(deps: AppDeps, job: Job): EditingJob {
  const rows = deps.db.select().from(variants).where(eq(variants.jobId, job.id)).all();
  const link = (id: string | null) => {
    const row = id ? deps.db.select().from(media).where(eq(media.id, id)).get() : undefined;
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
