/**
 * Disk use of what the server can make again (issue 9): preview frames, rendered timeline parts and old
 * exports are evicted, oldest first, once together they pass DAILIES_CACHE_MAX_BYTES. Never evicted: a part
 * or export of any project's current timeline, anything while an export job is pending or running (its
 * parts), frames younger than a minute (their links were just handed out), and export files a segment uses.
 * Uploaded and mirrored media are never touched: they are originals, not cache.
 */
import type { FastifyBaseLogger } from "fastify";
import type { AppDeps } from "../context.js";
import { EXPORT_JOB, exportPlan, partSpecOf } from "./exports.js";

/** Frames this young are kept whatever the cap: a client may be about to fetch them. */
export const FRAME_MIN_AGE_MS = 60_000;

interface Candidate {
  kind: "frame" | "part" | "export";
  /** Its storage key. */
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
async function currentTimelineNeeds(deps: AppDeps): Promise<{ parts: Set<string>; exports: Set<string> }> {
  const parts = new Set<string>();
  const exportPaths = new Set<string>();
  const timelines = [...(await deps.repos.media.activeSegmentsByProject()).values()];
  const rows = await deps.repos.media.mediaByIds(timelines.flat().map((s) => s.mediaId));
  for (const active of timelines) {
    const plan = exportPlan(
      deps.config,
      active.flatMap((s) => {
        const row = rows.get(s.mediaId);
        return row ? [partSpecOf(s, row)] : [];
      }),
    );
    if (!plan) continue;
    for (const key of plan.keys) parts.add(key);
    exportPaths.add(plan.rel);
  }
  return { parts, exports: exportPaths };
}

/** One pass: measures the cache and evicts oldest-first until it fits under `maxBytes`. */
export async function collectCache(
  deps: AppDeps,
  maxBytes = deps.config.DAILIES_CACHE_MAX_BYTES,
  now = Date.now(),
): Promise<CollectionResult> {
  const { repos, store } = deps;
  const exportBusy = await repos.exports.jobOfKindUnfinished(EXPORT_JOB);
  const needs = await currentTimelineNeeds(deps);
  const candidates: Candidate[] = [];
  let totalBytes = 0;

  // Listed through the store (the data folder or the bucket): one listing per folder, not a stat per row.
  const [frames, renders, exports] = await Promise.all(["frames/", "renders/", "exports/"].map((p) => store.list(p)));
  const stored = new Map<string, { bytes: number; mtimeMs: number }>();
  for (const o of [...(renders ?? []), ...(exports ?? [])])
    stored.set(o.key, { bytes: o.bytes, mtimeMs: o.lastModified.getTime() });

  for (const o of frames ?? []) {
    const info = { bytes: o.bytes, mtimeMs: o.lastModified.getTime() };
    totalBytes += info.bytes;
    if (now - info.mtimeMs >= FRAME_MIN_AGE_MS) candidates.push({ kind: "frame", file: o.key, ...info, ref: o.key });
  }
  for (const part of await repos.exports.allRenderedParts()) {
    const info = stored.get(part.path);
    if (!info) continue;
    totalBytes += info.bytes;
    if (!exportBusy && !needs.parts.has(part.key))
      candidates.push({ kind: "part", file: part.path, ...info, ref: part.key });
  }
  const usedBySegments = await repos.media.exportPathsOnTimelines();
  for (const rel of await repos.media.exportFilePaths()) {
    const info = stored.get(rel);
    if (!info) continue;
    totalBytes += info.bytes;
    if (!exportBusy && !needs.exports.has(rel) && !usedBySegments.has(rel))
      candidates.push({ kind: "export", file: rel, ...info, ref: rel });
  }

  const result: CollectionResult = { totalBytes, freedBytes: 0, removed: { frames: 0, parts: 0, exports: 0 } };
  candidates.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const c of candidates) {
    if (result.totalBytes - result.freedBytes <= maxBytes) break;
    if (c.kind === "export") {
      // Rows first: an export row something else still points at (a variant's source) keeps its file.
      try {
        await repos.media.forgetMediaAtPath(c.ref);
      } catch {
        continue;
      }
    }
    if (c.kind === "part") await repos.exports.deleteRenderedPart(c.ref);
    await store.remove(c.file);
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
