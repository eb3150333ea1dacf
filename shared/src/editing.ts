import { z } from "zod";
import { int32Schema, textSchema } from "./common.js";
import { projectSchema } from "./management.js";

/** A file the server holds for a project (upload, mirrored capture, render), with what ffprobe found. */
export const mediaSchema = z.object({
  id: textSchema(),
  origin: z.enum(["upload", "mirror", "render", "generated", "export"]),
  status: z.enum(["pending", "ready", "failed"]),
  kind: z.enum(["video", "audio", "image", "other"]).nullable(),
  mime: textSchema().nullable(),
  bytes: z.number().int().nullable(),
  duration: z.number().nullable().describe("seconds"),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  fps: z.number().nullable(),
  video_codec: textSchema().nullable(),
  audio_codec: textSchema().nullable(),
  has_audio: z.boolean().nullable(),
  file_name: textSchema().nullable(),
  url: textSchema().nullable().describe("Signed, expiring URL of the file (range requests supported)"),
  error: textSchema().nullable(),
  created_at: textSchema(),
});
export type Media = z.infer<typeof mediaSchema>;

/** A timeline segment as the editing reference shows it; start_ts/end_ts are times in the source media. */
export const segmentSchema = z.object({
  id: textSchema(),
  project_id: textSchema(),
  media_id: textSchema(),
  start_ts: z.number(),
  end_ts: z.number(),
  source: z.enum(["original", "graded", "generated"]),
  url: textSchema().nullable().describe("Signed URL of the segment's source media"),
  variant_id: textSchema().nullable(),
  order_index: z.number().int(),
  active: z.boolean(),
  timeline_start: z
    .number()
    .nullable()
    .describe("Where the segment starts on the project timeline (active segments only)"),
});
export type Segment = z.infer<typeof segmentSchema>;

export const projectDetailsSchema = projectSchema.extend({
  media: z.array(mediaSchema),
  segments: z.array(segmentSchema).describe("Active segments in timeline order"),
  duration: z.number().describe("Length of the project timeline in seconds (sum of active segments)"),
});
export type ProjectDetails = z.infer<typeof projectDetailsSchema>;

// ---------------------------------------------------------------------------------------------------------
// Editing and export API (editing-api.md). Timeline times (`ts`, `start`, `end`, `timestamp`) are seconds on
// the PROJECT TIMELINE: the active segments laid end to end in order_index order, the first starting at 0.
// Segment times (`start_ts`, `end_ts`, `split_ts`, `new_start_ts`, `new_end_ts`) are seconds in the
// segment's SOURCE MEDIA.
// ---------------------------------------------------------------------------------------------------------

const seconds = (what: string) => z.number().finite().min(0).describe(what);

// ---- uploads
export const uploadRequestSchema = z.object({
  file_name: textSchema().trim().min(1).max(255).describe("Shown in the UI only; never used as a path"),
  content_type: textSchema()
    .trim()
    .min(1)
    .max(255)
    .describe("What the client believes the file is; the server trusts what ffprobe finds"),
});
export type UploadRequest = z.infer<typeof uploadRequestSchema>;
export const uploadResponseSchema = z.object({
  upload_url: textSchema().describe("Signed, expiring, single-use URL: PUT the file's bytes to it"),
  asset_id: textSchema().describe("The media id the file will have (GET /api/project/{id} lists it)"),
  method: z.literal("PUT"),
  expires_at: textSchema().describe("ISO 8601: the URL stops working after this"),
  max_bytes: z.number().int().describe("Larger bodies are refused with 413"),
  direct: z
    .boolean()
    .optional()
    .describe(
      "true when `upload_url` is a presigned URL of the object storage bucket (DAILIES_S3_DIRECT_UPLOADS): the PUT " +
        "answers the bucket's empty 200, and the media is probed afterwards by a worker — poll `status_url`",
    ),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe("Headers the PUT must carry exactly as given (part of the bucket's signature), e.g. content-type"),
  status_url: textSchema()
    .optional()
    .describe("GET (with the bearer token) for the media's status: pending until a worker has probed the file"),
});
export type UploadResponse = z.infer<typeof uploadResponseSchema>;
export const uploadQuerySchema = z.object({ exp: textSchema(), sig: textSchema() });

