// The exports repository on PostgreSQL: repositories/exports.ts with the same functions, awaited.
import { and, desc, eq, inArray } from "drizzle-orm";
import { exports, jobs, media, renderCache } from "../../db/pg/schema.js";
import type { ExportListRow, ExportRow, RenderCacheRow } from "../exports.js";
import type { EnqueueInput } from "../jobs.js";
import type { MediaRow } from "../media.js";
import { insertJob } from "./jobs.js";
import { insertMedia, type PgConn } from "./media.js";

export async function exportById(db: PgConn, id: string): Promise<ExportRow | undefined> {
  const [row] = await db.select().from(exports).where(eq(exports.id, id));
  return row;
}

/**
 * Records a requested export and, in the same transaction, whatever must exist with it (its job): either both
 * are written or neither. `alongside` runs after the insert and is awaited when it answers a promise; if it
 * throws (or its promise rejects) the export is rolled back. It is handed no transaction: what it writes
 * through another connection commits on its own, before the export row does.
 */
export async function insertExport(
  db: PgConn,
  row: { id: string; projectId: string; format: string },
  job: EnqueueInput,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(exports).values(row);
    await insertJob(tx, job);
  });
}

/**
 * Links a finished export to its file, in one transaction: to `reuse` (an earlier export of the same
 * timeline in the same project) or to a new media row inserted from `created`. Answers the linked row.
 */
export async function linkExportFile(
  db: PgConn,
  exportId: string,
  file: { reuse: MediaRow } | { created: typeof media.$inferInsert },
): Promise<MediaRow> {
  return db.transaction(async (tx) => {
    const row = "reuse" in file ? file.reuse : await insertMedia(tx, file.created);
    await tx.update(exports).set({ mediaId: row.id }).where(eq(exports.id, exportId));
    return row;
  });
}

/** A project's exports, newest first, with their jobs and file sizes (an export without a job is left out). */
export async function exportsOfProject(db: PgConn, projectId: string, limit: number): Promise<ExportListRow[]> {
  const rows = await db
    .select()
    .from(exports)
    .where(eq(exports.projectId, projectId))
    .orderBy(desc(exports.createdAt), desc(exports.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const mediaIds = rows.map((r) => r.mediaId).filter((id): id is string => !!id);
  const [jobRows, sizeRows] = await Promise.all([
    db
      .select()
      .from(jobs)
      .where(
        inArray(
          jobs.id,
          rows.map((r) => r.id),
        ),
      ),
    mediaIds.length === 0
      ? []
      : db.select({ id: media.id, bytes: media.bytes }).from(media).where(inArray(media.id, mediaIds)),
  ]);
  const jobById = new Map(jobRows.map((j) => [j.id, j]));
  const sizes = new Map(sizeRows.map((m) => [m.id, m.bytes]));
  return rows.flatMap((row) => {
    const job = jobById.get(row.id);
    return job ? [{ export: row, job, bytes: row.mediaId ? (sizes.get(row.mediaId) ?? null) : null }] : [];
  });
}

/** True while a job of this kind waits or runs (an export job: its parts must stay). */
export async function jobOfKindUnfinished(db: PgConn, kind: string): Promise<boolean> {
  const [row] = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.kind, kind), inArray(jobs.status, ["pending", "running"])))
    .limit(1);
  return row !== undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Rendered timeline parts (render_cache: content key → file)
// ---------------------------------------------------------------------------------------------------------

export async function renderedPart(db: PgConn, key: string): Promise<RenderCacheRow | undefined> {
  const [row] = await db.select().from(renderCache).where(eq(renderCache.key, key));
  return row;
}

/**
 * Files a rendered part under its key. Two workers may finish the same part at once: `on conflict do update` is
 * atomic in PostgreSQL (the second waits for the first's row, then updates it), so neither fails, and the row
 * ends as on SQLite, with the last save's path and duration (the same ones: both derive from the key).
 */
export async function saveRenderedPart(db: PgConn, row: Omit<RenderCacheRow, "createdAt">): Promise<void> {
  await db
    .insert(renderCache)
    .values(row)
    .onConflictDoUpdate({ target: renderCache.key, set: { path: row.path, durationSec: row.durationSec } });
}

export async function allRenderedParts(db: PgConn): Promise<RenderCacheRow[]> {
  return db.select().from(renderCache);
}

export async function deleteRenderedPart(db: PgConn, key: string): Promise<void> {
  await db.delete(renderCache).where(eq(renderCache.key, key));
}
