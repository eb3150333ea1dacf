/**
 * POST /api/ai/generate: region generation. A prompt, a range of the project timeline and a box in
 * fractions of the frame become a job that makes N variants (DAILIES_AI_VARIANTS, default 2) as media
 * files with a preview frame each; GET /api/job/{id} lists them, /api/variant/{id}/accept puts one on
 * the timeline (variants.ts).
 *
 * The job first renders the range from the timeline into one normalized clip (H.264 + AAC, the export
 * format; several segments are rendered and joined), stored as the variants' source media. Then each
 * variant is made from that clip:
 * - `local` (default): `editRegion`, ffmpeg filters inside the box (providers/local/regionEdit.ts),
 *   variants from mild to strong.
 * - a remote `VideoGenerator` (replicate): the box's first frame is animated from the prompt, and the
 *   generated clip is scaled into the box over the range (`compositeRegionArgs`).
 */
import type { AiGenerateRequest, AiGenerateResponse } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { badRequest } from "../errors.js";
import { boxToPixels, cropFilter, type FractionBox } from "../media/args/index.js";
import type { FfmpegRunner } from "../media/ffmpeg.js";
import { compositeRegion, concatParts, extractFrame, renderSegment } from "../media/operations.js";
import type { ProbeResult } from "../media/probe.js";
import type { JobContext } from "../ports/jobs.js";
import { isRegionEditor, type RegionEditParams } from "../providers/local/regionEdit.js";
import type { VideoGenerator } from "../providers/types.js";
import type { MediaRow } from "../repositories/media.js";
import type { NewMedia } from "../repositories/variants.js";
import { readBytes, removeFiles, writeScratch } from "../storage/files.js";
import { type ObjectStore, withLocalPath } from "../storage/objectStore.js";
import { requireProject } from "./access.js";
import { jobAiScope, providerOr400, withAiCallScope } from "./aiCalls.js";
import { requireFfmpeg } from "./mediaFailures.js";
import { rangePieces, roundTime, TIME_EPSILON, timelineDuration } from "./timeline/index.js";
import { toStored, type VariantSourcePiece } from "./variants.js";

export const REGION_JOB = "ai-region-generate";

export interface RegionJobInput {
  prompt: string;
  provider: string;
  /** Timeline range, seconds. */
  startTs: number;
  endTs: number;
  box: FractionBox;
  count: number;
  /** What the range showed when the request was accepted: the job renders exactly this. */
  source: VariantSourcePiece[];
}

