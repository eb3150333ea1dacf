import {
  errorSchema,
  idParamsSchema,
  MAX_STRIP_FRAMES,
  mediaSchema,
  previewFrameRequestSchema,
  previewFrameSchema,
  previewStripRequestSchema,
  previewStripResponseSchema,
  textSchema,
  uploadRequestSchema,
  uploadResponseSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../errors.js";
import { requireProject } from "../../services/access.js";
import { mediaView } from "../../services/mediaViews.js";
import { previewFrame, previewStrip } from "../../services/preview.js";
import { TIMELINE_TIME_DOC } from "../../services/segments.js";
import { createUpload } from "../../services/uploads.js";

/** The project's media: POST /api/project/{id}/upload, /preview/frame and /preview/strip. */
export async function projectMediaRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { repos } = app.deps;
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 503: errorSchema };

  r.post(
    "/api/project/:id/upload",
    {
      schema: {
        tags: ["media"],
        summary: "Start an upload: a signed, single-use URL to PUT the file to",
        description: [
          'Answers `{ upload_url, asset_id, method: "PUT", expires_at, max_bytes }`. PUT the file\'s raw bytes to',
          "`upload_url` (no bearer header needed: the URL is signed, expires at `expires_at`, and works once).",
          "The server streams the body to disk (413 past `max_bytes`, DAILIES_UPLOAD_LIMIT_BYTES), checks it with",
          'ffprobe and a one-frame decode, and answers the media `{ id, status: "ready", kind, duration, width,',
          "height, fps, video_codec, audio_codec, has_audio, … }`. A file that is not a decodable video, audio or",
          "image is deleted and answered 415 with `details.reason` in our words: only MP4/MOV, Matroska/WebM, MP3,",
          "WAV, Ogg, FLAC, AAC and PNG/JPEG/WebP/GIF/BMP/TIFF containers are opened (never playlists, SVG or URLs),",
          "and sizes, frame rates and durations past DAILIES_MAX_* are refused from the probe before any decode.",
          "Reading the file has a time limit (DAILIES_PROBE_TIMEOUT_SECONDS); when every ffmpeg slot and the wait",
          "queue are taken the PUT answers 503 with Retry-After. A second PUT to the same URL is a 409.",
          "The first video uploaded to a project that has no timeline becomes one active segment covering all of it.",
          "`file_name` is only displayed (files are stored by content hash); `content_type` is a hint: the stored",
          "type comes from what ffprobe finds. 503 when ffmpeg is not available.",
          "**Direct to the bucket** (DAILIES_S3_DIRECT_UPLOADS=1 with DAILIES_STORAGE_URL=s3://…): the answer also",
          "has `direct: true`, `headers` and `status_url`. `upload_url` is then a presigned PUT of the bucket",
          "(staging key `uploads/{asset_id}`, the same lifetime as our own links, the content type bound in the",
          "signature: send `headers` exactly, and no bearer header). The bucket answers the PUT with an empty 200;",
          "a worker then checks the object with the same rules as above — its size against `max_bytes` (a bucket",
          "cannot refuse a presigned PUT by size, so a bigger object is deleted afterwards), ffprobe and the decode",
          "on a local copy — copies it to its content-addressed key and marks the media ready (or failed with the",
          "reason in `error`, and no object left). Poll `status_url` (GET /api/project/{id}/media/{asset_id}) until",
          "`status` is not `pending`. Trade-off: the API process never carries the bytes (no body limit, no API",
          "bandwidth or disk), but the client learns about a refused file only by polling, the bucket must allow",
          "PUT from the web app's origin (CORS), and a worker downloads the object once to probe it.",
        ].join(" "),
        params: idParamsSchema,
        body: uploadRequestSchema,
        response: { 201: uploadResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      return reply.code(201).send(await createUpload(app.deps, project, request.body));
    },
  );

  r.get(
    "/api/project/:id/media/:media_id",
    {
      schema: {
        tags: ["media"],
        summary: "One media of the project, with its status",
        description: [
          "The media as the project details list it: `status` is `pending` while an upload is under way or being",
          "checked, `ready` with what ffprobe found and a signed `url`, or `failed` with the reason in `error`.",
          "This is the `status_url` of a direct upload. 404 for a media of another project, or one that is gone.",
        ].join(" "),
        params: z.object({ id: textSchema().min(1), media_id: textSchema().min(1) }),
        response: { 200: mediaSchema, ...errors },
      },
    },
    async (request) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      const row = await repos.media.findMedia(request.params.media_id);
      if (!row || row.projectId !== project.id) throw notFound("Media");
      return mediaView(app.deps, row);
    },
  );

  r.post(
    "/api/project/:id/preview/frame",
    {
      schema: {
        tags: ["preview"],
        summary: "One JPEG frame of the project timeline at `ts`",
        description: [
          TIMELINE_TIME_DOC,
          "Answers `{ frame_url, timestamp, segment_id, source_ts }`: `timestamp` is the requested timeline time,",
          "`source_ts` the shown frame's time in the segment's source media (the frame on screen at that instant).",
          "The JPEG has the source's size; a graded segment's frame is graded. Frames are cached by (source hash,",
          "frame, grade): a repeated request is answered without ffmpeg. `frame_url` is signed and expires.",
          "400 (`fieldErrors.ts`) when `ts` is outside 0..duration or the timeline is empty; 503 without ffmpeg.",
        ].join(" "),
        params: idParamsSchema,
        body: previewFrameRequestSchema,
        response: { 200: previewFrameSchema, ...errors },
      },
    },
    async (request) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      return previewFrame(app.deps, project.id, request.body.ts);
    },
  );

  r.post(
    "/api/project/:id/preview/strip",
    {
      schema: {
        tags: ["preview"],
        summary: "Frames of the project timeline from `start` to `end` at `fps`",
        description: [
          TIMELINE_TIME_DOC,
          "Frames at timeline times start, start + 1/fps, start + 2/fps, … while < end (`end` is exclusive), so",
          `ceil((end - start) * fps) frames, at most ${MAX_STRIP_FRAMES}. Each frame is as preview/frame returns it.`,
          "Missing frames are extracted by seeking before decoding, choosing per run between one decoding pass",
          "(frames closer than a keyframe interval) and seeked inputs, over one ffmpeg process per core.",
          "400 with `fieldErrors` when start or end is outside the timeline, end <= start, fps <= 0, or there would",
          `be more than ${MAX_STRIP_FRAMES} frames.`,
        ].join(" "),
        params: idParamsSchema,
        body: previewStripRequestSchema,
        response: { 200: previewStripResponseSchema, ...errors },
      },
    },
    async (request) => {
      const project = await requireProject(repos, request.auth, request.params.id);
      return previewStrip(app.deps, project.id, request.body);
    },
  );
}
