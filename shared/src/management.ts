import { z } from "zod";
import { httpUrlSchema, int32Schema, isoDateSchema, textSchema } from "./common.js";
import { projectStatusSchema } from "./enums.js";
import { sceneCodeSchema } from "./extension.js";

// ---- /api/project (snake_case, as the editing reference uses)
export const projectSchema = z.object({
  id: textSchema(),
  workspace_id: textSchema(),
  name: textSchema(),
  description: textSchema().nullable(),
  status: projectStatusSchema,
  genre: textSchema().nullable(),
  video_url: textSchema().nullable(),
  scene_count: z.number().int(),
  created_at: isoDateSchema,
  updated_at: isoDateSchema,
});
export type Project = z.infer<typeof projectSchema>;
export const projectListResponseSchema = z.object({ projects: z.array(projectSchema) });
export const projectCreateSchema = z
  .object({
    name: textSchema().trim().min(1).max(200),
    description: textSchema().max(10_000).optional(),
    status: projectStatusSchema.default("DEVELOPMENT"),
    genre: textSchema().max(100).optional(),
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
  name: textSchema().trim().min(1).max(200).optional(),
  description: textSchema().max(10_000).nullable().optional(),
  status: projectStatusSchema.optional(),
  genre: textSchema().max(100).nullable().optional(),
});

// ---- scenes, shots, characters
export const sceneCreateSchema = z.object({
  sceneId: sceneCodeSchema,
  storyBeat: textSchema().nullable().optional(),
  act: z.number().int().min(0).max(100).nullable().optional(),
  macroScene: textSchema().max(500).nullable().optional(),
  title: textSchema().max(500).nullable().optional(),
  sortOrder: int32Schema().optional(),
  durationSec: z.number().positive().nullable().optional(),
  imagePrompt: textSchema().nullable().optional(),
  videoPrompt: textSchema().nullable().optional(),
});
export const scenePatchSchema = sceneCreateSchema.partial();
export const sceneSchema = z.object({
  id: textSchema(),
  projectId: textSchema(),
  sceneId: textSchema(),
  storyBeat: textSchema().nullable(),
  act: z.number().int().nullable(),
  macroScene: textSchema().nullable(),
  title: textSchema().nullable(),
  sortOrder: z.number().int(),
  durationSec: z.number().nullable(),
  imagePrompt: textSchema().nullable(),
  videoPrompt: textSchema().nullable(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
});
export type Scene = z.infer<typeof sceneSchema>;

export const shotCreateSchema = z.object({
  shotCode: textSchema().trim().min(1).max(32),
  description: textSchema().nullable().optional(),
  sortOrder: int32Schema().optional(),
});
export const shotFullSchema = z.object({
  id: textSchema(),
  sceneDbId: textSchema(),
  shotCode: textSchema(),
  description: textSchema().nullable(),
  sortOrder: z.number().int(),
});

export const characterCreateSchema = z.object({
  name: textSchema().trim().min(1).max(200),
  role: textSchema().max(200).nullable().optional(),
  description: textSchema().nullable().optional(),
});

// ---- users, tokens, health
export const meSchema = z.object({
  id: textSchema(),
  email: textSchema().nullable(),
  name: textSchema(),
  workspaceId: textSchema().describe("The active workspace (x-workspace-id, else the personal one)"),
  createdAt: isoDateSchema,
});
export const tokenSchema = z.object({
  id: textSchema(),
  name: textSchema(),
  prefix: textSchema().describe("First characters of the token, for recognising it"),
  createdAt: isoDateSchema,
  lastUsedAt: isoDateSchema.nullable(),
  revokedAt: isoDateSchema.nullable(),
});
export const tokenListResponseSchema = z.object({ tokens: z.array(tokenSchema) });
export const tokenCreateSchema = z.object({ name: textSchema().trim().min(1).max(100) });
export const tokenCreateResponseSchema = tokenSchema.extend({
  token: textSchema().describe("The secret, shown only in this response"),
});
export const healthDetailsSchema = z
  .object({
    database: z.object({ ok: z.boolean() }),
    ffmpeg: z.object({ path: textSchema().nullable() }),
    jobs: z.object({ pending: z.number().int(), running: z.number().int() }),
    ffmpegProcesses: z
      .object({ active: z.number().int(), queued: z.number().int() })
      .describe("The global ffmpeg limiter: processes running and callers waiting"),
  })
  .describe("Only for a caller with a valid bearer token");
export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: textSchema(),
  ffmpeg: z.object({ found: z.boolean(), version: textSchema().nullable() }),
  details: healthDetailsSchema.optional(),
});
export const deletedSchema = z.object({ deleted: z.literal(true) });
