import type { ExportListItem } from "@dailies/shared";
import type { AppDeps } from "../context.js";
import type { ProjectRow } from "./access.js";
import { exportStatus } from "./exports.js";

/** A project's exports, newest first, with the file's size when it was rendered. */
export async function listExports(deps: AppDeps, project: ProjectRow, limit = 50): Promise<ExportListItem[]> {
  const rows = await deps.repos.exports.exportsOfProject(project.id, limit);
  return Promise.all(
    rows.map(async ({ export: row, job, bytes }) => {
      const status = await exportStatus(deps, job);
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
    }),
  );
}
