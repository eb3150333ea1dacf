import { z } from "zod";
import { isoDateSchema, textSchema } from "./common.js";
import { jobStatusSchema, projectStatusSchema } from "./enums.js";
import { assetVersionSchema, characterSchema } from "./extension.js";
import { sceneSchema, shotFullSchema } from "./management.js";

/**
 * The story, scene-planning and image pipeline (pipeline-api.md), sessions, jobs, workspaces and the AI
 * health/timeline routes. A "session" is a view of a project: its story, scene plan, scenes and images.
 */

// ---- providers
export const LLM_PROVIDERS = ["gemini", "claude", "openai", "local"] as const;
export const llmProviderSchema = z
  .enum(LLM_PROVIDERS)
  .describe("LLM provider. Default: DAILIES_DEFAULT_LLM, which defaults to `local` (template drafts, no AI)");
export type LlmProviderName = z.infer<typeof llmProviderSchema>;

export const IMAGE_PROVIDERS = ["replicate", "gemini", "openai", "local"] as const;
export const imageProviderSchema = z
  .enum(IMAGE_PROVIDERS)
  .describe("Image provider. Default: DAILIES_DEFAULT_IMAGE_PROVIDER, which defaults to `local` (titled placeholder)");
export type ImageProviderName = z.infer<typeof imageProviderSchema>;

export const ASPECT_RATIOS = ["16:9", "9:16", "1:1", "4:3"] as const;
export const aspectRatioSchema = z.enum(ASPECT_RATIOS);
export type AspectRatio = z.infer<typeof aspectRatioSchema>;

const minutesSchema = z.number().min(1).max(5).describe("Target runtime in minutes (1–5)");
const text = (max: number) => textSchema().trim().min(1).max(max);

export const jobAcceptedSchema = z.object({ jobId: textSchema().describe("Poll GET /api/jobs/{jobId}") });

// ---- story
export const storyCharacterSchema = z.object({
  name: text(200),
  role: textSchema().max(200).describe("protagonist, antagonist, mentor, …"),
  description: textSchema().max(2000),
});
export const storyActSchema = z.object({
  number: z.number().int().min(1).max(10),
  title: textSchema().max(300),
  beats: z
    .array(text(2000))
    .min(1)
    .max(12)
    .describe("Story beats in order; the scene plan makes about one scene per beat"),
});

/** What an LLM is asked to return (and what it is checked against). */
export const storyDraftSchema = z.object({
  title: text(300),
  logline: textSchema().max(1000),
  synopsis: textSchema().max(10_000),
  characters: z.array(storyCharacterSchema).max(30),
  acts: z.array(storyActSchema).min(1).max(10),
  estimatedMinutes: z.number().positive().max(60),
});
export type StoryDraft = z.infer<typeof storyDraftSchema>;

export const storySchema = storyDraftSchema.extend({
  provider: textSchema().describe("Who wrote it: gemini, claude, openai or local"),
  model: textSchema(),
  note: textSchema().optional().describe("Set by `local`: the story is a template draft, not AI output"),
  topic: textSchema().optional(),
  projectId: textSchema().optional().describe("The project it was stored on"),
});
export type Story = z.infer<typeof storySchema>;

export const storyRequestSchema = z.object({
  topic: text(4000).describe("The subject or prompt for the story"),
  maxMinutes: minutesSchema,
  projectId: textSchema().min(1).optional().describe("Store the story on this project and create its characters"),
  provider: llmProviderSchema.optional(),
});
export type StoryRequest = z.infer<typeof storyRequestSchema>;

// ---- scene plan
/** A story as accepted by scene planning: the stories endpoint's result, or a hand-written one. */
export const storyInputSchema = storyDraftSchema.extend({
  provider: textSchema().optional(),
  model: textSchema().optional(),
  note: textSchema().optional(),
  topic: textSchema().optional(),
  projectId: textSchema().optional(),
});

export const scenePlanRequestSchema = z.object({
  story: storyInputSchema.describe("Story object returned by the stories endpoint"),
  maxMinutes: minutesSchema,
  videoModel: textSchema()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("Target video model: caps each shot at its longest clip (GET /api/ai/video-models lists them)"),
  projectId: textSchema().min(1).optional().describe("Write the scenes into this project (default: story.projectId)"),
  provider: llmProviderSchema.optional(),
});
export type ScenePlanRequest = z.infer<typeof scenePlanRequestSchema>;

