import { z } from "zod";
import { httpUrlSchema, isoDateSchema } from "./common.js";
import { projectStatusSchema } from "./enums.js";
import { sceneCodeSchema } from "./extension.js";

// ---- /api/project (snake_case, as the editing reference uses)
export const projectSchema = z.object({
  id: z.string(),
  workspace_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: projectStatusSchema,
  genre: z.string().nullable(),
  video_url: z.string().nullable(),
  scene_count: z.number().int(),
  created_at: isoDateSchema,
  updated_at: isoDateSchema,
});
export type Project = z.infer<typeof projectSchema>;
export const projectListResponseSchema = z.object({ projects: z.array(projectSchema) });
export const projectCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).optional(),
    status: projectStatusSchema.default("DEVELOPMENT"),
    genre: z.string().max(100).optional(),
    video_url: httpUrlSchema
      .optional()
      .describe(
        "Optional: a video the server downloads (mirroring job) and uses as the first segment. Leave it out to start empty.",
      )
      .meta({ example: "https://media.example.org/rushes/opening-shot.mp4" }),
  })
  // Swagger UI's "Try it out" sends this body as is: it must create a project without fetching anything.
  .meta({ example: { name: "The Awakening", description: "A short film", status: "DEVELOPMENT", genre: "drama" } });
export const projectPatchSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(10_000).nullable().optional(),
  status: projectStatusSchema.optional(),
  genre: z.string().max(100).nullable().optional(),
});

// ---- scenes, shots, characters
export const sceneCreateSchema = z.object({
  sceneId: sceneCodeSchema,
  storyBeat: z.string().nullable().optional(),
  act: z.number().int().min(0).max(100).nullable().optional(),
  macroScene: z.string().max(500).nullable().optional(),
  title: z.string().max(500).nullable().optional(),
  sortOrder: z.number().int().optional(),
  durationSec: z.number().positive().nullable().optional(),
  imagePrompt: z.string().nullable().optional(),
  videoPrompt: z.string().nullable().optional(),
});
export const scenePatchSchema = sceneCreateSchema.partial();
export const sceneSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  sceneId: z.string(),
  storyBeat: z.string().nullable(),
  act: z.number().int().nullable(),
  macroScene: z.string().nullable(),
  title: z.string().nullable(),
  sortOrder: z.number().int(),
  durationSec: z.number().nullable(),
  imagePrompt: z.string().nullable(),
  videoPrompt: z.string().nullable(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
});
export type Scene = z.infer<typeof sceneSchema>;

export const shotCreateSchema = z.object({
  shotCode: z.string().trim().min(1).max(32),
  description: z.string().nullable().optional(),
  sortOrder: z.number().int().optional(),
});
export const shotFullSchema = z.object({
  id: z.string(),
  sceneDbId: z.string(),
  shotCode: z.string(),
  description: z.string().nullable(),
  sortOrder: z.number().int(),
});

export const characterCreateSchema = z.object({
  name: z.string().trim().min(1).max(200),
  role: z.string().max(200).nullable().optional(),
  description: z.string().nullable().optional(),
});

// ---- users, tokens, health
export const meSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string(),
  workspaceId: z.string().describe("The active workspace (x-workspace-id, else the personal one)"),
  createdAt: isoDateSchema,
});
export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe("First characters of the token, for recognising it"),
  createdAt: isoDateSchema,
  lastUsedAt: isoDateSchema.nullable(),
  revokedAt: isoDateSchema.nullable(),
});
export const tokenListResponseSchema = z.object({ tokens: z.array(tokenSchema) });
export const tokenCreateSchema = z.object({ name: z.string().trim().min(1).max(100) });
export const tokenCreateResponseSchema = tokenSchema.extend({
  token: z.string().describe("The secret, shown only in this response"),
});
export const healthDetailsSchema = z
  .object({
    database: z.object({ ok: z.boolean() }),
    ffmpeg: z.object({ path: z.string().nullable() }),
    jobs: z.object({ pending: z.number().int(), running: z.number().int() }),
    ffmpegProcesses: z
      .object({ active: z.number().int(), queued: z.number().int() })
      .describe("The global ffmpeg limiter: processes running and callers waiting"),
  })
  .describe("Only for a caller with a valid bearer token");
export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  ffmpeg: z.object({ found: z.boolean(), version: z.string().nullable() }),
  details: healthDetailsSchema.optional(),
});
export const deletedSchema = z.object({ deleted: z.literal(true) });
