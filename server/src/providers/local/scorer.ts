/**
 * `local` scorer: scores a region edit by measurement, not by looking (DESIGN.md, Providers).
 *
 * - Against the original: SSIM and PSNR inside and outside the box (media/operations.ts measures outside
 *   with the box masked in both pictures). A good edit changes the box and leaves the rest as it was.
 * - Against the prompt: whether the box changed the way the op named in the prompt should: blur and remove
 *   lower edge energy, pixelate lowers fine detail (edge energy) too, grayscale lowers saturation,
 *   brighten/darken raise/lower mean luma. Outside the box SSIM still says whether the rest was kept.
 *
 * The result has the editing API's score shape (strings) with the numbers written into them, plus the raw
 * `metrics`. `judgeRegionEdit` holds the thresholds and is pure, so tests read it as data.
 */

import type { FractionBox } from "../../media/args/index.js";
import type { FfmpegRunner } from "../../media/ffmpeg.js";
import {
  measureEdgeEnergy,
  measureMeanLuma,
  measurePsnr,
  measureSaturation,
  measureSsim,
} from "../../media/operations.js";
import { removeFiles, writeScratch } from "../../storage/files.js";
import { metered } from "../record.js";
import { type Media, ProviderError, type RecordCall, type Score, type ScoreRequest, type Scorer } from "../types.js";
import { LOCAL_REGION_OPS, parseRegionOp, type RegionOp } from "./regionOps.js";

export const LOCAL_SCORER_MODEL = "local-measure-v1";

export type CompareTo = "prompt" | "original";

export interface RegionScoreRequest {
  prompt: string;
  /** The op the variant was made with, when known; else read from the prompt. */
  op?: string | undefined;
  compareTo: CompareTo;
  /** The source range (a file path). */
  original: string;
  /** The variant (a file path), same size and timing as `original`. */
  edited: string;
  box: FractionBox;
  signal?: AbortSignal;
}

export type Metrics = Record<string, number | null>;
export interface RegionScore extends Score {
  metrics: Metrics;
}

/** A scorer that can measure a region edit from the two clips (local). */
export interface RegionScorer extends Scorer {
  scoreRegion(req: RegionScoreRequest): Promise<RegionScore>;
}

export function isRegionScorer(scorer: Scorer): scorer is RegionScorer {
  return typeof (scorer as Partial<RegionScorer>).scoreRegion === "function";
}

type EffectMetric = "edge_energy" | "saturation" | "mean_luma";

/**
 * What each op should do to the box. `relative` effects compare after/before (a ratio); absolute ones the
 * difference on the 0..255 scale. `expected` is the change a clear edit reaches, `weak` a visible one.
 *
 * Measured with the mildest local variant on the middle half of a testsrc2 clip (server/test/ai/localOps):
 * edge energy 3.56 → 0.41 for blur (×0.11), → 2.67 for pixelate (×0.75), → 2.14 for remove (×0.60);
 * saturation 110.5 → 0.4 for grayscale; mean luma +37 for brighten, −42 for darken. An unedited box moves
 * none of them (the same test scores the original against itself as poor).
 */
export const OP_EFFECTS: Record<
  RegionOp,
  { metric: EffectMetric; direction: "lower" | "higher"; relative: boolean; expected: number; weak: number }
> = {
  blur: { metric: "edge_energy", direction: "lower", relative: true, expected: 0.75, weak: 0.92 },
  pixelate: { metric: "edge_energy", direction: "lower", relative: true, expected: 0.85, weak: 0.95 },
  remove: { metric: "edge_energy", direction: "lower", relative: true, expected: 0.75, weak: 0.92 },
  grayscale: { metric: "saturation", direction: "lower", relative: true, expected: 0.15, weak: 0.6 },
  brighten: { metric: "mean_luma", direction: "higher", relative: false, expected: 10, weak: 3 },
  darken: { metric: "mean_luma", direction: "lower", relative: false, expected: -10, weak: -3 },
};

const METRIC_LABEL: Record<EffectMetric, string> = {
  edge_energy: "edge energy",
  saturation: "saturation",
  mean_luma: "mean luma",
};

