/**
 * Variants made by AI region generation (regionGeneration.ts): the view clients get, accepting one onto the
 * project timeline, and scoring one.
 *
 * Timeline times are seconds on the PROJECT TIMELINE (the active segments laid end to end in order); a
 * segment's start_ts/end_ts are seconds in its SOURCE media. The splice is planned as data by
 * `planVariantSplice` (timeline/ranges.ts) on the timeline as it is inside the accept's transaction, and
 * `acceptVariantRows` (repositories/variants.ts) applies it in that same transaction.
 */
import type { Variant, VariantAcceptResponse, VariantScore } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { conflict, HttpError, notFound } from "../errors.js";
import { newId } from "../ids.js";
import { extractFrame } from "../media/operations.js";
import { isRegionScorer } from "../providers/local/scorer.js";
import type { Media as ProviderMedia, Scorer } from "../providers/types.js";
import type { Repos } from "../repositories/index.js";
import type { MediaRow } from "../repositories/media.js";
import { derivedFrom, type SegmentInsert, type SegmentRow, type TimelineRewrite } from "../repositories/segments.js";
import type { VariantRow } from "../repositories/variants.js";
import { readBytes, removeFiles } from "../storage/files.js";
import { requireVisible } from "./access.js";
import { providerOr400, withAiCallScope } from "./aiCalls.js";
import { requireFfmpeg } from "./mediaFailures.js";
import { mediaUrl } from "./mediaViews.js";
import { timelineViews } from "./segments.js";
import {
  planVariantSplice,
  type RangePiece,
  rangePieces,
  samePieces,
  TIME_EPSILON,
  timelineDuration,
} from "./timeline/index.js";

// ---------------------------------------------------------------------------------------------------------
// Reading variants
// ---------------------------------------------------------------------------------------------------------

/** What a variant's info records about the timeline it was made from (to refuse a stale accept). */
export interface VariantSourcePiece {
  media_id: string;
  source_start: number;
  source_end: number;
}

/** A variant of a project the caller can see; anything else answers 404, as if it did not exist. */
export async function requireVariant(repos: Repos, auth: AuthContext, variantId: string): Promise<VariantRow> {
  return (await requireVisible(repos, auth, await repos.variants.findVariant(variantId), "Variant")).row;
}

async function mediaRow(repos: Repos, id: string | null): Promise<MediaRow | undefined> {
  return id ? await repos.media.findMedia(id) : undefined;
}

