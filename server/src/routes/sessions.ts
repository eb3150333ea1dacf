import { errorSchema, idParamsSchema, sessionListResponseSchema, sessionSchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { requireProject } from "../services/access.js";
import { sessionDetails, sessionList } from "../services/sessions.js";

/** Sessions: the pipeline's view of projects (pipeline-api.md). */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["sessions"];

  r.get(
    "/api/session/list",
    {
      schema: {
        tags,
        summary: "List the projects of the active workspace as sessions",
        description:
          "`{ sessions: [{ id, name, status, updatedAt, sceneCount, hasStory, hasScenePlan }] }`, recently updated " +
          "first. The workspace is the one `x-workspace-id` selects, else the caller's personal one (404 for a " +
          "workspace the caller does not belong to).",
        response: { 200: sessionListResponseSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => ({ sessions: await sessionList(app.deps.repos, request.auth.workspaceId) }),
  );

  r.get(
    "/api/session/:id",
    {
      schema: {
        tags,
        summary: "Load a project session by id",
        description:
          "The project with its story, scene plan, characters, scenes in order (each with its shots), images (IMAGE " +
          "versions with signed media URLs, newest first) and jobs (newest first). 404 for a project in a " +
          "workspace the caller does not belong to.",
        params: idParamsSchema,
        response: { 200: sessionSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) =>
      await sessionDetails(app.deps, await requireProject(app.deps.repos, request.auth, request.params.id)),
  );
}