/** What an LLM is asked to return; codes and limits are applied by the server afterwards. */
export const scenePlanDraftSchema = z.object({
  scenes: z
    .array(
      z.object({
        title: text(300),
        storyBeat: textSchema().max(2000),
        act: z.number().int().min(1).max(10),
        macroScene: textSchema().max(300).describe("The larger sequence the scene belongs to"),
        durationSec: z.number().positive().max(3600),
        imagePrompt: textSchema().max(4000),
        videoPrompt: textSchema().max(4000),
        shots: z
          .array(z.object({ description: textSchema().max(2000), durationSec: z.number().positive().max(3600) }))
          .min(1)
          .max(20),
      }),
    )
    .min(1)
    .max(60),
});
export type ScenePlanDraft = z.infer<typeof scenePlanDraftSchema>;

export const planShotSchema = z.object({
  shotCode: textSchema().describe('Scene code plus a letter: "001A", "001B", …'),
  description: textSchema(),
  durationSec: z.number(),
});
export const planSceneSchema = z.object({
  number: z.number().int().describe("1-based position in the film"),
  sceneCode: textSchema().describe('"001", "002", …'),
  title: textSchema(),
  storyBeat: textSchema(),
  act: z.number().int(),
  macroScene: textSchema(),
  durationSec: z.number().describe("Sum of the scene's shots"),
  imagePrompt: textSchema(),
  videoPrompt: textSchema(),
  shots: z.array(planShotSchema),
});
export const scenePlanSchema = z.object({
  scenes: z.array(planSceneSchema),
  totalSeconds: z.number().describe("≤ maxMinutes × 60"),
  maxSeconds: z.number(),
  videoModel: textSchema(),
  maxClipSeconds: z.number().describe("Longest clip of the video model: no shot is longer"),
  provider: textSchema(),
  model: textSchema(),
  note: textSchema().optional(),
  projectId: textSchema().optional(),
});
export type ScenePlan = z.infer<typeof scenePlanSchema>;

// ---- images
export const imageGenerateRequestSchema = z
  .object({
    prompt: text(4000).describe("Image prompt"),
    provider: imageProviderSchema.optional(),
    model: textSchema()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe(
        "Model slug (flux-dev, flux-schnell, owner/name on Replicate; a Gemini or OpenAI image model). Default: the provider's configured model",
      ),
    aspectRatio: aspectRatioSchema.default("16:9").describe("16:9 (1280×720), 9:16, 1:1 (1024²) or 4:3 (1024×768)"),
    projectId: textSchema().min(1).optional().describe("Project to attach the image to"),
    sceneNumber: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Scene index (1-based, in scene order): the image becomes that scene's next IMAGE version"),
  })
  .refine((b) => b.sceneNumber === undefined || b.projectId !== undefined, {
    path: ["sceneNumber"],
    message: "sceneNumber needs projectId",
  });
export type ImageGenerateRequest = z.infer<typeof imageGenerateRequestSchema>;

export const imageResultSchema = z.object({
  mediaId: textSchema(),
  imageUrl: textSchema().describe("Signed, expiring URL of the PNG (re-signed on every job poll)"),
  assetVersionId: textSchema().optional(),
  versionNumber: z.number().int().optional(),
  sceneId: textSchema().optional().describe("Scene code the version was filed under"),
  platformKey: textSchema().optional(),
  width: z.number().int(),
  height: z.number().int(),
  provider: textSchema(),
  model: textSchema(),
  note: textSchema().optional(),
});
export type ImageResult = z.infer<typeof imageResultSchema>;

