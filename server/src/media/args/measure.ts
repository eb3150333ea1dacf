/** Measurements (scores for the `local` provider, and tests) and the parsers of their outputs. */
import { clampBox, cropFilter, type FractionBox } from "./composite.js";
import { escapeFilterValue, formatNumber } from "./format.js";

/** Paints a fractional box solid black, by expressions like `cropFilter`. */
export function maskFilter(box: FractionBox): string {
  const b = clampBox(box);
  return `drawbox=x=iw*${formatNumber(b.x, 6)}:y=ih*${formatNumber(b.y, 6)}:w=iw*${formatNumber(b.width, 6)}:h=ih*${formatNumber(b.height, 6)}:color=black:t=fill`;
}

export interface CompareArgsInput {
  /** The original. */
  reference: string;
  /** The edited or generated file, scaled to the reference's size when it differs. */
  distorted: string;
  /** Per-frame statistics of the whole frame are written here. */
  statsFile: string;
  /** Also measure inside and outside this box in the same decoding pass. */
  region?: { box: FractionBox; insideStatsFile: string; outsideStatsFile: string };
}

/**
 * Whole-frame, in-box and out-of-box comparison in one decoding pass; each metric filter writes per-frame
 * lines to its stats file (`parseSsim` / `parsePsnr`).
 *
 * Inside: both pictures cropped to the box. Outside: both pictures with the box painted black, so the box
 * matches perfectly and the measured value is f·perfect + (1−f)·outside (f = the box's share of the frame),
 * solved by `areaWeightedOutside`. Exact for PSNR's squared error; for SSIM, a mean over local windows, the
 * windows straddling the box edge compare black+outside with black+outside, which is what "outside" means.
 * (Deriving outside from full and inside instead counts those edge windows, damaged by the edit, as outside:
 * measured on a 160x120 blur in 320x240, 0.966 that way against 0.993 by masking and 0.993 for a plain
 * re-encode.)
 */
function compareArgs(metric: "ssim" | "psnr", input: CompareArgsInput): string[] {
  const stats = (file: string) => `${metric}=stats_file=${escapeFilterValue(file)}`;
  const region = input.region;
  const graph = region
    ? [
        "[1:v][0:v]scale2ref[d][r]",
        "[d]split=3[d0][d1][d2]",
        "[r]split=3[r0][r1][r2]",
        `[d0][r0]${stats(input.statsFile)}[full]`,
        `[d1]${cropFilter(region.box)}[dc]`,
        `[r1]${cropFilter(region.box)}[rc]`,
        `[dc][rc]${stats(region.insideStatsFile)}[inside]`,
        `[d2]${maskFilter(region.box)}[dm]`,
        `[r2]${maskFilter(region.box)}[rm]`,
        `[dm][rm]${stats(region.outsideStatsFile)}[outside]`,
      ]
    : ["[1:v][0:v]scale2ref[d][r]", `[d][r]${stats(input.statsFile)}[full]`];
  const sink = (label: string) => ["-map", `[${label}]`, "-f", "null", "-"];
  return [
    "-i",
    input.reference,
    "-i",
    input.distorted,
    "-filter_complex",
    graph.join(";"),
    ...sink("full"),
    ...(region ? [...sink("inside"), ...sink("outside")] : []),
  ];
}

export function ssimArgs(input: CompareArgsInput): string[] {
  return compareArgs("ssim", input);
}

export function psnrArgs(input: CompareArgsInput): string[] {
  return compareArgs("psnr", input);
}

export interface SignalStatsArgsInput {
  input: string;
  statsFile: string;
  /** Measure only inside this box. */
  box?: FractionBox;
  /** A filter before the statistics (e.g. "edgedetect"). */
  filter?: string;
}

/**
 * Per-frame `signalstats` (YAVG = mean luma 0..255, SATAVG = mean saturation, …) printed by `metadata` to
 * the stats file, read by `parseSignalStats`.
 */
export function signalStatsArgs(input: SignalStatsArgsInput): string[] {
  const filters = [
    input.box ? cropFilter(input.box) : null,
    input.filter ?? null,
    "signalstats",
    `metadata=mode=print:file=${escapeFilterValue(input.statsFile)}`,
  ].filter((f): f is string => f !== null);
  return ["-i", input.input, "-vf", filters.join(","), "-f", "null", "-"];
}

