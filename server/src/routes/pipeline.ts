import {
  errorSchema,
  imageGenerateRequestSchema,
  jobAcceptedSchema,
  scenePlanRequestSchema,
  storyRequestSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { startImageJob } from "../services/images.js";
import { startScenePlanJob } from "../services/scenePlanning.js";
import { startStoryJob } from "../services/story.js";

const PROVIDER_400 =
  "400 when the chosen provider is not configured, naming the variable to set: " +
  '`{ "error": "gemini is not configured: set GEMINI_API_KEY", "details": { "provider": "gemini", "setting": "GEMINI_API_KEY" } }`.';

/** The story → scene plan → images pipeline (pipeline-api.md). Each route queues a job: poll GET /api/jobs/{jobId}. */
export async function pipelineRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["pipeline"];
  const response = { 202: jobAcceptedSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema };

  r.post(
    "/api/claude/stories",
    {
      schema: {
        tags,
        summary: "Generate a story from a topic (job)",
        description: [
          "Queues a story job and answers `{ jobId }` (202). The job's result is a story:",
          "`{ title, logline, synopsis, characters: [{ name, role, description }], acts: [{ number, title, beats }],",
          "estimatedMinutes, provider, model }`, checked against that schema (an LLM answer that does not match",
          'fails the job with "provider returned a story that does not match the schema: …").',
          "",
          "`provider` defaults to DAILIES_DEFAULT_LLM, itself `local` by default: a deterministic template draft",
          'built from the topic, marked `provider: "local"` with a `note` saying it is not AI.',
          "With `projectId` the story is stored on the project and its characters are added (by name, never twice).",
          "",
          `${PROVIDER_400} 404 for a project the caller cannot see.`,
        ].join("\n"),
        body: storyRequestSchema,
        response,
      },
    },
    async (request, reply) =>
      reply.code(202).send({ jobId: await startStoryJob(app.deps, request.auth, request.body) }),
  );

  r.post(
    "/api/claude/scene-planning",
    {
      schema: {
        tags,
        summary: "Generate a scene plan from a story (job)",
        description: [
          "Queues a scene-planning job and answers `{ jobId }` (202). The result:",
          "`{ scenes: [{ number, sceneCode, title, storyBeat, act, macroScene, durationSec, imagePrompt, videoPrompt,",
          "shots: [{ shotCode, description, durationSec }] }], totalSeconds, videoModel, maxClipSeconds, provider }`.",
          "",
          "Whatever the LLM drafts, the server makes it fit: the film lasts at most maxMinutes × 60 s (shots scaled",
          "down together) and no shot is longer than the video model's longest clip (long shots split). Video",
          "models and their longest clips: GET /api/ai/video-models (default veo-3.1, 8 s).",
          "",
          "With a project (`projectId`, else `story.projectId`) the scenes are written into it — upserted by scene",
          "code 001, 002, … — with their shots (001A, 001B, …), and the plan is stored on the project.",
          "`provider` defaults to DAILIES_DEFAULT_LLM (`local`: a template plan, one scene per story beat).",
          "",
          `${PROVIDER_400} 400 for an unknown videoModel. 404 for a project the caller cannot see.`,
        ].join("\n"),
        body: scenePlanRequestSchema,
        response,
      },
    },
    async (request, reply) =>
      reply.code(202).send({ jobId: await startScenePlanJob(app.deps, request.auth, request.body) }),
  );

  r.post(
    "/api/images/generate",
    {
      schema: {
        tags,
        summary: "Generate an image for a scene (job)",
        description: [
          "Queues an image job and answers `{ jobId }` (202). The result:",
          "`{ mediaId, imageUrl, assetVersionId?, versionNumber?, width, height, provider, model }` — `imageUrl` is a",
          "signed, expiring link (signed again on every poll).",
          "",
          "`provider` defaults to DAILIES_DEFAULT_IMAGE_PROVIDER, itself `local` by default: a titled placeholder PNG",
          'of the requested aspect (title = the prompt, subtitle "local draft — not AI"), rendered with ffmpeg.',
          "Sizes: 16:9 1280×720, 9:16 720×1280, 1:1 1024×1024, 4:3 1024×768.",
          "",
          "With `projectId` and `sceneNumber` (1-based, in scene order) the image becomes the scene's next IMAGE",
          "version on the provider's platform: replicate → `flux` (FLUX models), `ideogram`, else `replicate`;",
          "gemini → `google-veo`; openai → `openai-images`; local → `dailies-local`.",
          "",
          `${PROVIDER_400} 404 for a project the caller cannot see or a scene number past the last scene.`,
          "503 for `local` when the server found no ffmpeg at start.",
        ].join("\n"),
        body: imageGenerateRequestSchema,
        response: { ...response, 503: errorSchema },
      },
    },
    async (request, reply) =>
      reply.code(202).send({ jobId: await startImageJob(app.deps, request.auth, request.body) }),
  );
}
