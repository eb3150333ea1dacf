import { z } from "zod";
import { httpUrlSchema, isoDateSchema, textSchema } from "./common.js";
import {
  assetStatusSchema,
  assetTypeSchema,
  ingestStatusSchema,
  projectStatusSchema,
  rightsStateSchema,
} from "./enums.js";

/** Scene codes ("001", "002a") are case-insensitive and stored uppercased. */
export const sceneCodeSchema = textSchema()
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
export const platformKeySchema = textSchema()
  .trim()
  .min(1)
  .max(64)
  .transform((s) => {
    const slug = s.toLowerCase();
    return PLATFORM_ALIASES[slug] ?? slug;
  });

/** Any text of URL length: client-side locations (chrome-extension:, about:, file:) are kept as given. */
const anyUrlTextSchema = textSchema().trim().min(1).max(4096);

// ---- GET /api/extension/projects
export const extensionProjectSchema = z.object({
  id: textSchema(),
  name: textSchema(),
  status: projectStatusSchema,
  genre: textSchema().nullable(),
  updatedAt: isoDateSchema,
  sceneCount: z.number().int(),
});
export const extensionProjectsResponseSchema = z.object({ projects: z.array(extensionProjectSchema) });

// ---- GET /api/extension/scenes
export const projectIdQuerySchema = z.object({ projectId: textSchema().min(1) });
export const extensionSceneSchema = z.object({
  id: textSchema(),
  sceneId: textSchema().describe("Scene code, uppercased (e.g. 001, 002A)"),
  storyBeat: textSchema().nullable(),
  act: z.number().int().nullable(),
  macroScene: textSchema().nullable(),
  title: textSchema().nullable().describe("Scene title (an addition to the reference's fields)"),
});
export const extensionScenesResponseSchema = z.object({ scenes: z.array(extensionSceneSchema) });

// ---- GET /api/extension/scene-assets
export const sceneAssetsQuerySchema = z.object({
  projectId: textSchema().min(1),
  sceneId: sceneCodeSchema,
  assetType: assetTypeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30).describe("Max results (default 30, max 100)"),
});
export const assetVersionSchema = z.object({
  id: textSchema(),
  projectId: textSchema(),
  sceneDbId: textSchema(),
  sceneId: textSchema(),
  shotId: textSchema().nullable(),
  assetType: assetTypeSchema,
  platformKey: textSchema(),
  platformLabel: textSchema(),
  prompt: textSchema(),
  negativePrompt: textSchema().nullable(),
  title: textSchema().nullable(),
  modelName: textSchema().nullable(),
  outputUrl: textSchema().nullable(),
  thumbnailUrl: textSchema().nullable(),
  sourceUrl: textSchema().nullable(),
  status: assetStatusSchema,
  selected: z.boolean(),
  rightsState: rightsStateSchema,
  versionNumber: z.number().int(),
  metadata: z.record(textSchema(), z.unknown()).nullable(),
  tags: z.array(textSchema()),
  notes: textSchema().nullable(),
  externalAssetId: textSchema().nullable(),
  promptPackageId: textSchema().nullable(),
  compareGroup: textSchema().nullable(),
  parentVersionId: textSchema().nullable(),
  provenance: z.record(textSchema(), z.unknown()).nullable(),
  costEstimateUsd: z.number().nullable(),
  generationSeconds: z.number().nullable(),
  queueWaitSeconds: z.number().nullable(),
  mirrorStatus: z
    .enum(["none", "pending", "mirrored", "failed"])
    .describe("State of the server's own copy of outputUrl: none (no URL), pending, mirrored, failed"),
  mirrorUrl: textSchema()
    .nullable()
    .describe("Signed, expiring URL of the server's mirrored copy of outputUrl (null until mirrored)"),
  thumbnailMirrorUrl: textSchema().nullable().describe("Signed URL of the mirrored thumbnail (null until mirrored)"),
  mirrorError: textSchema().nullable(),
  createdAt: isoDateSchema,
});
export type AssetVersion = z.infer<typeof assetVersionSchema>;
export const sceneAssetsResponseSchema = z.object({
  scene: z.object({ id: textSchema(), sceneId: textSchema(), storyBeat: textSchema().nullable() }),
  assets: z.array(assetVersionSchema),
});

// ---- GET /api/extension/platforms
export const platformSchema = z.object({
  id: textSchema(),
  slug: textSchema(),
  name: textSchema(),
  provider: textSchema(),
  specialties: z.array(textSchema()),
  supportedOutput: z.array(assetTypeSchema),
  homepageUrl: textSchema().nullable(),
  docsUrl: textSchema().nullable(),
  custom: z.boolean().describe("true for platforms registered by an ingest with an unknown platformKey"),
});
export type Platform = z.infer<typeof platformSchema>;
export const platformsResponseSchema = z.object({ platforms: z.array(platformSchema) });