// ---- preview
export const previewFrameRequestSchema = z.object({ ts: seconds("Time on the project timeline, 0..duration") });
export const previewFrameSchema = z.object({
  frame_url: textSchema().describe("Signed, expiring URL of the JPEG"),
  timestamp: z.number().describe("Time on the project timeline"),
  segment_id: textSchema().describe("The active segment shown at that time"),
  source_ts: z.number().describe("The frame's time in the segment's source media"),
});
export type PreviewFrame = z.infer<typeof previewFrameSchema>;
export const previewStripRequestSchema = z.object({
  start: seconds("First frame's time on the project timeline"),
  end: z.number().finite().describe("End of the strip on the timeline (exclusive); must be after start"),
  fps: z.number().finite().describe("Frames per second of timeline; > 0; at most 200 frames per strip"),
});
export const previewStripResponseSchema = z.object({ frames: z.array(previewFrameSchema) });
export type PreviewStripResponse = z.infer<typeof previewStripResponseSchema>;

/** Most frames one strip request may ask for. */
export const MAX_STRIP_FRAMES = 200;

// ---- segments
export const splitRequestSchema = z.object({
  split_ts: z.number().finite().describe("Source time strictly between the segment's start_ts and end_ts"),
});
export const splitResponseSchema = z.object({ left: segmentSchema, right: segmentSchema });
export const trimRequestSchema = z.object({
  new_start_ts: seconds("New start, source time, >= the segment's start_ts"),
  new_end_ts: seconds("New end, source time, <= the segment's end_ts and > new_start_ts"),
});
export const segmentDeletedSchema = z.object({ deleted: z.literal(true) });

export const segmentCreateSchema = z
  .object({
    media_id: textSchema().min(1).optional().describe("An uploaded or mirrored video of this project"),
    asset_version_id: textSchema().min(1).optional().describe("A captured VIDEO version whose media was mirrored"),
    start_ts: seconds("In point in the source media (default 0)").optional(),
    end_ts: seconds("Out point in the source media (default: its duration)").optional(),
    order_index: int32Schema()
      .min(0)
      .optional()
      .describe("Insert before the active segment at this position (default: append)"),
  })
  .refine((b) => (b.media_id === undefined) !== (b.asset_version_id === undefined), {
    message: "Give exactly one of media_id and asset_version_id",
    path: ["media_id"],
  });
export type SegmentCreate = z.infer<typeof segmentCreateSchema>;

export const assembleRequestSchema = z.object({
  scene_ids: z
    .array(textSchema().min(1))
    .optional()
    .describe("Scene codes to use (default: every scene); the order is always the scenes' order"),
});
export const assembleResponseSchema = z.object({
  segments: z.array(segmentSchema).describe("The new timeline, in order"),
  skipped: z
    .array(z.object({ scene_id: textSchema(), reason: textSchema() }))
    .describe("Scenes without a usable video version"),
  duration: z.number(),
});
export type AssembleResponse = z.infer<typeof assembleResponseSchema>;

// ---- color
/** Ranges of the grade offsets, the one source for validation and for the server's GRADE_PARAMS (media/args.ts). */
export const GRADE_RANGES = {
  brightness: [-1, 1],
  contrast: [-1, 1],
  saturation: [-1, 1],
  temperature: [-1, 1],
  gamma: [-1, 1],
  hue_shift: [-180, 180],
} as const;
const gradeValue = (name: keyof typeof GRADE_RANGES) =>
  z
    .number()
    .finite()
    .min(GRADE_RANGES[name][0])
    .max(GRADE_RANGES[name][1])
    .optional()
    .describe(`${GRADE_RANGES[name][0]}..${GRADE_RANGES[name][1]}, 0 (default) = unchanged`);
