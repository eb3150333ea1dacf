import { z } from "zod";
import { projectSchema } from "./management.js";

/** A file the server holds for a project (upload, mirrored capture, render), with what ffprobe found. */
export const mediaSchema = z.object({
  id: z.string(),
  origin: z.enum(["upload", "mirror", "render", "generated", "export"]),
  status: z.enum(["pending", "ready", "failed"]),
  kind: z.enum(["video", "audio", "image", "other"]).nullable(),
  mime: z.string().nullable(),
  bytes: z.number().int().nullable(),
  duration: z.number().nullable().describe("seconds"),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  fps: z.number().nullable(),
  video_codec: z.string().nullable(),
  audio_codec: z.string().nullable(),
  has_audio: z.boolean().nullable(),
  file_name: z.string().nullable(),
  url: z.string().nullable().describe("Signed, expiring URL of the file (range requests supported)"),
  error: z.string().nullable(),
  created_at: z.string(),
});
export type Media = z.infer<typeof mediaSchema>;

/** A timeline segment as the editing reference shows it; start_ts/end_ts are times in the source media. */
export const segmentSchema = z.object({
  id: z.string(),
  project_id: z.string(),
  media_id: z.string(),
  start_ts: z.number(),
  end_ts: z.number(),
  source: z.enum(["original", "graded", "generated"]),
  url: z.string().nullable().describe("Signed URL of the segment's source media"),
  variant_id: z.string().nullable(),
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
