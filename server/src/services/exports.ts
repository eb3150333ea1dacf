/**
 * Export: the active segments, in order, joined into one MP4 (H.264 + AAC).
 *
 * Every segment is rendered ONCE to a common output format (`outputFormat`: the first segment's size and
 * frame rate unless DAILIES_EXPORT_WIDTH/HEIGHT say otherwise; AAC 48 kHz stereo, silence for a source
 * without sound) and kept in `renders/` under a key of its content (`partKey`: source hash, in/out times,
 * grade, variant, output format), recorded in `render_cache`. The parts are then joined by the concat
 * demuxer without re-encoding. So an export after one edit renders only the segment the edit changed, and a
 * color grade (which renders the same part) makes the next export reuse its render.
 *
 * The timeline is copied into the job when the export is requested: edits made while it runs do not change
 * it. Progress is the share of timeline seconds rendered, from ffmpeg's `-progress` output. Outputs are
 * written under temporary names and renamed when complete (media/operations.ts), and the export's media row
 * is written with the job's completion under its lease (JobContext.finish), so a worker that died or lost
 * its job mid-render never leaves a partial file as an export.
 */
import { createHash } from "node:crypto";
import { EXPORT_FORMATS, type ExportStatus } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { Config } from "../config.js";
import type { AppDeps } from "../context.js";
import { conflict, invalidPayload, notFound } from "../errors.js";
import { newId } from "../ids.js";
import type { FfmpegRunner } from "../media/ffmpeg.js";
import { concatParts, renderSegment } from "../media/operations.js";
import { type ProbeResult, probeColumns } from "../media/probe.js";
import type { Job, JobContext } from "../ports/jobs.js";
import type { MediaRow } from "../repositories/media.js";
import { fileInfo, removeFiles } from "../storage/files.js";
import { type LocalLease, withLocalPath } from "../storage/objectStore.js";
import { findProject, type ProjectRow } from "./access.js";
import { scheduleCacheCollection } from "./diskCache.js";
import { FFMPEG_MISSING_MESSAGE, requireFfmpeg } from "./mediaFailures.js";
import { mediaUrl } from "./mediaViews.js";
import { gradeFilterOf } from "./preview.js";

export const EXPORT_JOB = "export";

// ---------------------------------------------------------------------------------------------------------
// Output format and part keys (pure)
// ---------------------------------------------------------------------------------------------------------

