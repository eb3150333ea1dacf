import {
  assembleRequestSchema,
  assembleResponseSchema,
  errorSchema,
  exportListResponseSchema,
  idParamsSchema,
  segmentCreateSchema,
  segmentReorderSchema,
  segmentSchema,
  timelineResponseSchema,
  timelineRestoreSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { requireProject } from "../../services/access.js";
import { listExports } from "../../services/exportList.js";
import { addSegment, assembleTimeline } from "../../services/segments.js";
import { reorderSegments, restoreTimeline } from "../../services/timelineEdits.js";

/**
 * The project's timeline: add segments, assemble from the selected takes, reorder, restore a snapshot
 * (undo/redo), and the list of its exports.
 */
export async function projectTimelineRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { repos } = app.deps;
  const tags = ["segments"];
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 503: errorSchema };
  const editErrors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema };

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
      const project = await requireProject(repos, request.auth, request.params.id);
      const b = request.body;
      const segment = await addSegment(app.deps, project, {
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
      const project = await requireProject(repos, request.auth, request.params.id);
      return await assembleTimeline(app.deps, project, request.body.scene_ids);
    },
  );

  r.post(
    "/api/project/:id/segments/reorder",
    {
      schema: {
        tags,
        summary: "Reorder the active segments",
        description:
          "`segment_ids` lists every ACTIVE segment of the project exactly once, in the new order. One transaction " +
          "writes order_index 0..n-1. A list that is not exactly the active set (a segment was split, deleted or " +
          "added meanwhile, or an inactive id) is a 409 with `details.active_segment_ids`; a repeated id is a 400. " +
          "Answers the timeline `{ segments, duration }`.",
        params: idParamsSchema,
        body: segmentReorderSchema,
        response: { 200: timelineResponseSchema, ...editErrors },
      },
    },
    async (request) =>
      await reorderSegments(
        app.deps,
        await requireProject(repos, request.auth, request.params.id),
        request.body.segment_ids,
      ),
  );

  r.post(
    "/api/project/:id/timeline/restore",
    {
      schema: {
        tags,
        summary: "Restore a timeline snapshot (undo/redo of edits)",
        description: [
          "The server half of undo/redo. The client records, for each edit, the timeline before and after it as",
          "`[{ id, start_ts, end_ts }]` (ids of segments and their SOURCE times). Undo posts",
          "`{ segments: before, expected: after }`; redo `{ segments: after, expected: before }`.",
          "When the active timeline equals `expected` (same ids, order and times), one transaction makes exactly",
          "`segments` active, in that order (order_index 0..n-1), with those times, and deactivates the rest",
          "(kept, as every edit does). Rows are never deleted, so every earlier snapshot can be restored: undoing a",
          "split re-activates the original and deactivates its halves; undoing a grade or an accepted variant",
          "brings back the segment it replaced. A timeline that differs from `expected` (another tab or user",
          "edited it) is a 409 with `details.active_segment_ids`: reload. Unknown ids, repeated ids, or times",
          "outside 0..the media's duration are a 400. Answers the timeline `{ segments, duration }`.",
        ].join(" "),
        params: idParamsSchema,
        body: timelineRestoreSchema,
        response: { 200: timelineResponseSchema, ...editErrors },
      },
    },
    async (request) =>
      await restoreTimeline(
        app.deps,
        await requireProject(repos, request.auth, request.params.id),
        request.body.segments,
        request.body.expected,
      ),
  );

  r.get(
    "/api/project/:id/exports",
    {
      schema: {
        tags: ["exports"],
        summary: "The project's exports, newest first",
        description:
          "`{ exports: [{ export_job_id, status, progress, created_at, duration, bytes, export_url, download_url, " +
          "rendered_parts, reused_parts, error }] }`, at most 50. URLs (signed, expiring) and size are set when " +
          "the export completed; `rendered_parts`/`reused_parts` say how much of it came from the render cache.",
        params: idParamsSchema,
        response: { 200: exportListResponseSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => ({
      exports: await listExports(app.deps, await requireProject(repos, request.auth, request.params.id)),
    }),
  );
}
