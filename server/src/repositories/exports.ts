import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { exports, jobs, media, renderCache } from "../db/schema.js";

import { type EnqueueInput, insertJob, type Job } from "./jobs.js";

import { insertMedia, type MediaRow } from "./media.js";

export type ExportRow = typeof exports.$inferSelect;
export type RenderCacheRow = typeof renderCache.$inferSelect;

export function exportById(db: Db, id: string): ExportRow | undefined {
  return db.select().from(exports).where(eq(exports.id, id)).get();
}

/** Records a requested export and its job in one transaction: either both are written or neither. */
export function insertExport(db: Db, row: { id: string; projectId: string; format: string }, job: EnqueueInput): void {
  db.transaction((tx) => {
    tx.insert(exports).values(row).run();
    insertJob(tx, job);
  });
}

/**
 * Links a finished export to its file, in one transaction: to `reuse` (an earlier export of the same
 * timeline in the same project) or to a new media row inserted from `created`. Answers the linked row.
 */
export function linkExportFile(
  db: Db,
  exportId: string,
  file: { reuse: MediaRow } | { created: typeof media.$inferInsert },
): MediaRow {
  return db.transaction((tx) => {
    const row = "reuse" in file ? file.reuse : insertMedia(tx, file.created);
    tx.update(exports).set({ mediaId: row.id }).where(eq(exports.id, exportId)).run();
    return row;
  });
}

export interface ExportListRow {
  export: ExportRow;
  job: Job;
  /** The export file's size, when it has one. */
  bytes: number | null;
}

/** A project's exports, newest first, with their jobs and file sizes (an export without a job is left out). */
export function exportsOfProject(db: Db, projectId: string, limit: number): ExportListRow[] {
  const rows = db
    .select()
    .from(exports)
    .where(eq(exports.projectId, projectId))
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
    (mediaIds.length === 0
      ? []
      : db.select({ id: media.id, bytes: media.bytes }).from(media).where(inArray(media.id, mediaIds)).all()
    ).map((m) => [m.id, m.bytes]),
  );
  return rows.flatMap((row) => {
    const job = jobRows.get(row.id);
    return job ? [{ export: row, job, bytes: row.mediaId ? (sizes.get(row.mediaId) ?? null) : null }] : [];
  });
}

/** True while a job of this kind waits or runs (an export job: its parts must stay). */
export function jobOfKindUnfinished(db: Db, kind: string): boolean {
  return (
    db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.kind, kind), inArray(jobs.status, ["pending", "running"])))
      .get() !== undefined
  );
}

// ---------------------------------------------------------------------------------------------------------
// Rendered timeline parts (render_cache: content key → file)
// ---------------------------------------------------------------------------------------------------------

export function renderedPart(db: Db, key: string): RenderCacheRow | undefined {
  return db.select().from(renderCache).where(eq(renderCache.key, key)).get();
}

export function saveRenderedPart(db: Db, row: Omit<RenderCacheRow, "createdAt">): void {
  db.insert(renderCache)
    .values(row)
    .onConflictDoUpdate({ target: renderCache.key, set: { path: row.path, durationSec: row.durationSec } })
    .run();
}

export function allRenderedParts(db: Db): RenderCacheRow[] {
  return db.select().from(renderCache).all();
}

export function deleteRenderedPart(db: Db, key: string): void {
  db.delete(renderCache).where(eq(renderCache.key, key)).run();
}