export interface OutputFormat {
  width: number;
  height: number;
  fps: number;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * The export's picture format: DAILIES_EXPORT_WIDTH × DAILIES_EXPORT_HEIGHT when both are set; one of them
 * with the other following the first segment's aspect ratio; else the first segment's size. Sizes are
 * rounded to even numbers (yuv420p). Frame rate: the first segment's (30 when unknown or above 120).
 */
export function outputFormat(
  config: Pick<Config, "DAILIES_EXPORT_WIDTH" | "DAILIES_EXPORT_HEIGHT">,
  first: Pick<MediaRow, "width" | "height" | "fps">,
): OutputFormat {
  const sw = first.width && first.width > 0 ? first.width : 1280;
  const sh = first.height && first.height > 0 ? first.height : 720;
  let w = config.DAILIES_EXPORT_WIDTH;
  let h = config.DAILIES_EXPORT_HEIGHT;
  if (w && !h) h = (w * sh) / sw;
  else if (h && !w) w = (h * sw) / sh;
  else if (!w && !h) [w, h] = [sw, sh];
  const fps = first.fps && first.fps > 0 && first.fps <= 120 ? Math.round(first.fps * 1e6) / 1e6 : 30;
  return { width: even(w), height: even(h), fps };
}

export interface PartSpec {
  media: MediaRow;
  startTs: number;
  endTs: number;
  grade: Record<string, number> | null;
  variantId: string | null;
}

/** What a rendered part depends on, and nothing else: equal keys are interchangeable files. */
export function partKey(
  part: { mediaHash: string; startTs: number; endTs: number; filter: string; variantId: string | null },
  format: OutputFormat,
): string {
  const content = {
    v: 1,
    src: part.mediaHash,
    in: part.startTs.toFixed(6),
    out: part.endTs.toFixed(6),
    grade: part.filter,
    variant: part.variantId,
    w: format.width,
    h: format.height,
    fps: format.fps,
    codec: "h264+aac",
  };
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/** The name of an export file: its parts' keys in order (which include the format). */
export function exportKey(partKeys: readonly string[]): string {
  return createHash("sha256")
    .update(`export:v1|${partKeys.join("|")}`)
    .digest("hex");
}

/** Where the export of these parts is stored, relative to the data folder: one file per distinct timeline. */
export const exportPathOf = (partKeys: readonly string[]): string => `exports/${exportKey(partKeys)}.mp4`;

export const keyOf = (part: PartSpec, format: OutputFormat) =>
  partKey(
    {
      mediaHash: part.media.sha256 ?? part.media.id,
      startTs: part.startTs,
      endTs: part.endTs,
      filter: gradeFilterOf(part.grade),
      variantId: part.variantId,
    },
    format,
  );

/** A timeline item (a segment, or its copy in an export job) as the part it renders to. */
export const partSpecOf = (
  item: Pick<PartSpec, "startTs" | "endTs" | "grade" | "variantId">,
  media: MediaRow,
): PartSpec => ({ media, startTs: item.startTs, endTs: item.endTs, grade: item.grade, variantId: item.variantId });

/**
 * What exporting these parts makes: the format (from the first part), each part's key, and the export file.
 * The file is named by what it contains, so an unchanged timeline finds its previous export.
 */
export function exportPlan(
  config: Pick<Config, "DAILIES_EXPORT_WIDTH" | "DAILIES_EXPORT_HEIGHT">,
  specs: readonly PartSpec[],
): { format: OutputFormat; keys: string[]; rel: string } | null {
  const first = specs[0];
  if (!first) return null;
  const format = outputFormat(config, first.media);
  const keys = specs.map((spec) => keyOf(spec, format));
  return { format, keys, rel: exportPathOf(keys) };
}

/** The output format of a project's current timeline (from its first active segment). */
export async function projectOutputFormat(deps: AppDeps, projectId: string): Promise<OutputFormat | null> {
  const first = (await deps.repos.segments.activeSegments(projectId))[0];
  if (!first) return null;
  const row = await deps.repos.media.findMedia(first.mediaId);
  return row ? outputFormat(deps.config, row) : null;
}

// ---------------------------------------------------------------------------------------------------------
// Parts
// ---------------------------------------------------------------------------------------------------------

/** Renders under way by key: an export and a color grade asking for the same part share one render. */
const rendering = new Map<string, Promise<void>>();

export interface PartResult {
  key: string;
  /** Its storage key (the path relative to the data folder, or the bucket key). */
  rel: string;
  /** True when this call rendered it, false when it came from the cache. */
  rendered: boolean;
}

/** Where the part with this render_cache key is stored. */
export const partPathOf = (key: string): string => `renders/${key.slice(0, 2)}/${key}.mp4`;

/** Whether the store holds `key` with at least one byte (ffmpeg exits 0 without writing when it has nothing). */
export async function isStored(deps: Pick<AppDeps, "store">, key: string): Promise<boolean> {
  return ((await deps.store.head(key))?.bytes ?? 0) > 0;
}

/**
 * The part for `spec` in `format`: from render_cache when its file is stored, else rendered now (from a
 * local copy of the source, into a scratch file that is then stored under the part's key). With a bucket
 * the key is the same on every worker, so a part one worker rendered is reused by the others.
 */
export async function ensurePart(
  deps: AppDeps,
  runner: FfmpegRunner,
  spec: PartSpec,
  format: OutputFormat,
  options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<PartResult> {
  const key = keyOf(spec, format);
  const rel = partPathOf(key);
  const cached = await deps.repos.exports.renderedPart(key);
  if (cached && (await isStored(deps, cached.path))) return { key, rel: cached.path, rendered: false };
  // Per store: two apps in one process (tests) never share a render.
  const renderId = `${deps.store.location}\n${rel}`;
  const pending = rendering.get(renderId);
  if (pending) {
    await pending;
    return { key, rel, rendered: false };
  }
  const work = (async () => {
    const temp = await deps.store.tempPath(".mp4");
    try {
      await withLocalPath(
        deps.store,
        spec.media.path as string,
        (input) =>
          renderSegment(runner, {
            input,
            startSec: spec.startTs,
            endSec: spec.endTs,
            hasAudio: spec.media.hasAudio === true,
            width: format.width,
            height: format.height,
            fps: format.fps,
            filter: gradeFilterOf(spec.grade),
            output: temp,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        options.signal ? { signal: options.signal } : {},
      );
      await deps.store.putFileAs(rel, temp, "video/mp4");
    } finally {
      await removeFiles(temp);
    }
    await deps.repos.exports.saveRenderedPart({ key, path: rel, durationSec: spec.endTs - spec.startTs });
  })();
  rendering.set(renderId, work);
  try {
    await work;
  } finally {
    rendering.delete(renderId);
  }
  return { key, rel, rendered: true };
}

// ---------------------------------------------------------------------------------------------------------
// Export jobs
// ---------------------------------------------------------------------------------------------------------

interface TimelineSnapshotItem {
  segmentId: string;
  mediaId: string;
  startTs: number;
  endTs: number;
  grade: Record<string, number> | null;
  variantId: string | null;
}

/** POST /api/export: validates, copies the timeline into a new export job. */
export async function startExport(
  deps: AppDeps,
  auth: AuthContext,
  projectId: string,
  format: string,
): Promise<{ id: string }> {
  const fmt = format.trim().toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(fmt))
    throw invalidPayload({
      format: [`Unsupported format "${format}": only ${EXPORT_FORMATS.join(", ")} (H.264 + AAC) is supported`],
    });
  const project = await findProject(deps.repos, auth, projectId);
  if (!project) throw notFound("Project");
  requireFfmpeg(deps);
  const timeline: TimelineSnapshotItem[] = (await deps.repos.segments.activeSegments(project.id)).map((s) => ({
    segmentId: s.id,
    mediaId: s.mediaId,
    startTs: s.startTs,
    endTs: s.endTs,
    grade: s.grade,
    variantId: s.variantId,
  }));
  if (timeline.length === 0) throw conflict("The timeline is empty: nothing to export", { project_id: project.id });
  const id = newId("exp");
  await deps.repos.exports.insertExport(
    { id, projectId: project.id, format: fmt },
    {
      id,
      kind: EXPORT_JOB,
      input: { format: fmt, timeline },
      userId: auth.user.id,
      workspaceId: auth.workspaceId,
      projectId: project.id,
    },
  );
  deps.jobs.wake([EXPORT_JOB]);
  return { id };
}

/** Writes progress at most every 1 % or 500 ms, so a long render does not hammer the database. */
function throttledProgress(ctx: JobContext): (value: number) => void {
  let last = -1;
  let lastAt = 0;
  return (value) => {
    const now = Date.now();
    if (value - last >= 0.01 || now - lastAt >= 500) {
      last = value;
      lastAt = now;
      ctx.progress(value);
    }
  };
}

export interface ExportResult {
  media_id: string;
  duration: number;
  parts: number;
  rendered_parts: number;
  reused_parts: number;
  /** The timeline was exported before: its file was reused, nothing rendered or written. */
  reused_export: boolean;
  width: number;
  height: number;
  fps: number;
}

/** Job handler: render the missing parts, join them, register the file. */
export async function exportJob(deps: AppDeps, ctx: JobContext): Promise<ExportResult> {
  if (!deps.ffmpeg) throw new Error(FFMPEG_MISSING_MESSAGE);
  const runner = deps.ffmpeg;
  const id = ctx.job.id;
  const timeline = (ctx.job.input.timeline ?? []) as TimelineSnapshotItem[];
  const rows = await deps.repos.media.mediaByIds(timeline.map((t) => t.mediaId));
  const specs: PartSpec[] = timeline.map((t) => {
    const row = rows.get(t.mediaId);
    if (row?.status !== "ready" || !row.path) throw new Error(`The media of segment ${t.segmentId} is gone`);
    return partSpecOf(t, row);
  });
  const plan = exportPlan(deps.config, specs);
  if (!plan) throw new Error("The timeline is empty");
  const { format, rel } = plan;

  // An unchanged timeline finds its previous export and reuses it (no render, no new file), whichever
  // export or project asked first.
  const previous = await deps.repos.media.readyMediaByPath(rel);
  const stored = previous !== undefined ? await deps.store.head(rel) : null;
  const reused = previous !== undefined && (stored?.bytes ?? 0) > 0;

  let rendered = 0;
  let probe: ProbeResult;
  let bytes = stored?.bytes ?? 0;
  if (reused) {
    ctx.progress(0.97);
    probe = {
      durationSec: previous.durationSec ?? 0,
      width: previous.width,
      height: previous.height,
      fps: previous.fps,
      videoCodec: previous.videoCodec,
      audioCodec: previous.audioCodec,
      hasVideo: true,
      hasAudio: previous.hasAudio === true,
      kind: "video",
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
    };
  } else {
    const total = specs.reduce((sum, s) => sum + (s.endTs - s.startTs), 0);
    const report = throttledProgress(ctx);
    let done = 0;
    const parts: string[] = [];
    for (const spec of specs) {
      const length = spec.endTs - spec.startTs;
      const part = await ensurePart(deps, runner, spec, format, {
        signal: ctx.signal,
        onProgress: (f) => report((0.97 * (done + f * length)) / total),
      });
      if (part.rendered) rendered++;
      parts.push(part.rel);
      done += length;
      report((0.97 * done) / total);
    }
    // The parts are joined from local copies (the stored files themselves in the data folder), leased so
    // the bucket cache cannot evict one before ffmpeg opens it; the result is stored under its key.
    const leases: LocalLease[] = [];
    const output = await deps.store.tempPath(".mp4");
    try {
      for (const part of parts) leases.push(await deps.store.localPath(part, { signal: ctx.signal }));
      await concatParts(runner, {
        parts: leases.map((l) => l.path),
        output,
        signal: ctx.signal,
        durationSec: total,
      });
      probe = await runner.probe(output);
      bytes = (await fileInfo(output))?.bytes ?? 0;
      await deps.store.putFileAs(rel, output, "video/mp4");
    } finally {
      for (const lease of leases) lease.release();
      await removeFiles(output);
    }
  }
  const project = await deps.repos.projects.projectById(ctx.job.projectId ?? "");
  // The export's file becomes its result only with the job's completion, and only while this worker still
  // holds the job: a worker whose lease was taken over (it hung, or was thought dead) links nothing.
  const result = await ctx.finish(async (repos): Promise<ExportResult> => {
    const row = await repos.exports.linkExportFile(
      id,
      reused && previous.projectId === ctx.job.projectId
        ? { reuse: previous }
        : {
            created: {
              id: newId("media"),
              projectId: ctx.job.projectId,
              origin: "export",
              status: "ready",
              path: rel,
              bytes,
              mime: "video/mp4",
              ...probeColumns(probe),
              fileName: `${project?.name ?? "export"}.mp4`,
            },
          },
    );
    return {
      media_id: row.id,
      duration: probe.durationSec,
      parts: specs.length,
      rendered_parts: rendered,
      reused_parts: specs.length - rendered,
      reused_export: reused,
      ...format,
    };
  });
  scheduleCacheCollection(deps);
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------------------

/** An export of a project the user can see; anything else is 404. */
export async function requireExport(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
): Promise<{ project: ProjectRow; job: Job }> {
  const row = await deps.repos.exports.exportById(id);
  const project = row && (await findProject(deps.repos, auth, row.projectId));
  const job = row && (await deps.jobs.get(row.id));
  if (!row || !project || !job) throw notFound("Export");
  return { project, job };
}

export async function exportStatus(deps: AppDeps, job: Job): Promise<ExportStatus> {
  const row = await deps.repos.exports.exportById(job.id);
  const file = row?.mediaId ? await deps.repos.media.findMedia(row.mediaId) : undefined;
  const url = job.status === "completed" && file ? mediaUrl(deps, file) : null;
  const result = (job.status === "completed" ? job.result : null) as Partial<ExportResult> | null;
  return {
    export_job_id: job.id,
    project_id: row?.projectId ?? job.projectId ?? "",
    format: row?.format ?? "mp4",
    status: job.status,
    progress: job.progress,
    export_url: url,
    download_url: url ? `${url}&download=1` : null,
    error: job.status === "completed" ? null : job.error,
    duration: result?.duration ?? null,
    rendered_parts: result?.rendered_parts ?? null,
    reused_parts: result?.reused_parts ?? null,
  };
}