/**
 * Edge energy: the share of edge pixels, as the mean luma (0..255) of ffmpeg's `edgedetect` output (white
 * edges on black). Blurring lowers it; detail raises it.
 */
export function edgeEnergyArgs(input: Omit<SignalStatsArgsInput, "filter">): string[] {
  return signalStatsArgs({ ...input, filter: "edgedetect" });
}

// ---------------------------------------------------------------------------------------------------------
// Parsers for the measurement outputs
// ---------------------------------------------------------------------------------------------------------

export interface SsimResult {
  frames: number;
  /** Mean over frames of the all-planes SSIM, 0..1 (1 = identical). */
  all: number;
  /** Mean luma SSIM. */
  y: number;
}

/** Reads the ssim filter's stats file: `n:1 Y:0.953 U:0.97 V:0.97 All:0.960 (13.98)` per frame. */
export function parseSsim(text: string): SsimResult {
  let frames = 0;
  let all = 0;
  let y = 0;
  for (const line of text.split("\n")) {
    const a = /\bAll:([\d.]+)/.exec(line);
    const l = /\bY:([\d.]+)/.exec(line);
    if (!a?.[1] || !l?.[1]) continue;
    frames += 1;
    all += Number(a[1]);
    y += Number(l[1]);
  }
  if (frames === 0) throw new Error("no SSIM values in the ssim output");
  return { frames, all: all / frames, y: y / frames };
}

/** PSNR reported for identical pictures (ffmpeg says "inf", which JSON cannot carry). */
export const PSNR_IDENTICAL_DB = 100;

export interface PsnrResult {
  frames: number;
  /** Mean squared error over frames and planes (8-bit scale). */
  mse: number;
  /** PSNR of that mean error in dB, capped at PSNR_IDENTICAL_DB. */
  psnr: number;
}

/** PSNR in dB of a mean squared error on 8-bit samples. */
export function psnrFromMse(mse: number): number {
  if (mse <= 0) return PSNR_IDENTICAL_DB;
  return Math.min(PSNR_IDENTICAL_DB, 10 * Math.log10((255 * 255) / mse));
}

/**
 * Reads the psnr filter's stats file: `n:1 mse_avg:1.02 mse_y:… psnr_avg:48.0 …` per frame. The result
 * averages the squared error over frames first (as ffmpeg's own summary does), then converts to dB.
 */
export function parsePsnr(text: string): PsnrResult {
  let frames = 0;
  let mse = 0;
  for (const line of text.split("\n")) {
    const m = /\bmse_avg:([\d.]+)/.exec(line);
    if (!m?.[1]) continue;
    frames += 1;
    mse += Number(m[1]);
  }
  if (frames === 0) throw new Error("no PSNR values in the psnr output");
  const mean = mse / frames;
  return { frames, mse: mean, psnr: psnrFromMse(mean) };
}

export interface SignalStatsResult {
  frames: number;
  /** Mean over frames of each `lavfi.signalstats.*` value, keyed without the prefix: YAVG, SATAVG, … */
  averages: Record<string, number>;
}

/** Reads `metadata=mode=print` output: a `frame:N pts:… pts_time:…` line, then `key=value` lines. */
export function parseSignalStats(text: string): SignalStatsResult {
  let frames = 0;
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (line.startsWith("frame:")) {
      frames += 1;
      continue;
    }
    const m = /^lavfi\.signalstats\.(\w+)=(-?[\d.]+)\s*$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    sums[m[1]] = (sums[m[1]] ?? 0) + Number(m[2]);
    counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  }
  const averages: Record<string, number> = {};
  for (const [key, sum] of Object.entries(sums)) averages[key] = sum / (counts[key] ?? 1);
  return { frames, averages };
}

/**
 * The mean of a per-pixel quantity outside a box, from its mean over the whole frame and its value inside
 * the box: full = f·inside + (1−f)·outside, with f the box's share of the frame. With a masked box (see
 * `compareArgs`), inside is the perfect value: 1 for SSIM, 0 for squared error. Null when the box is the
 * whole frame.
 */
export function areaWeightedOutside(full: number, inside: number, insideFraction: number): number | null {
  if (insideFraction >= 1) return null;
  if (insideFraction <= 0) return full;
  return (full - insideFraction * inside) / (1 - insideFraction);
}
