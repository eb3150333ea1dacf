import {
  colorGradeResponseSchema,
  errorSchema,
  gradeParamsSchema,
  gradePreviewRequestSchema,
  gradePreviewResponseSchema,
  idParamsSchema,
  segmentDeletedSchema,
  segmentSchema,
  splitRequestSchema,
  splitResponseSchema,
  trimRequestSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { GRADE_PARAM_NAMES, GRADE_PARAMS } from "../media/args/index.js";
import { gradePreview, startColorGrade } from "../services/grading.js";
import { requireFfmpeg } from "../services/mediaFailures.js";
import { assertActive, deleteSegment, requireSegment, splitSegment, trimSegment } from "../services/segments.js";

/** The grade parameters as the OpenAPI description lists them: range, meaning and ffmpeg mapping. */
const GRADE_DOC = GRADE_PARAM_NAMES.map(
  (name) => `\`${name}\` (${GRADE_PARAMS[name].min}..${GRADE_PARAMS[name].max}): ${GRADE_PARAMS[name].description}`,
).join(" ");
const GRADE_INTRO =
  "Every parameter is an optional OFFSET where 0 (the default) leaves the picture unchanged; out-of-range values " +
  "are a 400 with fieldErrors. The filters run in this order: eq (brightness, contrast, saturation, gamma), " +
  "colortemperature, hue.";

/** /api/segment/{id}: split, trim, soft delete, color grade and grade preview. */
export async function segmentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { repos } = app.deps;
  const tags = ["segments"];
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema };
  const inactive = "Editing an inactive segment (split, graded, replaced or deleted) is a 409.";

  r.post(
    "/api/segment/:id/split",
    {
      schema: {
        tags,
        summary: "Split a segment in two at a source time",
        description:
          "`split_ts` is a time in the segment's SOURCE media, strictly between its start_ts and end_ts (else 400). " +
          "The original is deactivated (kept); `left` (start_ts..split_ts) and `right` (split_ts..end_ts) take its " +
          `place on the timeline, with the same source, grade and variant. One transaction. ${inactive}`,
        params: idParamsSchema,
        body: splitRequestSchema,
        response: { 200: splitResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { segment } = await requireSegment(repos, request.auth, request.params.id);
      assertActive(segment);
      return await splitSegment(app.deps, segment.id, request.body.split_ts);
    },
  );

  r.post(
    "/api/segment/:id/trim",
    {
      schema: {
        tags,
        summary: "Trim a segment to new source in/out times within its bounds",
        description:
          "`new_start_ts` < `new_end_ts`, both SOURCE times within the segment's current start_ts..end_ts (trimming " +
          "shortens; to lengthen, add the media again with POST /api/project/{id}/segments). The segment keeps its " +
          `id and place; the timeline after it moves up. ${inactive}`,
        params: idParamsSchema,
        body: trimRequestSchema,
        response: { 200: segmentSchema, ...errors },
      },
    },
    async (request) => {
      const { segment } = await requireSegment(repos, request.auth, request.params.id);
      assertActive(segment);
      return await trimSegment(app.deps, segment.id, request.body.new_start_ts, request.body.new_end_ts);
    },
  );

  r.delete(
    "/api/segment/:id",
    {
      schema: {
        tags,
        summary: "Soft-delete a segment (active: false)",
        description: `The row is kept (active: false); the active segments after it are renumbered. ${inactive}`,
        params: idParamsSchema,
        response: { 200: segmentDeletedSchema, ...errors },
      },
    },
    async (request) => {
      const { segment } = await requireSegment(repos, request.auth, request.params.id);
      assertActive(segment);
      await deleteSegment(app.deps, segment.id);
      return { deleted: true as const };
    },
  );

  r.post(
    "/api/segment/:id/grade-preview",
    {
      schema: {
        tags: ["color"],
        summary: "One frame of the segment with a color grade",
        description:
          `${GRADE_INTRO} ${GRADE_DOC} Optional \`at\`: the frame's source time (default: the segment's middle). ` +
          "Answers `{ preview_frame_url, source_ts }` (a signed JPEG link; cached by source, frame and grade). " +
          `Grades are not cumulative: the grade applies to the original source. ${inactive} 503 without ffmpeg.`,
        params: idParamsSchema,
        body: gradePreviewRequestSchema,
        response: { 200: gradePreviewResponseSchema, 503: errorSchema, ...errors },
      },
    },
    async (request) => {
      const { segment } = await requireSegment(repos, request.auth, request.params.id);
      assertActive(segment);
      requireFfmpeg(app.deps);
      const { at, ...params } = request.body;
      return gradePreview(app.deps, segment, params, at);
    },
  );

  r.post(
    "/api/segment/:id/color-grade",
    {
      schema: {
        tags: ["color"],
        summary: "Render the segment with a color grade; a graded segment replaces it",
        description:
          `${GRADE_INTRO} ${GRADE_DOC} A \`color-grade\` job renders the segment with the grade in the export ` +
          "format (H.264 + AAC; the next export reuses this render) and the request waits for it. Then, in one " +
          "transaction, the segment is deactivated (kept) and a new active segment with source `graded`, the same " +
          "source media and times, and the grade takes its place. Answers `{ segment_id, graded_url, job_id }` " +
          "(`graded_url`: signed link to the render, HTTP Range supported). A new grade on a graded segment " +
          `replaces its grade (grades are not cumulative). ${inactive} 503 without ffmpeg.`,
        params: idParamsSchema,
        body: gradeParamsSchema,
        response: { 200: colorGradeResponseSchema, 503: errorSchema, ...errors },
      },
    },
    async (request) => {
      const { segment } = await requireSegment(repos, request.auth, request.params.id);
      assertActive(segment);
      requireFfmpeg(app.deps);
      return (await startColorGrade(app.deps, request.auth, segment, request.body)).done;
    },
  );
}
