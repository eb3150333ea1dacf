import {
  aiGenerateRequestSchema,
  aiGenerateResponseSchema,
  aiHealthResponseSchema,
  aiTimelineQuerySchema,
  aiTimelineResponseSchema,
  errorSchema,
  videoModelsResponseSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { badRequest } from "../errors.js";
import { LOCAL_REGION_OP_HELP } from "../providers/local/regionEdit.js";
import { aiCallView, aiTimeline, providerHealth } from "../services/aiCalls.js";
import { startRegionGeneration } from "../services/regionGeneration.js";
import { DEFAULT_VIDEO_MODEL, VIDEO_MODELS } from "../services/videoModels.js";

/** AI provider health, the AI call timeline, and the video models scene planning knows. */
export async function aiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["ai"];

  r.get(
    "/api/ai/health",
    {
      schema: {
        tags,
        summary: "AI provider reachability and configuration status",
        description:
          "One entry per provider (local, gemini, claude, openai, replicate): `configured` (its key or base URL is " +
          "set), `reachable` (a short authenticated GET of its models list, 3 s at most; null when not configured), " +
          "`model`, and `error` when unreachable. `local` needs no key; it is reachable when ffmpeg runs. " +
          "`defaults` are DAILIES_DEFAULT_LLM and DAILIES_DEFAULT_IMAGE_PROVIDER.",
        response: { 200: aiHealthResponseSchema, 401: errorSchema },
      },
    },
    async () => {
      const { config, ffmpeg } = app.deps;
      return {
        providers: await providerHealth(config, ffmpeg !== null),
        defaults: { llm: config.DAILIES_DEFAULT_LLM, image: config.DAILIES_DEFAULT_IMAGE_PROVIDER },
      };
    },
  );

  r.get(
    "/api/ai/timeline",
    {
      schema: {
        tags,
        summary: "A timeline of recent AI operations",
        description:
          "The caller's provider calls, newest first: `{ items: [{ id, provider, model, kind, status, durationMs, " +
          "inputTokens, outputTokens, costUsd, jobId, createdAt }], nextCursor }`. Pass `nextCursor` as `cursor` " +
          "for the next page (null on the last). 400 for a cursor this server did not hand out.",
        querystring: aiTimelineQuerySchema,
        response: { 200: aiTimelineResponseSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await aiTimeline(app.deps.repos, request.auth.user.id, limit, cursor);
      if (!page) throw badRequest("Invalid cursor", { cursor });
      return { items: page.items.map(aiCallView), nextCursor: page.nextCursor };
    },
  );

  r.get(
    "/api/ai/video-models",
    {
      schema: {
        tags,
        summary: "Video models scene planning can target, with their longest clip",
        description: `No planned shot is longer than the model's maxClipSeconds. Default: ${DEFAULT_VIDEO_MODEL}.`,
        response: { 200: videoModelsResponseSchema, 401: errorSchema },
      },
    },
    async () => ({
      models: VIDEO_MODELS.map((m) => ({
        id: m.id,
        name: m.name,
        maxClipSeconds: m.maxClipSeconds,
        clipSeconds: [...m.clipSeconds],
        default: m.id === DEFAULT_VIDEO_MODEL,
      })),
    }),
  );
}

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
    async (request, reply) => reply.code(202).send(await startRegionGeneration(app.deps, request.auth, request.body)),
  );
}
