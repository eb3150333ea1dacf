import { z } from "zod";
import { textSchema } from "./common.js";
import { assetStatusSchema, assetTypeSchema, rightsStateSchema } from "./enums.js";
import { assetVersionSchema } from "./extension.js";
import { sceneSchema, shotFullSchema } from "./management.js";

// ---- Browser sessions (POST/DELETE /api/auth/session)
export const sessionCreateSchema = z.object({
  token: textSchema()
    .trim()
    .min(1)
    .max(200)
    .describe("An API token (the first-start token, or `dailies token create`)"),
});
export const sessionCreatedSchema = z.object({
  signedIn: z.literal(true),
  user: z.object({ id: textSchema(), name: textSchema(), email: textSchema().nullable() }),
  expiresAt: textSchema().describe("ISO 8601; the cookie lasts as long"),
});
export const sessionDeletedSchema = z.object({ signedOut: z.literal(true) });

// ---- Asset versions for the web app (/api/asset-version/:id, /api/scene/:id/versions)
export const assetVersionPatchSchema = z
  .object({
    selected: z.boolean().optional().describe("true: the take of its scene and type (others are unselected)"),
    status: assetStatusSchema.optional(),
    rightsState: rightsStateSchema.optional(),
    notes: textSchema().max(10_000).nullable().optional(),
    tags: z.array(textSchema().trim().min(1).max(50)).max(50).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "Provide at least one field" });
export const sceneVersionsQuerySchema = z.object({
  assetType: assetTypeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200).describe("Page size (default 200, max 1000)"),
  offset: z.coerce.number().int().min(0).default(0),
});
export const sceneVersionsResponseSchema = z.object({
  scene: sceneSchema,
  shots: z.array(shotFullSchema),
  assets: z.array(assetVersionSchema).describe("Newest first"),
  total: z.number().int(),
  nextOffset: z.number().int().nullable().describe("Pass as offset for the next page; null on the last"),
});
export const sceneSummarySchema = z.object({
  sceneDbId: textSchema(),
  versionCounts: z.record(textSchema(), z.number().int()).describe("Versions per asset type"),
  selected: z
    .array(
      z.object({
        id: textSchema(),
        assetType: assetTypeSchema,
        thumbnailUrl: textSchema().nullable().describe("Mirrored thumbnail (signed), else the original link"),
      }),
    )
    .describe("The selected take of each asset type"),
});
export const sceneSummariesResponseSchema = z.object({ scenes: z.array(sceneSummarySchema) });

// ---- Review notes (/api/asset-version/:id/notes)
export const noteSchema = z.object({
  id: textSchema(),
  assetVersionId: textSchema(),
  author: z.object({ id: textSchema(), name: textSchema() }).nullable(),
  body: textSchema(),
  timeSec: z.number().nullable().describe("Seconds into the video; null for an image or the whole take"),
  resolved: z.boolean(),
  resolvedAt: textSchema().nullable(),
  createdAt: textSchema(),
  updatedAt: textSchema(),
});
export type Note = z.infer<typeof noteSchema>;
export const noteListResponseSchema = z.object({ notes: z.array(noteSchema).describe("By time, then date") });
export const noteCreateSchema = z.object({
  body: textSchema().trim().min(1).max(5000),
  timeSec: z.number().finite().min(0).max(86_400).nullable().optional(),
});
export const notePatchSchema = z
  .object({
    body: textSchema().trim().min(1).max(5000).optional(),
    timeSec: z.number().finite().min(0).max(86_400).nullable().optional(),
    resolved: z.boolean().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "Provide at least one field" });
export const noteParamsSchema = z.object({ id: textSchema().min(1), noteId: textSchema().min(1) });

// ---- GET /api/events (server-sent events)
export const eventsQuerySchema = z.object({
  lastEventId: textSchema()
    .max(100)
    .optional()
    .describe("Same as the Last-Event-ID header, for clients that reconnect by hand"),
});