export const gradeParamsSchema = z.strictObject({
  brightness: gradeValue("brightness"),
  contrast: gradeValue("contrast"),
  saturation: gradeValue("saturation"),
  temperature: gradeValue("temperature"),
  gamma: gradeValue("gamma"),
  hue_shift: gradeValue("hue_shift"),
});
export type GradeParamsBody = z.infer<typeof gradeParamsSchema>;
export const gradePreviewRequestSchema = gradeParamsSchema.extend({
  at: z
    .number()
    .finite()
    .optional()
    .describe("Source time of the frame, inside the segment (default: the segment's middle)"),
});
export const gradePreviewResponseSchema = z.object({
  preview_frame_url: textSchema(),
  source_ts: z.number().describe("The frame's time in the source media"),
});
export const colorGradeResponseSchema = z.object({
  segment_id: textSchema().describe("The new active segment (source: graded)"),
  graded_url: textSchema().describe("Signed URL of the graded render (H.264 + AAC, the export format)"),
  job_id: textSchema().describe("The render's job (GET /api/job/{id})"),
});

// ---- export
export const EXPORT_FORMATS = ["mp4"] as const;
export const exportRequestSchema = z.object({
  project_id: textSchema().min(1),
  format: textSchema().default("mp4").describe("Only mp4 (H.264 + AAC) is supported; anything else is a 400"),
});
export const exportAcceptedSchema = z.object({
  export_job_id: textSchema(),
  status: z.literal("pending"),
  message: textSchema(),
});
export const exportStatusSchema = z.object({
  export_job_id: textSchema(),
  project_id: textSchema(),
  format: textSchema(),
  status: z.enum(["pending", "running", "completed", "failed"]),
  progress: z.number().describe("0..1, from ffmpeg's -progress output"),
  export_url: textSchema().nullable().describe("Signed URL to play the file inline (HTTP Range supported)"),
  download_url: textSchema().nullable().describe("Signed URL that downloads the file as an attachment"),
  error: textSchema().nullable(),
  duration: z.number().nullable().describe("Seconds, when completed"),
  rendered_parts: z.number().int().nullable().describe("Segments rendered by this export (others came from cache)"),
  reused_parts: z.number().int().nullable(),
});
export type ExportStatus = z.infer<typeof exportStatusSchema>;

// ---- GET /api/job/{id}
export const editingJobSchema = z.object({
  id: textSchema(),
  project_id: textSchema().nullable(),
  kind: textSchema(),
  status: z.enum(["pending", "running", "completed", "failed"]),
  progress: z.number(),
  error: textSchema().nullable(),
  result: z.unknown().nullable(),
  variants: z.array(z.object({ id: textSchema(), url: textSchema().nullable(), preview_url: textSchema().nullable() })),
  created_at: textSchema(),
  updated_at: textSchema(),
});
export type EditingJob = z.infer<typeof editingJobSchema>;

// ---------------------------------------------------------------------------------------------------------
// AI region generation and variants (POST /api/ai/generate, /api/variant/{id}/accept, /api/variant/{id}/score).
// `start_ts`/`end_ts` here are times on the PROJECT TIMELINE; `bounding_box` is in fractions of the frame.
// ---------------------------------------------------------------------------------------------------------

/** A region of the frame in fractions of its width and height (0..1), top-left origin. */
export const boundingBoxSchema = z
  .object({
    x: z.number().finite().min(0).max(1).describe("Left edge, fraction of the frame width"),
    y: z.number().finite().min(0).max(1).describe("Top edge, fraction of the frame height"),
    width: z.number().finite().gt(0).max(1).describe("Fraction of the frame width, > 0; x + width <= 1"),
    height: z.number().finite().gt(0).max(1).describe("Fraction of the frame height, > 0; y + height <= 1"),
  })
  .superRefine((b, ctx) => {
    // A little slack for boxes computed from pixels (0.1 + 0.9 is 1.0000000000000002).
    if (b.x + b.width > 1 + 1e-9)
      ctx.addIssue({ code: "custom", path: ["width"], message: "x + width must be at most 1" });
    if (b.y + b.height > 1 + 1e-9)
      ctx.addIssue({ code: "custom", path: ["height"], message: "y + height must be at most 1" });
  });
