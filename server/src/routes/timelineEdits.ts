import {
  errorSchema,
  exportListResponseSchema,
  idParamsSchema,
  segmentReorderSchema,
  timelineResponseSchema,
  timelineRestoreSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { requireProject } from "../services/access.js";
import { listExports } from "../services/exportList.js";
import { reorderSegments, restoreTimeline } from "../services/timelineEdits.js";

/** The web editor's additions under /api/project/{id}: reorder, restore a snapshot (undo/redo), exports list. */
export async function timelineEditRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ["segments"];
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema };

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
        response: { 200: timelineResponseSchema, ...errors },
      },
    },
    async (request) =>
      reorderSegments(app.deps, requireProject(db, request.auth, request.params.id), request.body.segment_ids),
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
        response: { 200: timelineResponseSchema, ...errors },
      },
    },
    async (request) =>
      restoreTimeline(
        app.deps,
        requireProject(db, request.auth, request.params.id),
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
    async (request) => ({ exports: listExports(app.deps, requireProject(db, request.auth, request.params.id)) }),
  );
}
