import { errorSchema, jobIdParamsSchema, jobViewSchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
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