export type BoundingBox = z.infer<typeof boundingBoxSchema>;

export const aiGenerateRequestSchema = z
  .object({
    project_id: textSchema().min(1),
    prompt: textSchema()
      .trim()
      .min(1)
      .max(2000)
      .describe("What to do inside the box. `local` understands blur, pixelate, remove, grayscale, brighten, darken"),
    start_ts: seconds("Start of the range on the project timeline"),
    end_ts: z.number().finite().describe("End of the range on the project timeline; after start_ts, <= the duration"),
    bounding_box: boundingBoxSchema,
    provider: textSchema()
      .trim()
      .min(1)
      .default("local")
      .describe("Video provider: local (ffmpeg region edits, offline) or replicate (REPLICATE_API_TOKEN)"),
  })
  .refine((b) => b.end_ts > b.start_ts, { message: "end_ts must be after start_ts", path: ["end_ts"] });
export type AiGenerateRequest = z.infer<typeof aiGenerateRequestSchema>;

export const aiGenerateResponseSchema = z.object({
  job_id: textSchema().describe("Poll GET /api/job/{job_id} for status, progress and variants"),
  project_id: textSchema(),
  status: z.literal("pending"),
  provider: textSchema(),
  variant_count: z.number().int().describe("How many variants the job makes (DAILIES_AI_VARIANTS)"),
});
export type AiGenerateResponse = z.infer<typeof aiGenerateResponseSchema>;

export const variantIdParamsSchema = z.object({ id: textSchema().min(1) });

export const variantSchema = z.object({
  id: textSchema(),
  job_id: textSchema(),
  project_id: textSchema(),
  url: textSchema().nullable().describe("Signed URL of the variant clip (the range only, H.264 + AAC)"),
  preview_url: textSchema().nullable().describe("Signed URL of a JPEG from the middle of the range"),
  prompt: textSchema(),
  provider: textSchema(),
  start_ts: z.number().describe("Timeline range the variant replaces"),
  end_ts: z.number(),
  bounding_box: boundingBoxSchema,
  info: z.record(textSchema(), z.unknown()).nullable().describe("How it was made: op, parameters, model"),
  accepted_at: textSchema().nullable(),
  created_at: textSchema(),
});
export type Variant = z.infer<typeof variantSchema>;

export const variantAcceptResponseSchema = z.object({
  variant_id: textSchema(),
  accepted_at: textSchema(),
  segment: segmentSchema.describe("The new active segment (source: generated) covering exactly the range"),
  replaced_segment_ids: z
    .array(textSchema())
    .describe("Segments deactivated by the accept (kept, with active: false; split parts keep parent_segment_id)"),
  segments: z.array(segmentSchema).describe("The project timeline after the accept, in order"),
  duration: z.number(),
});
export type VariantAcceptResponse = z.infer<typeof variantAcceptResponseSchema>;

export const SCORE_COMPARE_TO = ["prompt", "original"] as const;
export const variantScoreQuerySchema = z.object({
  compare_to: z
    .enum(SCORE_COMPARE_TO)
    .default("prompt")
    .describe("prompt: did the box change as asked; original: how the variant differs from the source range"),
  provider: textSchema()
    .trim()
    .min(1)
    .default("local")
    .describe("Scorer: local (measured SSIM/PSNR and the edit's expected effect) or gemini (GEMINI_API_KEY)"),
});
export const variantScoreSchema = z.object({
  variant_id: textSchema(),
  score: z.object({
    overall_rating: textSchema(),
    details: textSchema(),
    fidelity_to_prompt: textSchema(),
    visual_quality: textSchema(),
  }),
  compare_to: z.enum(SCORE_COMPARE_TO),
  provider: textSchema(),
  metrics: z
    .record(textSchema(), z.number().nullable())
    .optional()
    .describe("The local scorer's measurements (ssim_inside, ssim_outside, psnr_outside, …)"),
});
export type VariantScore = z.infer<typeof variantScoreSchema>;
