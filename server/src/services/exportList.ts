import type { ExportListItem } from "@dailies/shared";
import { desc, eq, inArray } from "drizzle-orm";
import type { AppDeps } from "../context.js";
import { exports, jobs, media } from "../db/schema.js";
import type { ProjectRow } from "./access.js";
import { exportStatus } from "./exports.js";

/** A project's exports, newest first, with the file's size when it was rendered. */
export function listExports(deps: AppDeps, project: ProjectRow, limit = 50): ExportListItem[] {
  const { db } = deps;
  const rows = db
    .select()
    .from(exports)
    .where(eq(exports.projectId, project.id))
    .orderBy(desc(exports.createdAt), desc(exports.id))
    .limit(limit)
    .all();
  if (rows.length === 0) return [];
  const jobRows = new Map(
    db
      .select()
      .from(jobs)
      .where(
        inArray(
          jobs.id,
          rows.map((r) => r.id),
        ),
      )
      .all()
      .map((j) => [j.id, j]),
  );
  const mediaIds = rows.map((r) => r.mediaId).filter((id): id is string => !!id);
  const sizes = new Map(
    (mediaIds.length === 0 ? [] : db.select().from(media).where(inArray(media.id, mediaIds)).all()).map((m) => [
      m.id,
      m.bytes,
    ]),
  );
  return rows.flatMap((row) => {
    const job = jobRows.get(row.id);
    if (!job) return [];
    const status = exportStatus(deps, job);
    return [
      {
        export_job_id: row.id,
        status: status.status,
        progress: status.progress,
        created_at: row.createdAt,
        duration: status.duration,
        bytes: job.status === "completed" && row.mediaId ? (sizes.get(row.mediaId) ?? null) : null,
        export_url: status.export_url,
        download_url: status.download_url,
        rendered_parts: status.rendered_parts,
        reused_parts: status.reused_parts,
        error: status.error,
      },
    ];
  });
}
