import { z } from "zod";
import { textSchema } from "./common.js";
import { assetTypeSchema } from "./enums.js";

/**
 * One generation found on an AI site by the extension, before it is filed into a scene.
 * `externalId` is the site's own id (gen_…, mediaGenerationId, creation id) and de-duplicates captures.
 */
export const captureSchema = z.object({
  platformKey: textSchema().min(1),
  externalId: textSchema().min(1),
  assetType: assetTypeSchema,
  prompt: textSchema(),
  negativePrompt: textSchema().optional(),
  model: textSchema().optional(),
  aspectRatio: textSchema().optional(),
  durationSec: z.number().optional(),
  seed: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  outputUrl: textSchema().optional(),
  thumbnailUrl: textSchema().optional(),
  pageUrl: textSchema(),
  title: textSchema().optional(),
  source: z.enum(["network", "dom", "context-menu"]),
  /** Other ids the site shows for the same generation (Freepik's short `identifier` beside the creation id). */
  altIds: z.array(textSchema().min(1).max(200)).max(5).optional(),
});
export type Capture = z.infer<typeof captureSchema>;
