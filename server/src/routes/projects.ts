import {
  assembleRequestSchema,
  assembleResponseSchema,
  characterCreateSchema,
  characterSchema,
  deletedSchema,
  errorSchema,
  idParamsSchema,
  MAX_STRIP_FRAMES,
  previewFrameRequestSchema,
  previewFrameSchema,
  previewStripRequestSchema,
  previewStripResponseSchema,
  projectCreateSchema,
  projectListResponseSchema,
  projectPatchSchema,
  projectSchema,
  sceneCreateSchema,
  sceneSchema,
  segmentCreateSchema,
  segmentSchema,
  uploadRequestSchema,
  uploadResponseSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { newId } from "../ids.js";
import {
  countScenes,
  deleteProject,
  insertCharacter,
  insertProject,
  listProjects,
  touchProject,
  updateProject,
} from "../repositories/projects.js";
import { saveScene } from "../repositories/scenes.js";
import { requireProject } from "../services/access.js";
import { previewFrame, previewStrip } from "../services/preview.js";
import { projectDetails, projectDetailsSchema, startProjectVideoImport } from "../services/projectMedia.js";
import { characterView, projectView, sceneView } from "../services/projects.js";
import { addSegment, assembleTimeline, TIMELINE_TIME_DOC } from "../services/segments.js";
import { createUpload } from "../services/uploads.js";

export async function projectRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ["projects"];
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

  r.get(
    "/api/project",
    {
      schema: {
        tags,
        summary: "Projects of the active workspace, recently updated first",
        response: { 200: projectListResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({
      projects: listProjects(db, request.auth.workspaceId).map((p) => projectView(p.project, p.sceneCount)),
    }),
  );

  r.post(
    "/api/project",
    {
      schema: {
        tags,
        summary: "Create a project in the active workspace",
        description:
          "With `video_url`, the server downloads the video in the background (same address guard and limits as capture mirroring) and makes it the first timeline segment.",
        body: projectCreateSchema,
        response: { 201: projectSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const row = db.transaction((tx) => {
        const project = insertProject(tx, {
          id: newId("proj"),
          workspaceId: request.auth.workspaceId,
          ownerId: request.auth.user.id,
          name: body.name,
          description: body.description ?? null,
          status: body.status,
          genre: body.genre ?? null,
          videoUrl: body.video_url ?? null,
        });
        if (body.video_url) startProjectVideoImport(app.deps, request.auth, project.id, body.video_url);
        return project;
      });
      return reply.code(201).send(projectView(row, 0));
    },
  );

  r.get(
    "/api/project/:id",
    {
      schema: {
        tags,
        summary: "A project with its media and its active timeline segments in order",
        params: idParamsSchema,
        response: { 200: projectDetailsSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      return projectDetails(app.deps, project, countScenes(db, project.id));
    },
  );

  r.patch(
    "/api/project/:id",
    {
      schema: {
        tags,
        summary: "Update name, description, status or genre",
        params: idParamsSchema,
        body: projectPatchSchema,
        response: { 200: projectSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      const b = request.body;
      const row = updateProject(db, project.id, {
        ...(b.name !== undefined && { name: b.name }),
        ...(b.description !== undefined && { description: b.description }),
        ...(b.status !== undefined && { status: b.status }),
        ...(b.genre !== undefined && { genre: b.genre }),
      });
      return projectView(row, countScenes(db, project.id));
    },
  );

  r.delete(
    "/api/project/:id",
    {
      schema: {
        tags,
        summary: "Delete a project with its scenes, versions and timeline",
        params: idParamsSchema,
        response: { 200: deletedSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      deleteProject(db, project.id);
      return { deleted: true as const };
    },
  );

  r.post(
    "/api/project/:id/scenes",
    {
      schema: {
        tags: ["scenes"],
        summary: "Add a scene; the scene code (sceneId) is uppercased and unique in the project (409 when taken)",
        params: idParamsSchema,
        body: sceneCreateSchema,
        response: { 201: sceneSchema, 409: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const project = requireProject(db, request.auth, request.params.id);
      const b = request.body;
      const row = saveScene(
        db,
        project.id,
        b.sceneId,
        {
          storyBeat: b.storyBeat ?? null,
          act: b.act ?? null,
          macroScene: b.macroScene ?? null,
          title: b.title ?? null,
          sortOrder: b.sortOrder,
          durationSec: b.durationSec ?? null,
          imagePrompt: b.imagePrompt ?? null,
          videoPrompt: b.videoPrompt ?? null,
        },
        "conflict",
      );
      touchProject(db, project.id);
      return reply.code(201).send(sceneView(row));
    },
  );

  r.post(
    "/api/project/:id/characters",
    {
      schema: {
        tags: ["characters"],
        summary: "Add a character to a project",
        params: idParamsSchema,
        body: characterCreateSchema,
        response: { 201: characterSchema, ...errors },
      },
    },
    async (request, reply) => {
      const project = requireProject(db, request.auth, request.params.id);
      const b = request.body;
      const row = insertCharacter(db, project.id, {
        name: b.name,
        role: b.role ?? null,
        description: b.description ?? null,
      });
      return reply.code(201).send(characterView(row));
    },
  );
}

/**
 * The project's media and timeline: POST /api/project/{id}/upload, /preview/frame, /preview/strip,
 * /segments and /timeline/assemble. (GET /api/project/{id}, with media and segments, is in projects.ts.)
 */
export async function projectMediaRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
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
        ].join(" "),
        params: idParamsSchema,
        body: uploadRequestSchema,
        response: { 201: uploadResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const project = requireProject(db, request.auth, request.params.id);
      return reply.code(201).send(createUpload(app.deps, project, request.body));
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
      const project = requireProject(db, request.auth, request.params.id);
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
      const project = requireProject(db, request.auth, request.params.id);
      return previewStrip(app.deps, project.id, request.body);
    },
  );

  r.post(
    "/api/project/:id/segments",
    {
      schema: {
        tags: ["segments"],
        summary: "Add a segment from an uploaded media or a captured asset version",
        description: [
          "Body: exactly one of `media_id` (an uploaded or mirrored video of this project) and `asset_version_id`",
          "(a captured VIDEO version of this project whose media the server has mirrored), optional `start_ts` /",
          "`end_ts` (in/out points in the source media; default: all of it) and `order_index` (insert before the",
          "active segment at that position; default: append). Answers 201 with the new segment; the other active",
          "segments keep their order and are renumbered 0..n-1. 404 for a media or version of another project,",
          "409 when its media is not mirrored/ready yet, 400 for a non-video or times outside the media.",
        ].join(" "),
        params: idParamsSchema,
        body: segmentCreateSchema,
        response: { 201: segmentSchema, 409: errorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const project = requireProject(db, request.auth, request.params.id);
      const b = request.body;
      const segment = addSegment(app.deps, project, {
        mediaId: b.media_id,
        assetVersionId: b.asset_version_id,
        startTs: b.start_ts,
        endTs: b.end_ts,
        orderIndex: b.order_index,
      });
      return reply.code(201).send(segment);
    },
  );

  r.post(
    "/api/project/:id/timeline/assemble",
    {
      schema: {
        tags: ["segments"],
        summary: "Build the timeline from each scene's selected (else latest) VIDEO version",
        description: [
          "For each scene in scene order (sortOrder, then scene code), optionally only those in `scene_ids`: its",
          "selected VIDEO version (the newest selected one), else its newest VIDEO version, when the server has",
          "mirrored its media and ffprobe found a video. Each becomes one segment covering the whole clip. The",
          "current active segments are deactivated (kept, like every edit) and the new ones replace them, in one",
          "transaction. Answers `{ segments, skipped: [{ scene_id, reason }], duration }`. 409 when no scene has a",
          "usable version (the timeline is left as it was).",
        ].join(" "),
        params: idParamsSchema,
        body: assembleRequestSchema,
        response: { 200: assembleResponseSchema, 409: errorSchema, ...errors },
      },
    },
    async (request) => {
      const project = requireProject(db, request.auth, request.params.id);
      return assembleTimeline(app.deps, project, request.body.scene_ids);
    },
  );
}
