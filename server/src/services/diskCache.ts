/**
 * Disk use of what the server can make again (issue 9): preview frames, rendered timeline parts and old
 * exports are evicted, oldest first, once together they pass DAILIES_CACHE_MAX_BYTES. Never evicted: a part
 * or export of any project's current timeline, anything while an export job is pending or running (its
 * parts), frames younger than a minute (their links were just handed out), and export files a segment uses.
 * Uploaded and mirrored media are never touched: they are originals, not cache.
 */
import path from "node:path";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import type { AppDeps } from "../context.js";
import { exports, jobs, media, projects, renderCache, segments } from "../db/schema.js";
import { fileInfo, listFiles, removeFiles } from "../storage/files.js";
import { EXPORT_JOB, exportKey, keyOf, outputFormat } from "./exports.js";
import { activeSegments } from "./projectMedia.js";
import { mediaById } from "./segments.js";

/** Frames this young are kept whatever the cap: a client may be about to fetch them. */
export const FRAME_MIN_AGE_MS = 60_000;

interface Candidate {
  kind: "frame" | "part" | "export";
  file: string;
  bytes: number;
  mtimeMs: number;
  /** render_cache key or export path (relative), to clean the rows up. */
  ref: string;
}

export interface CollectionResult {
  totalBytes: number;
  freedBytes: number;
  removed: { frames: number; parts: number; exports: number };
}

/** Part keys and export paths of every project's current timeline: what an export now would use. */
function currentTimelineNeeds(deps: AppDeps): { parts: Set<string>; exports: Set<string> } {
  const parts = new Set<string>();
  const exportPaths = new Set<string>();
  for (const { id } of deps.db.select({ id: projects.id }).from(projects).all()) {
    const active = activeSegments(deps.db, id);
    const rows = mediaById(
      deps.db,
      active.map((s) => s.mediaId),
    );
    const first = active[0] && rows.get(active[0].mediaId);
    if (!first) continue;
    const format = outputFormat(deps.config, first);
    const keys: string[] = [];
    for (const s of active) {
      const row = rows.get(s.mediaId);
      if (!row) continue;
      const key = keyOf(
        { media: row, startTs: s.startTs, endTs: s.endTs, grade: s.grade, variantId: s.variantId },
        format,
      );
      keys.push(key);
      parts.add(key);
    }
    exportPaths.add(path.join("exports", `${exportKey(keys)}.mp4`));
  }
  return { parts, exports: exportPaths };
}

/** One pass: measures the cache and evicts oldest-first until it fits under `maxBytes`. */
export async function collectCache(
  deps: AppDeps,
  maxBytes = deps.config.DAILIES_CACHE_MAX_BYTES,
  now = Date.now(),
): Promise<CollectionResult> {
  const { db, files } = deps;
  const exportBusy =
    db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.kind, EXPORT_JOB), inArray(jobs.status, ["pending", "running"])))
      .get() !== undefined;
  const needs = currentTimelineNeeds(deps);
  const candidates: Candidate[] = [];
  let totalBytes = 0;

  for (const file of await listFiles(path.join(deps.config.dataDir, "frames"))) {
    const info = await fileInfo(file);
    if (!info) continue;
    totalBytes += info.bytes;
    if (now - info.mtimeMs >= FRAME_MIN_AGE_MS) candidates.push({ kind: "frame", file, ...info, ref: file });
  }
  for (const part of db.select().from(renderCache).all()) {
    const file = files.absolute(part.path);
    const info = await fileInfo(file);
    if (!info) continue;
    totalBytes += info.bytes;
    if (!exportBusy && !needs.parts.has(part.key)) candidates.push({ kind: "part", file, ...info, ref: part.key });
  }
  const usedBySegments = new Set(
    db
      .select({ path: media.path })
      .from(segments)
      .innerJoin(media, eq(media.id, segments.mediaId))
      .where(eq(media.origin, "export"))
      .all()
      .map((r) => r.path),
  );
  const exportPaths = db
    .selectDistinct({ path: media.path })
    .from(media)
    .where(and(eq(media.origin, "export"), sql`${media.path} is not null`))
    .all();
  for (const { path: rel } of exportPaths) {
    if (!rel) continue;
    const file = files.absolute(rel);
    const info = await fileInfo(file);
    if (!info) continue;
    totalBytes += info.bytes;
    if (!exportBusy && !needs.exports.has(rel) && !usedBySegments.has(rel))
      candidates.push({ kind: "export", file, ...info, ref: rel });
  }

  const result: CollectionResult = { totalBytes, freedBytes: 0, removed: { frames: 0, parts: 0, exports: 0 } };
  candidates.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const c of candidates) {
    if (result.totalBytes - result.freedBytes <= maxBytes) break;
    if (c.kind === "export") {
      // Rows first: an export row something else still points at (a variant's source) keeps its file.
      try {
        db.transaction((tx) => {
          const ids = tx
            .select({ id: media.id })
            .from(media)
            .where(eq(media.path, c.ref))
            .all()
            .map((r) => r.id);
          if (ids.length === 0) return;
          tx.update(exports).set({ mediaId: null }).where(inArray(exports.mediaId, ids)).run();
          tx.delete(media).where(inArray(media.id, ids)).run();
        });
      } catch {
        continue;
      }
    }
    if (c.kind === "part") db.delete(renderCache).where(eq(renderCache.key, c.ref)).run();
    await removeFiles(c.file);
    result.freedBytes += c.bytes;
    result.removed[c.kind === "frame" ? "frames" : c.kind === "part" ? "parts" : "exports"]++;
  }
  return result;
}

const scheduled = new WeakMap<AppDeps, NodeJS.Timeout>();

/** Runs a collection soon, at most one pending per app (called after exports and frame extraction). */
export function scheduleCacheCollection(deps: AppDeps, log?: FastifyBaseLogger, delayMs = 5_000): void {
  if (scheduled.has(deps)) return;
  const timer = setTimeout(() => {
    scheduled.delete(deps);
    collectCache(deps).then(
      (r) => {
        if (r.freedBytes > 0) log?.info({ ...r }, "cache over DAILIES_CACHE_MAX_BYTES: evicted oldest files");
      },
      (error: unknown) => log?.warn({ err: error }, "cache collection failed"),
    );
  }, delayMs);
  timer.unref();
  scheduled.set(deps, timer);
}
