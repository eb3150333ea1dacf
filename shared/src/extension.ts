import { z } from "zod";
import { httpUrlSchema, isoDateSchema } from "./common.js";
import {
  assetStatusSchema,
  assetTypeSchema,
  ingestStatusSchema,
  projectStatusSchema,
  rightsStateSchema,
} from "./enums.js";

/** Scene codes ("001", "002a") are case-insensitive and stored uppercased. */
export const sceneCodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .transform((s) => s.toUpperCase());
/**
 * Slugs other capture clients use for platforms Dailies knows under another slug. Resolved on the way in, so
 * one platform's versions are never split across two slugs.
 */
export const PLATFORM_ALIASES: Readonly<Record<string, string>> = {
  "kling-ai": "kling",
  "luma-dream-machine": "luma",
  "luma-ai": "luma",
  "bfl-flux": "flux",
  "leonardo-ai": "leonardo",
};

/** Platform slugs are case-insensitive and stored lowercased; known aliases resolve to our slug. */
export const platformKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((s) => {
    const slug = s.toLowerCase();
    return PLATFORM_ALIASES[slug] ?? slug;
  });

/** Any text of URL length: client-side locations (chrome-extension:, about:, file:) are kept as given. */
const anyUrlTextSchema = z.string().trim().min(1).max(4096);

// ---- GET /api/extension/projects
export const extensionProjectSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: projectStatusSchema,
  genre: z.string().nullable(),
  updatedAt: isoDateSchema,
  sceneCount: z.number().int(),
});
export const extensionProjectsResponseSchema = z.object({ projects: z.array(extensionProjectSchema) });

// ---- GET /api/extension/scenes
export const projectIdQuerySchema = z.object({ projectId: z.string().min(1) });
export const extensionSceneSchema = z.object({
  id: z.string(),
  sceneId: z.string().describe("Scene code, uppercased (e.g. 001, 002A)"),
  storyBeat: z.string().nullable(),
  act: z.number().int().nullable(),
  macroScene: z.string().nullable(),
  title: z.string().nullable().describe("Scene title (an addition to the reference's fields)"),
});
export const extensionScenesResponseSchema = z.object({ scenes: z.array(extensionSceneSchema) });

// ---- GET /api/extension/scene-assets
export const sceneAssetsQuerySchema = z.object({
  projectId: z.string().min(1),
  sceneId: sceneCodeSchema,
  assetType: assetTypeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30).describe("Max results (default 30, max 100)"),
});
export const assetVersionSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  sceneDbId: z.string(),
  sceneId: z.string(),
  shotId: z.string().nullable(),
  assetType: assetTypeSchema,
  platformKey: z.string(),
  platformLabel: z.string(),
  prompt: z.string(),
  negativePrompt: z.string().nullable(),
  title: z.string().nullable(),
  modelName: z.string().nullable(),
  outputUrl: z.string().nullable(),
  thumbnailUrl: z.string().nullable(),
  sourceUrl: z.string().nullable(),
  status: assetStatusSchema,
  selected: z.boolean(),
  rightsState: rightsStateSchema,
  versionNumber: z.number().int(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  tags: z.array(z.string()),
  notes: z.string().nullable(),
  externalAssetId: z.string().nullable(),
  promptPackageId: z.string().nullable(),
  compareGroup: z.string().nullable(),
  parentVersionId: z.string().nullable(),
  provenance: z.record(z.string(), z.unknown()).nullable(),
  costEstimateUsd: z.number().nullable(),
  generationSeconds: z.number().nullable(),
  queueWaitSeconds: z.number().nullable(),
  mirrorStatus: z
    .enum(["none", "pending", "mirrored", "failed"])
    .describe("State of the server's own copy of outputUrl: none (no URL), pending, mirrored, failed"),
  mirrorUrl: z
    .string()
    .nullable()
    .describe("Signed, expiring URL of the server's mirrored copy of outputUrl (null until mirrored)"),
  thumbnailMirrorUrl: z.string().nullable().describe("Signed URL of the mirrored thumbnail (null until mirrored)"),
  mirrorError: z.string().nullable(),
  createdAt: isoDateSchema,
});
export type AssetVersion = z.infer<typeof assetVersionSchema>;
export const sceneAssetsResponseSchema = z.object({
  scene: z.object({ id: z.string(), sceneId: z.string(), storyBeat: z.string().nullable() }),
  assets: z.array(assetVersionSchema),
});

// ---- GET /api/extension/platforms
export const platformSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  provider: z.string(),
  specialties: z.array(z.string()),
  supportedOutput: z.array(assetTypeSchema),
  homepageUrl: z.string().nullable(),
  docsUrl: z.string().nullable(),
  custom: z.boolean().describe("true for platforms registered by an ingest with an unknown platformKey"),
});
export type Platform = z.infer<typeof platformSchema>;
export const platformsResponseSchema = z.object({ platforms: z.array(platformSchema) });