/** Checks the request against the project's timeline and the provider, then queues the job. */
export async function startRegionGeneration(
  deps: AppDeps,
  auth: AuthContext,
  body: AiGenerateRequest,
): Promise<AiGenerateResponse> {
  const { repos } = deps;
  const project = await requireProject(repos, auth, body.project_id);
  requireFfmpeg(deps);
  providerOr400(body.provider, () => deps.providers.video(body.provider));
  const active = await repos.segments.activeSegments(project.id);
  if (active.length === 0) throw badRequest("The project has no video on its timeline", { project_id: project.id });
  const duration = timelineDuration(active);
  if (body.end_ts > duration + TIME_EPSILON) {
    throw badRequest("Invalid payload", {
      fieldErrors: { end_ts: [`Must be at most the timeline's duration (${roundTime(duration)} s)`] },
      duration,
    });
  }
  const endTs = Math.min(body.end_ts, duration);
  const input: RegionJobInput = {
    prompt: body.prompt,
    provider: body.provider,
    startTs: body.start_ts,
    endTs,
    box: body.bounding_box,
    count: deps.config.DAILIES_AI_VARIANTS,
    source: rangePieces(active, body.start_ts, endTs).map(toStored),
  };
  const job = await deps.jobs.enqueue({
    kind: REGION_JOB,
    input: { ...input },
    userId: auth.user.id,
    workspaceId: auth.workspaceId,
    projectId: project.id,
  });
  return {
    job_id: job.id,
    project_id: project.id,
    status: "pending",
    provider: body.provider,
    variant_count: input.count,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The job
// ---------------------------------------------------------------------------------------------------------

/** Progress shares: rendering the range, making the variants, storing. */
const SOURCE_SHARE = 0.2;
const VARIANTS_SHARE = 0.75;

/** A finished file waiting to be stored with its media row. */
interface Made {
  file: string;
  mime: string;
  kind: "video" | "image";
  origin: "render" | "generated";
  probe?: ProbeResult;
}

export async function regionGenerationJob(deps: AppDeps, ctx: JobContext): Promise<unknown> {
  const input = ctx.job.input as unknown as RegionJobInput;
  const projectId = ctx.job.projectId as string;
  // A run that committed its variants and then crashed before the job was marked complete: the rows are
  // all there (one transaction), so a rerun answers with them instead of making a second set.
  const committed = await deps.repos.media.variantsOfJob(ctx.job.id);
  if (committed.length > 0) {
    const made = committed.map((v) => ({ id: v.id, params: v.info?.params ?? null }));
    return { provider: committed[0]?.provider, model: null, variant_ids: made.map((v) => v.id), variants: made };
  }
  const temps: string[] = [];
  const temp = async (suffix: string) => {
    const file = await deps.files.tempPath(suffix);
    temps.push(file);
    return file;
  };
  let reported = 0;
  const progress = (value: number) => {
    if (value - reported < 0.01 && value < 1) return;
    reported = value;
    ctx.progress(value);
  };

  try {
    return await withAiCallScope(jobAiScope(deps.jobs, ctx.job), async () => {
      const generator = deps.providers.video(input.provider);
      const runner = requireFfmpeg(deps);
      const signal = ctx.signal;
      const duration = input.endTs - input.startTs;

      const sourceFile = await renderRange(deps, runner, input.source, await temp(".mp4"), {
        signal,
        onProgress: (f) => progress(f * SOURCE_SHARE),
      });
      const sourceProbe = await runner.probe(sourceFile);
      const made: { clip: Made; preview: Made; info: Record<string, unknown> }[] = [];
      for (let i = 0; i < input.count; i++) {
        const onProgress = (f: number) => progress(SOURCE_SHARE + ((i + f) / input.count) * VARIANTS_SHARE);
        const output = await temp(".mp4");
        let info: Record<string, unknown>;
        if (isRegionEditor(generator)) {
          const edit = await generator.editRegion({
            input: sourceFile,
            output,
            prompt: input.prompt,
            box: input.box,
            startSec: 0,
            endSec: sourceProbe.durationSec || duration,
            variantIndex: i,
            variantCount: input.count,
            probe: {
              width: sourceProbe.width ?? 0,
              height: sourceProbe.height ?? 0,
              durationSec: sourceProbe.durationSec || duration,
            },
            signal,
            onProgress,
          });
          info = { op: edit.op, params: edit.params, model: edit.model, filter: edit.filter, note: edit.note };
        } else {
          info = await remoteRegionVariant(runner, generator, {
            source: sourceFile,
            probe: sourceProbe,
            box: input.box,
            prompt: input.prompt,
            durationSec: duration,
            output,
            temp,
            signal,
          });
          onProgress(1);
        }
        const clipProbe = await runner.probe(output);
        const preview = await extractFrame(runner, {
          input: output,
          atSec: Math.max(0, (clipProbe.durationSec || duration) / 2),
          output: await temp(".jpg"),
          signal,
        });
        made.push({
          clip: { file: output, mime: "video/mp4", kind: "video", origin: "generated", probe: clipProbe },
          preview: { file: preview, mime: "image/jpeg", kind: "image", origin: "generated" },
          info: { ...info, variant_index: i, variant_count: input.count },
        });
      }

      // Files into the store, then every row in one transaction.
      const source = await stored(deps.store, {
        file: sourceFile,
        mime: "video/mp4",
        kind: "video",
        origin: "render",
        probe: sourceProbe,
      });
      const files: { clip: StoredFile; preview: StoredFile; info: Record<string, unknown> }[] = [];
      for (const m of made)
        files.push({
          clip: await stored(deps.store, m.clip),
          preview: await stored(deps.store, m.preview),
          info: m.info,
        });
      // The rows are written with the job's completion, only while this worker holds the job (JobContext.finish).
      progress(1);
      return await ctx.finish(async (repos) => {
        const ids = (
          await repos.variants.insertVariantRows(
            { jobId: ctx.job.id, projectId },
            mediaValues(source, sourceProbe),
            files.map((f, i) => ({
              clip: mediaValues(f.clip, made[i]?.clip.probe),
              preview: mediaValues(f.preview, undefined, sourceProbe),
              values: {
                prompt: input.prompt,
                provider: generator.name,
                startTs: input.startTs,
                endTs: input.endTs,
                box: input.box,
                info: { ...f.info, source: input.source },
              },
            })),
          )
        ).map((id, i) => ({ id, params: files[i]?.info.params ?? null }));
        return {
          provider: generator.name,
          model: generator.model,
          variant_ids: ids.map((v) => v.id),
          variants: ids,
        };
      });
    });
  } finally {
    await removeFiles(...temps);
  }
}

interface StoredFile {
  rel: string;
  sha256: string;
  bytes: number;
  mime: string;
  kind: "video" | "image";
  origin: "render" | "generated";
}

async function stored(store: ObjectStore, m: Made): Promise<StoredFile> {
  const { key: rel, sha256, bytes } = await store.putFile(m.file, m.mime);
  return { rel, sha256, bytes, mime: m.mime, kind: m.kind, origin: m.origin };
}

/** The media row of a stored file: its size from its probe, or (a preview frame) from `sizeOf`. */
function mediaValues(f: StoredFile, probe: ProbeResult | undefined, sizeOf?: ProbeResult): NewMedia {
  return {
    origin: f.origin,
    status: "ready",
    sha256: f.sha256,
    path: f.rel,
    bytes: f.bytes,
    mime: f.mime,
    kind: f.kind,
    durationSec: probe?.durationSec ?? null,
    width: probe?.width ?? sizeOf?.width ?? null,
    height: probe?.height ?? sizeOf?.height ?? null,
    fps: probe?.fps ?? null,
    videoCodec: probe?.videoCodec ?? null,
    audioCodec: probe?.audioCodec ?? null,
    hasAudio: probe?.hasAudio ?? null,
  };
}

/** Frame rate of the normalized range when the source does not say (a still, or an odd container). */
const FALLBACK_FPS = 30;

/**
 * Renders the timeline pieces into one clip in the export format, sized like the first piece's media (even
 * dimensions for yuv420p). One piece is one render; several are rendered and joined without re-encoding.
 */
export async function renderRange(
  deps: AppDeps,
  runner: FfmpegRunner,
  pieces: readonly VariantSourcePiece[],
  output: string,
  options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<string> {
  if (pieces.length === 0) throw new Error("the range covers no segment");
  const rows: MediaRow[] = [];
  for (const p of pieces) {
    const row = await deps.repos.media.findMedia(p.media_id);
    if (!row?.path || row.status !== "ready") throw new Error(`the media ${p.media_id} of the range is not available`);
    rows.push(row);
  }
  const first = rows[0] as MediaRow;
  const even = (n: number | null) => Math.max(2, (n ?? 2) - ((n ?? 2) % 2));
  const size = { width: even(first.width), height: even(first.height), fps: first.fps || FALLBACK_FPS };
  const total = pieces.reduce((sum, p) => sum + (p.source_end - p.source_start), 0);
  let done = 0;
  const parts: string[] = [];
  try {
    for (const [i, piece] of pieces.entries()) {
      const row = rows[i] as MediaRow;
      const length = piece.source_end - piece.source_start;
      const part = pieces.length === 1 ? output : await deps.files.tempPath(`.part${i}.mp4`);
      if (pieces.length > 1) parts.push(part);
      await withLocalPath(
        deps.store,
        row.path as string,
        (input) =>
          renderSegment(runner, {
            input,
            startSec: piece.source_start,
            endSec: piece.source_end,
            hasAudio: Boolean(row.hasAudio),
            ...size,
            output: part,
            ...(options.signal ? { signal: options.signal } : {}),
            onProgress: (f) => options.onProgress?.((done + f * length) / total),
          }),
        options.signal ? { signal: options.signal } : {},
      );
      done += length;
    }
    if (parts.length > 0)
      await concatParts(runner, { parts, output, ...(options.signal ? { signal: options.signal } : {}) });
  } finally {
    await removeFiles(...parts);
  }
  options.onProgress?.(1);
  return output;
}

// ---------------------------------------------------------------------------------------------------------
// Remote generators
// ---------------------------------------------------------------------------------------------------------

const ASPECTS: readonly [string, number][] = [
  ["16:9", 16 / 9],
  ["4:3", 4 / 3],
  ["1:1", 1],
  ["9:16", 9 / 16],
];

/** The aspect ratio a video model is asked for: the closest to the box's (in log scale). */
export function nearestAspect(width: number, height: number): string {
  const ratio = Math.log(width / height);
  let best = ASPECTS[0] as [string, number];
  for (const a of ASPECTS) if (Math.abs(Math.log(a[1]) - ratio) < Math.abs(Math.log(best[1]) - ratio)) best = a;
  return best[0];
}

async function remoteRegionVariant(
  runner: FfmpegRunner,
  generator: VideoGenerator,
  input: {
    source: string;
    probe: ProbeResult;
    box: FractionBox;
    prompt: string;
    durationSec: number;
    output: string;
    temp: (suffix: string) => Promise<string>;
    signal: AbortSignal;
  },
): Promise<Record<string, unknown>> {
  const width = input.probe.width ?? 0;
  const height = input.probe.height ?? 0;
  const px = boxToPixels(input.box, width, height);
  // The model animates what the box shows at the start of the range.
  const frameFile = await extractFrame(runner, {
    input: input.source,
    atSec: 0,
    filter: cropFilter(input.box),
    output: await input.temp(".jpg"),
    signal: input.signal,
  });
  const aspectRatio = nearestAspect(px.width, px.height);
  const clip = await generator.generateVideo({
    prompt: input.prompt,
    sourceFrame: { bytes: await readBytes(frameFile), mime: "image/jpeg" },
    durationSec: input.durationSec,
    aspectRatio,
  });
  const generated = await input.temp(clip.mime === "video/webm" ? ".webm" : ".mp4");
  await writeScratch(generated, clip.bytes);
  await compositeRegion(runner, {
    source: input.source,
    generated,
    output: input.output,
    box: px,
    durationSec: input.probe.durationSec || input.durationSec,
    fps: input.probe.fps || FALLBACK_FPS,
    signal: input.signal,
  });
  const params: RegionEditParams = { aspect_ratio: aspectRatio, box_px: `${px.width}x${px.height}+${px.x}+${px.y}` };
  return { op: "generate", params, model: generator.model, composited: true };
}