/** SSIM outside the box at or above this: the rest of the picture was kept (a re-encode alone gives ~0.99). */
export const OUTSIDE_KEPT_SSIM = 0.97;
/** …at or above this: slightly changed. */
export const OUTSIDE_SLIGHT_SSIM = 0.9;
/** SSIM inside the box below this: the box visibly changed. */
export const INSIDE_CHANGED_SSIM = 0.98;

export interface RegionMeasurements {
  ssimFull: number;
  ssimInside: number | null;
  ssimOutside: number | null;
  psnrFull?: number | null;
  psnrInside?: number | null;
  psnrOutside?: number | null;
  /** The op's metric inside the box, original and variant. */
  effectBefore?: number | null;
  effectAfter?: number | null;
}

type Verdict = "expected" | "weak" | "none" | "unknown";

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : v.toFixed(3));
const f1 = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : v.toFixed(1));
const db = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : `${v.toFixed(1)} dB`);

function effectVerdict(op: RegionOp, before: number, after: number): { verdict: Verdict; change: number } {
  const e = OP_EFFECTS[op];
  if (e.relative) {
    // Nothing to lower (an already grey or flat box): the op cannot show, which is not the variant's fault.
    if (before < 0.5) return { verdict: after <= before + 0.5 ? "expected" : "none", change: Number.NaN };
    const ratio = after / before;
    return { verdict: ratio <= e.expected ? "expected" : ratio <= e.weak ? "weak" : "none", change: ratio };
  }
  const delta = after - before;
  const reached = (limit: number) => (e.direction === "higher" ? delta >= limit : delta <= limit);
  return { verdict: reached(e.expected) ? "expected" : reached(e.weak) ? "weak" : "none", change: delta };
}

function describeEffect(op: RegionOp, before: number, after: number, verdict: Verdict, change: number): string {
  const e = OP_EFFECTS[op];
  const label = METRIC_LABEL[e.metric];
  const moved = e.relative
    ? `${f1(before)} → ${f1(after)} (${change >= 1 ? "+" : ""}${Math.round((change - 1) * 100)} %)`
    : `${f1(before)} → ${f1(after)} (${change >= 0 ? "+" : ""}${change.toFixed(1)} levels)`;
  const want = e.relative
    ? `a ${e.direction === "lower" ? "drop" : "rise"} of at least ${Math.round(Math.abs(1 - e.expected) * 100)} %`
    : `a ${e.direction === "lower" ? "drop" : "rise"} of at least ${Math.abs(e.expected)} levels`;
  const head = { expected: "as expected", weak: "weaker than expected", none: "not seen", unknown: "unknown" }[verdict];
  if (Number.isNaN(change))
    return `${verdict === "expected" ? "nothing to change" : "not seen"}: the box had almost no ${label} to lower (${f1(before)} → ${f1(after)})`;
  return `${head}: ${op} should ${e.direction === "lower" ? "lower" : "raise"} ${label} inside the box; it went ${moved}, expected ${want}`;
}

/**
 * The score from measurements. `op` null = the prompt names nothing `local` can check, so fidelity to the
 * prompt is reported as unmeasured and the rating rests on the box changing and the rest being kept.
 */