// ---- POST /api/extension/ingest
export const promptPackageInputSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  prompt: z.string().min(1).optional(),
  negativePrompt: z.string().optional(),
  constraints: z.record(z.string(), z.unknown()).optional(),
  targetAspectRatio: z.string().max(16).optional(),
  targetDurationSec: z.number().positive().optional(),
  styleProfile: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  tags: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const ingestRequestSchema = z.object({
  projectId: z.string().min(1),
  sceneId: sceneCodeSchema,
  platformKey: platformKeySchema.optional().describe("Required unless platformId is given"),
  platformId: z.string().min(1).optional().describe("Platform database id, alternative to platformKey"),
  assetType: assetTypeSchema,
  prompt: z.string().min(1),
  outputUrl: httpUrlSchema.optional(),
  title: z.string().max(500).optional(),
  sourceUrl: anyUrlTextSchema
    .optional()
    .describe(
      "Page the capture came from; any scheme (chrome-extension:, about:, file:) is stored as given, never fetched",
    ),
  thumbnailUrl: anyUrlTextSchema
    .optional()
    .describe("Mirrored when http(s); any other scheme (blob:, data:) is dropped with an entry in `warnings`"),
  modelName: z.string().max(200).optional(),
  negativePrompt: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string().max(100)).max(100).optional(),
  status: ingestStatusSchema.default("DRAFT"),
  notes: z.string().optional(),
  shotId: z.string().min(1).optional(),
  selected: z.boolean().optional().describe("true sets status SELECTED and unselects other versions of the scene+type"),
  externalAssetId: z.string().max(500).optional(),
  promptPackageId: z.string().min(1).optional(),
  compareGroup: z.string().max(200).optional(),
  rightsState: rightsStateSchema.default("UNKNOWN"),
  createPromptPackage: z.boolean().optional(),
  promptPackage: promptPackageInputSchema.optional(),
  provenance: z.record(z.string(), z.unknown()).optional(),
  platformLabel: z.string().max(200).optional().describe("Display name; names a custom platform for an unknown key"),
  parentVersionId: z.string().min(1).optional(),
  costEstimateUsd: z.number().nonnegative().optional(),
  generationSeconds: z.number().nonnegative().optional(),
  queueWaitSeconds: z.number().nonnegative().optional(),
});
export type IngestRequest = z.input<typeof ingestRequestSchema>;
export type IngestInput = z.output<typeof ingestRequestSchema>;

export const ingestWarningSchema = z.object({
  field: z.string(),
  code: z.string().describe("Machine-readable reason, e.g. unsupported_url_scheme"),
  message: z.string(),
});
export type IngestWarning = z.infer<typeof ingestWarningSchema>;

export const ingestResponseSchema = z.object({
  ok: z.literal(true),
  asset: z.object({
    id: z.string(),
    versionNumber: z.number().int(),
    platformKey: z.string(),
    platformLabel: z.string(),
    assetType: assetTypeSchema,
    status: assetStatusSchema,
    rightsState: rightsStateSchema,
    shotId: z.string().nullable(),
    sceneId: z.string(),
    projectId: z.string(),
    promptPackageId: z.string().nullable(),
    externalAssetId: z.string().nullable(),
    mirrorStatus: z.enum(["none", "pending", "mirrored", "failed"]),
    createdAt: isoDateSchema,
  }),
  duplicate: z
    .literal(true)
    .optional()
    .describe("Present when the body repeated one filed in the last 24 h: the answer is that earlier version"),
  warnings: z
    .array(ingestWarningSchema)
    .optional()
    .describe("Present when a field was dropped instead of refusing the capture (e.g. a blob: thumbnailUrl)"),
});
export type IngestResponse = z.infer<typeof ingestResponseSchema>;

// ---- GET/PUT /api/extension/profile
export const preferencesSchema = z.object({
  lastActiveProjectId: z.string().nullable(),
  lastActiveSceneId: z.string().nullable(),
  defaultAssetType: assetTypeSchema,
  defaultStatus: ingestStatusSchema,
  enabledPlatforms: z.array(z.string()),
  autoFillEnabled: z.boolean(),
});
export type Preferences = z.infer<typeof preferencesSchema>;
export const DEFAULT_PREFERENCES: Preferences = {
  lastActiveProjectId: null,
  lastActiveSceneId: null,
  defaultAssetType: "VIDEO",
  defaultStatus: "DRAFT",
  enabledPlatforms: ["openai-sora", "google-veo", "freepik-ai"],
  autoFillEnabled: true,
};
export const profileResponseSchema = z.object({
  preferences: preferencesSchema,
  ignoredKeys: z
    .array(z.string())
    .optional()
    .describe("Keys of the update the contract does not name: accepted, not stored (present only when some were sent)"),
});
/** The contract's keys; other clients send more (lastProjectId, preferredStatus, …), which are accepted and ignored. */
export const PREFERENCE_KEYS = [
  "lastActiveProjectId",
  "lastActiveSceneId",
  "defaultAssetType",
  "defaultStatus",
  "enabledPlatforms",
  "autoFillEnabled",
] as const;
export const profileUpdateSchema = z.object({
  preferences: z.looseObject({
    lastActiveProjectId: z.string().nullable().optional(),
    lastActiveSceneId: z.string().nullable().optional(),
    defaultAssetType: assetTypeSchema.optional(),
    defaultStatus: ingestStatusSchema.optional(),
    enabledPlatforms: z.array(platformKeySchema).max(200).optional(),
    autoFillEnabled: z.boolean().optional(),
  }),
});

// ---- GET /api/extension/shots
export const shotsQuerySchema = z.object({ sceneDbId: z.string().min(1) });
export const shotSchema = z.object({
  id: z.string(),
  shotCode: z.string(),
  description: z.string().nullable(),
  sortOrder: z.number().int(),
});
export const shotsResponseSchema = z.object({ shots: z.array(shotSchema) });

// ---- GET /api/extension/characters
export const characterSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string().nullable(),
  description: z.string().nullable(),
});
export const charactersResponseSchema = z.object({ characters: z.array(characterSchema) });

// ---- PATCH /api/extension/asset-update
export const assetUpdateSchema = z.object({
  assetId: z.string().min(1),
  selected: z.boolean().optional(),
  compareGroup: z.string().max(200).nullable().optional().describe("null clears the compare group"),
});
export const assetUpdateResponseSchema = z.object({ ok: z.literal(true), asset: assetVersionSchema });
