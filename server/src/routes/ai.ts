import {
  aiHealthResponseSchema,
  aiTimelineQuerySchema,
  aiTimelineResponseSchema,
  errorSchema,
  videoModelsResponseSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { badRequest } from "../errors.js";
import { aiCallView, aiTimeline, providerHealth } from "../services/aiCalls.js";
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
      const page = aiTimeline(app.deps.db, request.auth.user.id, limit, cursor);
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