export function judgeRegionEdit(input: { op: RegionOp | null; compareTo: CompareTo; m: RegionMeasurements }): Score {
  const { op, compareTo, m } = input;
  // Without a box (whole frames) there is no "outside": only the change itself is judged.
  const outside = m.ssimOutside;
  const kept =
    outside === null || outside >= OUTSIDE_KEPT_SSIM
      ? "kept"
      : outside >= OUTSIDE_SLIGHT_SSIM
        ? "slightly changed"
        : "changed";
  const insideChanged = (m.ssimInside ?? m.ssimFull) < INSIDE_CHANGED_SSIM;

  let verdict: Verdict = "unknown";
  let fidelity: string;
  if (op && typeof m.effectBefore === "number" && typeof m.effectAfter === "number") {
    const effect = effectVerdict(op, m.effectBefore, m.effectAfter);
    verdict = effect.verdict;
    fidelity = describeEffect(op, m.effectBefore, m.effectAfter, effect.verdict, effect.change);
  } else if (op) {
    // compare_to=original measures no op metric: the box changing is the evidence.
    verdict = insideChanged ? "expected" : "none";
    fidelity = insideChanged
      ? `the box changed (SSIM inside ${f3(m.ssimInside)}) as a ${op} should; compare_to=prompt measures the ${op} itself`
      : `the box did not change (SSIM inside ${f3(m.ssimInside)}), so the ${op} is not visible`;
  } else {
    fidelity =
      `not measurable: the prompt names none of the edits local can check (${LOCAL_REGION_OPS.join(", ")}); ` +
      `the box ${insideChanged ? "changed" : "did not change"} (SSIM inside ${f3(m.ssimInside)})`;
  }

  const quality =
    (outside === null ? "no box given" : `outside the box ${kept}: SSIM ${f3(outside)}`) +
    (m.psnrOutside !== undefined ? `, PSNR ${db(m.psnrOutside)}` : "") +
    `; whole frame SSIM ${f3(m.ssimFull)}` +
    (m.psnrFull !== undefined ? `, PSNR ${db(m.psnrFull)}` : "");

  // Good: did what was asked and kept the rest. Fair: did it weakly, or touched the rest a little. Poor:
  // nothing visible happened, or the rest of the picture was damaged.
  const did = verdict === "expected" || (verdict === "unknown" && insideChanged);
  const rating = did && kept === "kept" ? "good" : (did || verdict === "weak") && kept !== "changed" ? "fair" : "poor";

  const numbers = [
    `SSIM full ${f3(m.ssimFull)} / inside ${f3(m.ssimInside)} / outside ${f3(m.ssimOutside)}`,
    m.psnrFull !== undefined
      ? `PSNR full ${db(m.psnrFull)} / inside ${db(m.psnrInside)} / outside ${db(m.psnrOutside)}`
      : null,
    op && m.effectBefore !== undefined
      ? `${METRIC_LABEL[OP_EFFECTS[op].metric]} inside ${f1(m.effectBefore)} → ${f1(m.effectAfter)}`
      : null,
  ].filter((s): s is string => s !== null);
  const details =
    `Measured by local (not AI) against the ${compareTo === "original" ? "original range" : "prompt"}` +
    `${op ? `, op ${op}` : ""}: ${numbers.join("; ")}. ` +
    `Thresholds: outside SSIM >= ${OUTSIDE_KEPT_SSIM} kept, >= ${OUTSIDE_SLIGHT_SSIM} slightly changed; ` +
    `inside SSIM < ${INSIDE_CHANGED_SSIM} changed.`;
  return { overall_rating: rating, details, fidelity_to_prompt: fidelity, visual_quality: quality };
}

export function metricsOf(m: RegionMeasurements): Metrics {
  const out: Metrics = {
    ssim_full: m.ssimFull,
    ssim_inside: m.ssimInside,
    ssim_outside: m.ssimOutside,
  };
  if (m.psnrFull !== undefined) out.psnr_full = m.psnrFull;
  if (m.psnrInside !== undefined) out.psnr_inside = m.psnrInside;
  if (m.psnrOutside !== undefined) out.psnr_outside = m.psnrOutside;
  if (m.effectBefore !== undefined) out.effect_before = m.effectBefore;
  if (m.effectAfter !== undefined) out.effect_after = m.effectAfter;
  return out;
}

const EFFECT_MEASURE = { edge_energy: measureEdgeEnergy, saturation: measureSaturation, mean_luma: measureMeanLuma };