// ---- POST /api/extension/ingest
export const promptPackageInputSchema = z.object({
  name: textSchema().min(1).max(200).optional(),
  prompt: textSchema().min(1).optional(),
  negativePrompt: textSchema().optional(),
  constraints: z.record(textSchema(), z.unknown()).optional(),
  targetAspectRatio: textSchema().max(16).optional(),
  targetDurationSec: z.number().positive().optional(),
  styleProfile: z.union([textSchema(), z.record(textSchema(), z.unknown())]).optional(),
  tags: z.array(textSchema()).optional(),
  metadata: z.record(textSchema(), z.unknown()).optional(),
});

export const ingestRequestSchema = z.object({
  projectId: textSchema().min(1),
  sceneId: sceneCodeSchema,
  platformKey: platformKeySchema.optional().describe("Required unless platformId is given"),
  platformId: textSchema().min(1).optional().describe("Platform database id, alternative to platformKey"),
  assetType: assetTypeSchema,
  prompt: textSchema().min(1),
  outputUrl: httpUrlSchema.optional(),
  title: textSchema().max(500).optional(),
  sourceUrl: anyUrlTextSchema
    .optional()
    .describe(
      "Page the capture came from; any scheme (chrome-extension:, about:, file:) is stored as given, never fetched",
    ),
  thumbnailUrl: anyUrlTextSchema
    .optional()
    .describe("Mirrored when http(s); any other scheme (blob:, data:) is dropped with an entry in `warnings`"),
  modelName: textSchema().max(200).optional(),
  negativePrompt: textSchema().optional(),
  metadata: z.record(textSchema(), z.unknown()).optional(),
  tags: z.array(textSchema().max(100)).max(100).optional(),
  status: ingestStatusSchema.default("DRAFT"),
  notes: textSchema().optional(),
  shotId: textSchema().min(1).optional(),
  selected: z.boolean().optional().describe("true sets status SELECTED and unselects other versions of the scene+type"),
  externalAssetId: textSchema().max(500).optional(),
  promptPackageId: textSchema().min(1).optional(),
  compareGroup: textSchema().max(200).optional(),
  rightsState: rightsStateSchema.default("UNKNOWN"),
  createPromptPackage: z.boolean().optional(),
  promptPackage: promptPackageInputSchema.optional(),
  provenance: z.record(textSchema(), z.unknown()).optional(),
  platformLabel: textSchema().max(200).optional().describe("Display name; names a custom platform for an unknown key"),
  parentVersionId: textSchema().min(1).optional(),
  costEstimateUsd: z.number().nonnegative().optional(),
  generationSeconds: z.number().nonnegative().optional(),
  queueWaitSeconds: z.number().nonnegative().optional(),
});
export type IngestRequest = z.input<typeof ingestRequestSchema>;
export type IngestInput = z.output<typeof ingestRequestSchema>;

export const ingestWarningSchema = z.object({
  field: textSchema(),
  code: textSchema().describe("Machine-readable reason, e.g. unsupported_url_scheme"),
  message: textSchema(),
});
export type IngestWarning = z.infer<typeof ingestWarningSchema>;

export const ingestResponseSchema = z.object({
  ok: z.literal(true),
  asset: z.object({
    id: textSchema(),
    versionNumber: z.number().int(),
    platformKey: textSchema(),
    platformLabel: textSchema(),
    assetType: assetTypeSchema,
    status: assetStatusSchema,
    rightsState: rightsStateSchema,
    shotId: textSchema().nullable(),
    sceneId: textSchema(),
    projectId: textSchema(),
    promptPackageId: textSchema().nullable(),
    externalAssetId: textSchema().nullable(),
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
  lastActiveProjectId: textSchema().nullable(),
  lastActiveSceneId: textSchema().nullable(),
  defaultAssetType: assetTypeSchema,
  defaultStatus: ingestStatusSchema,
  enabledPlatforms: z.array(textSchema()),
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
    .array(textSchema())
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
    lastActiveProjectId: textSchema().nullable().optional(),
    lastActiveSceneId: textSchema().nullable().optional(),
    defaultAssetType: assetTypeSchema.optional(),
    defaultStatus: ingestStatusSchema.optional(),
    enabledPlatforms: z.array(platformKeySchema).max(200).optional(),
    autoFillEnabled: z.boolean().optional(),
  }),
});

// ---- GET /api/extension/shots
export const shotsQuerySchema = z.object({ sceneDbId: textSchema().min(1) });
export const shotSchema = z.object({
  id: textSchema(),
  shotCode: textSchema(),
  description: textSchema().nullable(),
  sortOrder: z.number().int(),
});
export const shotsResponseSchema = z.object({ shots: z.array(shotSchema) });

// ---- GET /api/extension/characters
export const characterSchema = z.object({
  id: textSchema(),
  name: textSchema(),
  role: textSchema().nullable(),
  description: textSchema().nullable(),
});
export const charactersResponseSchema = z.object({ characters: z.array(characterSchema) });

// ---- PATCH /api/extension/asset-update
export const assetUpdateSchema = z.object({
  assetId: textSchema().min(1),
  selected: z.boolean().optional(),
  compareGroup: textSchema().max(200).nullable().optional().describe("null clears the compare group"),
});
export const assetUpdateResponseSchema = z.object({ ok: z.literal(true), asset: assetVersionSchema });