// ---- jobs
export const jobIdParamsSchema = z.object({ jobId: textSchema().min(1) });
export const jobViewSchema = z.object({
  id: textSchema(),
  kind: textSchema(),
  status: jobStatusSchema,
  progress: z.number().describe("0..1"),
  result: z.unknown().optional().describe("When completed: the story, scene plan, image, …"),
  error: textSchema()
    .optional()
    .describe('When failed: why. While running: what it waits for ("waiting for gemini quota until …")'),
  projectId: textSchema().nullable(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
  finishedAt: isoDateSchema.nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

// ---- sessions
export const sessionSummarySchema = z.object({
  id: textSchema(),
  name: textSchema(),
  status: projectStatusSchema,
  updatedAt: isoDateSchema,
  sceneCount: z.number().int(),
  hasStory: z.boolean(),
  hasScenePlan: z.boolean(),
});
export const sessionListResponseSchema = z.object({ sessions: z.array(sessionSummarySchema) });
export const sessionSchema = z.object({
  id: textSchema(),
  workspaceId: textSchema(),
  name: textSchema(),
  description: textSchema().nullable(),
  status: projectStatusSchema,
  genre: textSchema().nullable(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
  story: z.record(textSchema(), z.unknown()).nullable(),
  scenePlan: z.record(textSchema(), z.unknown()).nullable(),
  characters: z.array(characterSchema),
  scenes: z.array(sceneSchema.extend({ shots: z.array(shotFullSchema) })).describe("In scene order"),
  images: z.array(assetVersionSchema).describe("IMAGE versions of the project's scenes, newest first"),
  jobs: z.array(jobViewSchema).describe("Jobs of the project, newest first"),
});
export type Session = z.infer<typeof sessionSchema>;

// ---- workspaces
export const workspaceRoleSchema = z.enum(["owner", "member"]);
export const workspaceSchema = z.object({
  id: textSchema(),
  name: textSchema(),
  personal: z.boolean(),
  role: workspaceRoleSchema.describe("The caller's role"),
  memberCount: z.number().int(),
  createdAt: isoDateSchema,
});
export const workspaceListResponseSchema = z.object({ workspaces: z.array(workspaceSchema) });
export const workspaceCreateSchema = z.object({ name: text(200) });
export const workspaceMemberAddSchema = z.object({
  email: textSchema().trim().toLowerCase().pipe(z.email()).describe("The invitee's email"),
  role: workspaceRoleSchema.default("member"),
});
export const workspaceInviteSentSchema = z
  .object({
    invited: z.literal(true),
    workspaceId: textSchema(),
    email: textSchema(),
    role: workspaceRoleSchema,
  })
  .describe("The same answer whether or not the email has an account or is already a member");
export const workspaceInviteSchema = z.object({
  id: textSchema(),
  workspaceId: textSchema(),
  workspaceName: textSchema(),
  role: workspaceRoleSchema,
  invitedBy: textSchema().nullable().describe("The inviting owner's name"),
  createdAt: isoDateSchema,
});
export const workspaceInviteListResponseSchema = z.object({ invites: z.array(workspaceInviteSchema) });
export const workspaceMemberSchema = z.object({
  workspaceId: textSchema(),
  userId: textSchema(),
  email: textSchema().nullable(),
  name: textSchema(),
  role: workspaceRoleSchema,
});

// ---- AI health and timeline
export const aiProviderHealthSchema = z.object({
  name: textSchema(),
  capabilities: z.array(z.enum(["llm", "image", "video", "score"])),
  configured: z.boolean(),
  reachable: z.boolean().nullable().describe("Short probe (models list); null when not configured"),
  model: textSchema().nullable(),
  latencyMs: z.number().int().nullable(),
  error: textSchema().optional(),
  settings: z.array(textSchema()).describe("Environment variables that configure it"),
});
export const aiHealthResponseSchema = z.object({
  providers: z.array(aiProviderHealthSchema),
  defaults: z.object({ llm: textSchema(), image: textSchema() }),
});
export const aiTimelineQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Max items (default 50, max 200)"),
  cursor: textSchema().min(1).max(200).optional().describe("nextCursor of the previous page"),
});
export const aiCallSchema = z.object({
  id: textSchema(),
  provider: textSchema(),
  model: textSchema(),
  kind: textSchema().describe("llm, image, video or score"),
  status: textSchema().describe("ok or error"),
  durationMs: z.number().int(),
  inputTokens: z.number().int().nullable(),
  outputTokens: z.number().int().nullable(),
  costUsd: z.number().nullable().describe("Rough estimate from list prices; null when unknown"),
  error: textSchema().nullable(),
  jobId: textSchema().nullable(),
  createdAt: isoDateSchema,
});
export const aiTimelineResponseSchema = z.object({
  items: z.array(aiCallSchema).describe("Newest first"),
  nextCursor: textSchema().nullable(),
});

export const videoModelSchema = z.object({
  id: textSchema(),
  name: textSchema(),
  maxClipSeconds: z.number(),
  clipSeconds: z.array(z.number()).describe("Clip lengths the model offers"),
  default: z.boolean(),
});
export const videoModelsResponseSchema = z.object({ models: z.array(videoModelSchema) });