/** Runs the measurements one comparison needs (2–4 ffmpeg passes over the two clips). */
export async function measureRegionEdit(
  runner: FfmpegRunner,
  input: {
    original: string;
    edited: string;
    box?: FractionBox;
    op: RegionOp | null;
    compareTo: CompareTo;
    signal?: AbortSignal;
  },
): Promise<RegionMeasurements> {
  const pair = {
    reference: input.original,
    distorted: input.edited,
    ...(input.box ? { box: input.box } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  const ssim = await measureSsim(runner, pair);
  const m: RegionMeasurements = { ssimFull: ssim.full, ssimInside: ssim.inside, ssimOutside: ssim.outside };
  if (input.compareTo === "original") {
    const psnr = await measurePsnr(runner, pair);
    m.psnrFull = psnr.full;
    m.psnrInside = psnr.inside;
    m.psnrOutside = psnr.outside;
  } else if (input.op) {
    const measure = EFFECT_MEASURE[OP_EFFECTS[input.op].metric];
    const at = (file: string) =>
      measure(runner, {
        input: file,
        ...(input.box ? { box: input.box } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
      });
    m.effectBefore = await at(input.original);
    m.effectAfter = await at(input.edited);
  }
  return m;
}

function regionOpOf(op: string | undefined, prompt: string): RegionOp | null {
  if (op && (LOCAL_REGION_OPS as readonly string[]).includes(op)) return op as RegionOp;
  return parseRegionOp(prompt);
}

export interface LocalScorerOptions {
  /** The app's ffmpeg runner; null when none was found at start. */
  ffmpeg: FfmpegRunner | null;
  /** A scratch file path with this suffix (frames handed to `scoreFrames` are written there). */
  tempPath: (suffix: string) => Promise<string>;
  record?: RecordCall;
}

const EXT: Record<string, string> = { "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp" };

export function createLocalScorer(options: LocalScorerOptions): RegionScorer {
  const call = { provider: "local", model: LOCAL_SCORER_MODEL, kind: "score" } as const;

  function ffmpegOrThrow(): FfmpegRunner {
    if (!options.ffmpeg)
      throw new ProviderError("upstream", "local", "local scores with ffmpeg, which was not found at start");
    return options.ffmpeg;
  }

  async function writeFrame(frame: Media): Promise<string> {
    const file = await options.tempPath(EXT[frame.mime] ?? ".png");
    await writeScratch(file, frame.bytes);
    return file;
  }

  return {
    name: "local",
    scoreRegion: (req) =>
      metered(options.record, call, async () => {
        const runner = ffmpegOrThrow();
        const op = regionOpOf(req.op, req.prompt);
        const m = await measureRegionEdit(runner, { ...req, op });
        return { result: { ...judgeRegionEdit({ op, compareTo: req.compareTo, m }), metrics: metricsOf(m) } };
      }),
    /**
     * Whole frames (no box): each frame against the original frame at the same index, measurements
     * averaged. Measuring needs the original, so both comparisons require `originalFrames`.
     */
    scoreFrames: (req: ScoreRequest) =>
      metered(options.record, call, async () => {
        const originals = req.originalFrames ?? [];
        if (req.frames.length === 0 || originals.length < req.frames.length)
          throw new ProviderError(
            "bad_request",
            "local",
            "local scores by measurement: it needs each frame's original",
          );
        const runner = ffmpegOrThrow();
        const op = parseRegionOp(req.prompt);
        const all: RegionMeasurements[] = [];
        for (const [i, frame] of req.frames.entries()) {
          const files = [await writeFrame(frame), await writeFrame(originals[i] as Media)];
          try {
            all.push(
              await measureRegionEdit(runner, {
                original: files[1] as string,
                edited: files[0] as string,
                op,
                compareTo: req.compareTo,
              }),
            );
          } finally {
            await removeFiles(...files);
          }
        }
        const mean = (pick: (m: RegionMeasurements) => number | null | undefined) => {
          const values = all.map(pick).filter((v): v is number => typeof v === "number");
          return values.length === all.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
        };
        const m: RegionMeasurements = { ssimFull: mean((x) => x.ssimFull) ?? 0, ssimInside: null, ssimOutside: null };
        for (const key of ["psnrFull", "effectBefore", "effectAfter"] as const) {
          const v = mean((x) => x[key]);
          if (v !== undefined) m[key] = v;
        }
        return { result: judgeRegionEdit({ op, compareTo: req.compareTo, m }) };
      }),
  };
}
