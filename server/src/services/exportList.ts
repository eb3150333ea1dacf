import type { ExportListItem } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import { exportsOfProject } from "../repositories/exports.js";
import type { ProjectRow } from "./access.js";
import { exportStatus } from "./exports.js";

/** A project's exports, newest first, with the file's size when it was rendered. */
export function listExports(deps: AppDeps, project: ProjectRow, limit = 50): ExportListItem[] {
  return exportsOfProject(deps.db, project.id, limit).map(({ export: row, job, bytes }) => {
    const status = exportStatus(deps, job);
    return {
      export_job_id: row.id,
      status: status.status,
      progress: status.progress,
      created_at: row.createdAt,
      duration: status.duration,
      bytes: job.status === "completed" && row.mediaId ? bytes : null,
      export_url: status.export_url,
      download_url: status.download_url,
      rendered_parts: status.rendered_parts,
      reused_parts: status.reused_parts,
      error: status.error,
    };
  });
}
