import { z } from "zod";
import { isoDateSchema, textSchema } from "./common.js";
import { segmentSchema } from "./editing.js";
import { jobStatusSchema } from "./enums.js";

// ---------------------------------------------------------------------------------------------------------
// What the web editor needs beyond editing-api.md: reorder, undo/redo by restoring a timeline snapshot,
// the workspace's jobs (with retry) and a project's exports. New routes only; the reference routes keep
// their shapes.
// ---------------------------------------------------------------------------------------------------------

/** The active timeline after a reorder or a restore. */
export const timelineResponseSchema = z.object({
  segments: z.array(segmentSchema).describe("Active segments in timeline order"),
  duration: z.number().describe("Seconds"),
});
export type TimelineResponse = z.infer<typeof timelineResponseSchema>;

export const segmentReorderSchema = z.object({
  segment_ids: z
    .array(textSchema().min(1))
    .min(1)
    .max(10_000)
    .describe("Every ACTIVE segment of the project exactly once, in the new order (else 409: the view is stale)"),
});

/** One segment of a timeline snapshot: which row, and its source in/out times. */
export const timelineEntrySchema = z.object({
  id: textSchema().min(1),
  start_ts: z.number().finite().min(0).describe("Source time"),
  end_ts: z.number().finite().min(0).describe("Source time, > start_ts and <= the media's duration"),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const timelineRestoreSchema = z.object({
  segments: z
    .array(timelineEntrySchema)
    .max(10_000)
    .describe("The timeline to restore, in order: these segments become the active ones, with these times"),
  expected: z
    .array(timelineEntrySchema)
    .max(10_000)
    .describe("The timeline the client believes is current; when it differs the restore is a 409 (reload)"),
});
export type TimelineRestore = z.infer<typeof timelineRestoreSchema>;

// ---- jobs of the workspace
/** Job kinds whose handler can run again from the stored input (a failed one may be retried). */
export const RETRYABLE_JOB_KINDS = [
  "story",
  "scene-plan",
  "image-generate",
  "export",
  "mirror-asset",
  "import-video",
  "ai-region-generate",
] as const;

export const jobListQuerySchema = z.object({
  project_id: textSchema().min(1).optional(),
  status: jobStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const jobListItemSchema = z.object({
  id: textSchema(),
  kind: textSchema(),
  status: jobStatusSchema,
  progress: z.number().describe("0..1"),
  error: textSchema().nullable(),
  attempts: z.number().int(),
  project_id: textSchema().nullable(),
  project_name: textSchema().nullable(),
  retryable: z.boolean().describe("Failed, of a kind that can run again (POST /api/jobs/{jobId}/retry)"),
  created_at: isoDateSchema,
  updated_at: isoDateSchema,
  finished_at: isoDateSchema.nullable(),
});
export type JobListItem = z.infer<typeof jobListItemSchema>;
export const jobListResponseSchema = z.object({ jobs: z.array(jobListItemSchema) });

// ---- exports of a project
export const exportListItemSchema = z.object({
  export_job_id: textSchema(),
  status: jobStatusSchema,
  progress: z.number(),
  created_at: isoDateSchema,
  duration: z.number().nullable().describe("Seconds, when completed"),
  bytes: z.number().int().nullable().describe("File size, when completed"),
  export_url: textSchema().nullable().describe("Signed URL to play inline"),
  download_url: textSchema().nullable().describe("Signed URL that downloads the file"),
  rendered_parts: z.number().int().nullable(),
  reused_parts: z.number().int().nullable(),
  error: textSchema().nullable(),
});
export type ExportListItem = z.infer<typeof exportListItemSchema>;
export const exportListResponseSchema = z.object({ exports: z.array(exportListItemSchema) });
