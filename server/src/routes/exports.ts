import {
  EXPORT_FORMATS,
  errorSchema,
  exportAcceptedSchema,
  exportRequestSchema,
  exportStatusSchema,
  idParamsSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { exportStatus, requireExport, startExport } from "../services/exports.js";

/** POST /api/export and GET /api/export/{id}. The file itself is served by /media/{id} (signed). */
export async function exportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["exports"];

  r.post(
    "/api/export",
    {
      schema: {
        tags,
        summary: "Export the project's timeline to one video file (a job)",
        description: [
          `Formats: ${EXPORT_FORMATS.join(", ")} — H.264 (x264, yuv420p) + AAC 48 kHz stereo, faststart. Any other`,
          "format (webm, mov, gif, …) is a 400 with `fieldErrors.format`.",
          "The active segments are copied into the job when it is created (later edits do not change it) and",
          "joined in order. Segments of different size, frame rate or with/without audio are normalized to one",
          "format: the first segment's size and frame rate unless DAILIES_EXPORT_WIDTH/DAILIES_EXPORT_HEIGHT are",
          "set (others are fitted inside it, letterboxed), and silence for a segment without audio. Each segment",
          "is rendered once and cached by its content (source hash, in/out times, grade, variant, output format);",
          "the parts are joined by the concat demuxer without re-encoding, so an export after one edit re-renders",
          "only the changed segment, and an export of an unchanged timeline reuses the previous export's file",
          "(nothing rendered or written). Old exports and parts are evicted past DAILIES_CACHE_MAX_BYTES, never the",
          'current timeline\'s. Answers 202 `{ export_job_id, status: "pending", message }`; poll',
          "GET /api/export/{export_job_id}. 409 for an empty timeline, 503 without ffmpeg.",
        ].join(" "),
        body: exportRequestSchema,
        response: {
          202: exportAcceptedSchema,
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          409: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = await startExport(app.deps, request.auth, request.body.project_id, request.body.format);
      return reply.code(202).send({
        export_job_id: id,
        status: "pending" as const,
        message: "Export job created — check status with get_export_status (GET /api/export/{export_job_id})",
      });
    },
  );

  r.get(
    "/api/export/:id",
    {
      schema: {
        tags,
        summary: "Status of an export, and its file's URLs when completed",
        description: [
          "`{ export_job_id, status, progress, export_url, download_url, error, duration, rendered_parts,",
          "reused_parts }`. `progress` (0..1) is the share of timeline seconds rendered, from ffmpeg's -progress",
          "output. When completed: `export_url` plays inline with HTTP Range support (a <video> tag can seek),",
          "`download_url` downloads it as an attachment; both are signed, expiring links (no bearer header) and",
          "are signed afresh on every poll. `rendered_parts`/`reused_parts` say how many segments this export",
          "rendered and how many came from the render cache.",
        ].join(" "),
        params: idParamsSchema,
        response: { 200: exportStatusSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) =>
      await exportStatus(app.deps, (await requireExport(app.deps, request.auth, request.params.id)).job),
  );
}
