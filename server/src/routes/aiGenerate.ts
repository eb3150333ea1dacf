import { aiGenerateRequestSchema, aiGenerateResponseSchema, errorSchema } from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { LOCAL_REGION_OP_HELP } from "../providers/local/regionEdit.js";
import { startRegionGeneration } from "../services/regionGeneration.js";

/** POST /api/ai/generate — region generation (services/regionGeneration.ts). routes/ai.ts has the rest of /api/ai. */
export async function aiGenerateRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/api/ai/generate",
    {
      schema: {
        tags: ["ai"],
        summary: "Generate variants of a region of the timeline (a job)",
        description:
          "Makes `DAILIES_AI_VARIANTS` (default 2) variants of the timeline range [start_ts, end_ts] (timeline " +
          "seconds) with the prompt applied inside `bounding_box` (fractions of the frame, 0..1). Answers 202 with " +
          "the job id; GET /api/job/{id} reports progress and lists `variants: [{ id, url, preview_url }]`, then " +
          "POST /api/variant/{id}/accept puts one on the timeline. Provider `local` (default, offline, not AI) does " +
          `one of: ${Object.values(LOCAL_REGION_OP_HELP).join("; ")}, variants from mild to strong; a prompt naming ` +
          "none of them fails the job with that list. `replicate` animates the box's first frame from the prompt " +
          "and composites the clip into the box. 400 for an invalid box or range (end_ts beyond the timeline " +
          "included), a project without video, an unknown provider, or one not configured (the message names " +
          "its environment variable); 404 for a project the caller cannot see.",
        body: aiGenerateRequestSchema,
        response: { 202: aiGenerateResponseSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => reply.code(202).send(startRegionGeneration(app.deps, request.auth, request.body)),
  );
}