/** `{ id, url, preview_url }` as GET /api/job/{id} lists them, plus what the variant is. */
export async function variantView(deps: AppDeps, row: VariantRow): Promise<Variant> {
  const clip = await mediaRow(deps.repos, row.mediaId);
  const preview = await mediaRow(deps.repos, row.previewMediaId);
  return {
    id: row.id,
    job_id: row.jobId,
    project_id: row.projectId,
    url: clip ? mediaUrl(deps, clip) : null,
    preview_url: preview ? mediaUrl(deps, preview) : null,
    prompt: row.prompt,
    provider: row.provider,
    start_ts: row.startTs,
    end_ts: row.endTs,
    bounding_box: row.box,
    info: row.info ?? null,
    accepted_at: row.acceptedAt,
    created_at: row.createdAt,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Accept
// ---------------------------------------------------------------------------------------------------------

/**
 * Puts the variant on the timeline over exactly its range, in one transaction: covering segments are
 * split at the range's ends (parts outside stay active, the covered parts are deactivated and kept) and
 * the variant becomes an active `generated` segment in their place. 409 when it was accepted already, or
 * when the range no longer shows what the variant was made from (another accept or an edit changed it).
 */
export async function acceptVariant(
  deps: AppDeps,
  auth: AuthContext,
  variantId: string,
): Promise<VariantAcceptResponse> {
  const found = await requireVariant(deps.repos, auth, variantId);
  const result = await deps.repos.variants.acceptVariantRows(
    found.id,
    (variant, active): TimelineRewrite & { segmentId: string } => {
      if (!variant) throw notFound("Variant");
      if (variant.acceptedAt)
        throw conflict("Variant already accepted", { variant_id: variant.id, accepted_at: variant.acceptedAt });
      const duration = timelineDuration(active);
      const made = (variant.info?.source as VariantSourcePiece[] | undefined) ?? [];
      const now = rangePieces(active, variant.startTs, variant.endTs);
      if (variant.endTs > duration + TIME_EPSILON || !samePieces(made.map(fromStored), now)) {
        throw conflict("The timeline changed in this range since the variant was made; generate again", {
          variant_id: variant.id,
          start_ts: variant.startTs,
          end_ts: variant.endTs,
        });
      }
      return spliceRewrite(variant, active);
    },
  );
  const timeline = await timelineViews(deps, result.projectId);
  const { segmentId } = result.rewrite as TimelineRewrite & { segmentId: string };
  const segment = timeline.segments.find((s) => s.id === segmentId);
  if (!segment) throw new HttpError(500, "the accepted segment is missing from the timeline");
  return {
    variant_id: found.id,
    accepted_at: result.acceptedAt,
    segment,
    replaced_segment_ids: [...result.rewrite.deactivate],
    segments: timeline.segments,
    duration: timeline.duration,
  };
}

/**
 * The rows of an accept: covering segments are split at the range's ends (parts outside stay active, the
 * covered parts are kept inactive) and the variant's `generated` segment (`segmentId`) takes their place.
 */
function spliceRewrite(variant: VariantRow, active: readonly SegmentRow[]): TimelineRewrite & { segmentId: string } {
  const plan = planVariantSplice(active, variant.startTs, variant.endTs, () => newId("seg"));
  const byId = new Map(active.map((s) => [s.id, s]));
  const variantIndex = plan.order.indexOf(plan.variantSegment.id);
  const parts = plan.parts.map((part): SegmentInsert => {
    const parent = byId.get(part.parentSegmentId) as SegmentRow;
    return {
      ...derivedFrom(parent),
      id: part.id,
      projectId: parent.projectId,
      startTs: part.startTs,
      endTs: part.endTs,
      orderIndex: part.active ? plan.order.indexOf(part.id) : variantIndex,
      active: part.active,
    };
  });
  const segment: SegmentInsert = {
    id: plan.variantSegment.id,
    projectId: variant.projectId,
    mediaId: variant.mediaId,
    startTs: plan.variantSegment.startTs,
    endTs: plan.variantSegment.endTs,
    orderIndex: variantIndex,
    active: true,
    source: "generated",
    variantId: variant.id,
    parentSegmentId: plan.variantSegment.parentSegmentId,
  };
  return { deactivate: plan.deactivate, insert: [...parts, segment], order: plan.order, segmentId: segment.id };
}

function fromStored(p: VariantSourcePiece): Pick<RangePiece, "mediaId" | "sourceStart" | "sourceEnd"> {
  return { mediaId: p.media_id, sourceStart: p.source_start, sourceEnd: p.source_end };
}

export function toStored(p: RangePiece): VariantSourcePiece {
  return { media_id: p.mediaId, source_start: p.sourceStart, source_end: p.sourceEnd };
}

// ---------------------------------------------------------------------------------------------------------
// Score
// ---------------------------------------------------------------------------------------------------------

export type CompareTo = "prompt" | "original";

/** Frames a remote scorer looks at: a sixth, the middle and five sixths into the clip. */
const SCORE_FRAME_POSITIONS = [1 / 6, 1 / 2, 5 / 6];

/**
 * Scores a variant against its prompt or the original range. `local` measures (SSIM/PSNR inside and
 * outside the box, and the edit's expected effect inside it); a remote scorer (gemini) looks at frames.
 * One stored score per (variant, compare_to, scorer): asking again returns it.
 */
export async function scoreVariant(
  deps: AppDeps,
  auth: AuthContext,
  variantId: string,
  compareTo: CompareTo,
  provider: string,
): Promise<VariantScore> {
  const variant = await requireVariant(deps.repos, auth, variantId);
  const scorer: Scorer = providerOr400(provider, () => deps.providers.scorer(provider));
  const cached = (await deps.repos.variants.scoresOfVariant(variant.id, compareTo)).find(
    (s) => s.result.provider === scorer.name,
  );
  if (cached) return cached.result as unknown as VariantScore;

  const clip = await mediaRow(deps.repos, variant.mediaId);
  const original = await mediaRow(deps.repos, variant.sourceMediaId);
  if (!clip?.path || !original?.path) throw new HttpError(409, "The variant's files are not available");
  // Local copies for ffmpeg (the stored files themselves in the data folder), leased until scored.
  const clipLease = await deps.store.localPath(clip.path);
  const originalLease = await deps.store.localPath(original.path).catch((error: unknown) => {
    clipLease.release();
    throw error;
  });
  const clipFile = clipLease.path;
  const originalFile = originalLease.path;

  const result = await withAiCallScope({ userId: auth.user.id, jobId: variant.jobId }, async () => {
    if (isRegionScorer(scorer)) {
      const measured = await scorer.scoreRegion({
        prompt: variant.prompt,
        op: typeof variant.info?.op === "string" ? variant.info.op : undefined,
        compareTo,
        original: originalFile,
        edited: clipFile,
        box: variant.box,
      });
      const { metrics, ...score } = measured;
      return { score, metrics };
    }
    const duration = clip.durationSec ?? variant.endTs - variant.startTs;
    const frames = await clipFrames(deps, clipFile, duration);
    const originalFrames = compareTo === "original" ? await clipFrames(deps, originalFile, duration) : undefined;
    const score = await scorer.scoreFrames({
      prompt: `${variant.prompt} (inside the box ${describeBox(variant.box)} of the frame)`,
      frames,
      compareTo,
      ...(originalFrames ? { originalFrames } : {}),
    });
    return { score };
  }).finally(() => {
    clipLease.release();
    originalLease.release();
  });
  const view: VariantScore = {
    variant_id: variant.id,
    score: {
      overall_rating: result.score.overall_rating,
      details: result.score.details,
      fidelity_to_prompt: result.score.fidelity_to_prompt,
      visual_quality: result.score.visual_quality,
    },
    compare_to: compareTo,
    provider: scorer.name,
    ...("metrics" in result && result.metrics ? { metrics: result.metrics } : {}),
  };
  await deps.repos.variants.insertScore({
    variantId: variant.id,
    compareTo,
    result: view as unknown as Record<string, unknown>,
  });
  return view;
}

/** "x 10–50 %, y 20–60 %" for a prompt to a remote scorer. */
function describeBox(box: VariantRow["box"]): string {
  const pct = (v: number) => Math.round(v * 100);
  return `x ${pct(box.x)}–${pct(box.x + box.width)} %, y ${pct(box.y)}–${pct(box.y + box.height)} % (from the top left)`;
}

async function clipFrames(deps: AppDeps, file: string, durationSec: number): Promise<ProviderMedia[]> {
  const runner = requireFfmpeg(deps);
  const frames: ProviderMedia[] = [];
  for (const position of SCORE_FRAME_POSITIONS) {
    const output = await deps.files.tempPath(".jpg");
    try {
      await extractFrame(runner, { input: file, atSec: durationSec * position, width: 768, output });
      frames.push({ bytes: await readBytes(output), mime: "image/jpeg" });
    } finally {
      await removeFiles(output);
    }
  }
  return frames;
}
