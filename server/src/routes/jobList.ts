import {
  errorSchema,
  jobIdParamsSchema,
  jobListItemSchema,
  jobListQuerySchema,
  jobListResponseSchema,
  RETRYABLE_JOB_KINDS,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { listJobs, retryJob } from "../services/jobList.js";

/** GET /api/jobs (the workspace's jobs) and POST /api/jobs/{jobId}/retry, for the web app's Jobs page. */
export async function jobListRoutes(app: FastifyInstance): Promise<void> {
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
    async (request) => ({ jobs: listJobs(app.deps, request.auth, request.query) }),
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
    async (request) => retryJob(app.deps, request.auth, request.params.jobId),
  );
}
