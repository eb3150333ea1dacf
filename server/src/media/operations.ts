/**
 * Media operations: thin async functions that run the pure builders of `args/` through a `FfmpegRunner`.
 *
 * Every file output is written under a temporary name in the destination's own folder and renamed into place
 * once ffmpeg has finished, so a reader (the HTTP file server, a cache lookup, a crashed job's retry) never
 * sees a half-written file, and a failed run leaves nothing behind.
 */
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isNonEmptyFile, scratchName, scratchSibling } from "../storage/files.js";
import {
  areaWeightedOutside,
  type CompositeRegionArgsInput,
  chooseStripStrategy,
  clampBox,
  compositeRegionArgs,
  concatArgs,
  concatListContent,
  decodeOnceStripArgs,
  edgeEnergyArgs,
  type FractionBox,
  type FrameArgsInput,
  frameArgs,
  lastFrameArgs,
  parsePsnr,
  parseSignalStats,
  parseSsim,
  psnrArgs,
  psnrFromMse,
  type RenderSegmentArgsInput,
  renderSegmentArgs,
  type StripStrategy,
  signalStatsArgs,
  ssimArgs,
  stripArgs,
} from "./args/index.js";
import type { FfmpegRunner, RunOptions } from "./ffmpeg.js";

/** No frame at the requested time, which is past the end of the video. Routes answer 422. */
export class FrameNotFoundError extends Error {
  readonly statusCode = 422;
  readonly atSec: number;
  constructor(atSec: number) {
    super(`no frame at ${atSec} s: the time is past the end of the video`);
    this.name = "FrameNotFoundError";
    this.atSec = atSec;
  }
}

export interface Cancellable {
  signal?: AbortSignal;
}

/**
 * Runs `produce` against temporary names for `outputs`, then renames each into place. ffmpeg exits 0
 * without writing when it has nothing to write, so an empty or missing output is an error here.
 */
async function writeAtomically(outputs: readonly string[], produce: (temps: string[]) => Promise<void>): Promise<void> {
  const temps = outputs.map(scratchSibling);
  try {
    await produce(temps);
    for (const [i, temp] of temps.entries()) {
      if (!(await isNonEmptyFile(temp))) throw new Error(`ffmpeg wrote no output for ${outputs[i]}`);
    }
    for (const [i, temp] of temps.entries()) await rename(temp, outputs[i] as string);
  } finally {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Frames and strips
// ---------------------------------------------------------------------------------------------------------

interface FrameSource extends Cancellable {
  input: string;
  width?: number;
  filter?: string;
}

/**
 * Seeking finds the first frame at or after a time, so a time inside the last frame's display period (up to
 * the duration) finds none and ffmpeg writes nothing. Those outputs get the last frame; a time past the
 * duration is a `FrameNotFoundError`.
 */
async function fillPastLastFrame(
  runner: FfmpegRunner,
  source: FrameSource,
  times: readonly number[],
  temps: readonly string[],
): Promise<void> {
  const missing: number[] = [];
  for (const [i, temp] of temps.entries()) if (!(await isNonEmptyFile(temp))) missing.push(i);
  const [first, ...rest] = missing;
  if (first === undefined) return;
  const { durationSec } = await runner.probe(source.input);
  const past = missing.find((i) => (times[i] as number) > durationSec + 0.001);
  if (past !== undefined) throw new FrameNotFoundError(times[past] as number);
  const lastFrame = temps[first] as string;
  await runner.run(
    lastFrameArgs({
      input: source.input,
      output: lastFrame,
      ...(source.width ? { width: source.width } : {}),
      ...(source.filter ? { filter: source.filter } : {}),
    }),
    { signal: source.signal },
  );
  for (const i of rest) await copyFile(lastFrame, temps[i] as string);
}

/** One JPEG frame at `atSec` (at the duration itself: the last frame). */
export async function extractFrame(runner: FfmpegRunner, input: FrameArgsInput & Cancellable): Promise<string> {
  await writeAtomically([input.output], async (temps) => {
    await runner.run(frameArgs({ ...input, output: temps[0] as string }), { signal: input.signal });
    await fillPastLastFrame(runner, input, [input.atSec], temps);
  });
  return input.output;
}

/**
 * The keyframe interval assumed when the caller does not know it. Encoders vary from 1 s (streaming-ready
 * files) to x264's default of 250 frames (8–10 s); 2 s splits the difference in `chooseStripStrategy`.
 */
export const DEFAULT_KEYFRAME_INTERVAL_SEC = 2;

/**
 * At most this many seeked inputs in one ffmpeg run: each input is its own demuxer and multi-threaded
 * decoder, so a 100-frame strip would open 100 of them at once.
 */
export const MAX_SEEK_INPUTS = 16;

export interface ExtractStripInput extends Cancellable {
  input: string;
  times: readonly number[];
  outputs: readonly string[];
  width?: number;
  keyframeIntervalSec?: number;
  /** Passed to `stripArgs` (seeked inputs only). */
  decoderThreads?: number;
}

export interface StripResult {
  strategy: StripStrategy;
  frames: { timeSec: number; path: string }[];
}

/** Frames at `times`, by one decoding pass or by seeked inputs, whichever `chooseStripStrategy` says is faster. */
export async function extractStrip(runner: FfmpegRunner, input: ExtractStripInput): Promise<StripResult> {
  const { times, outputs } = input;
  if (times.length === 0) return { strategy: "seek", frames: [] };
  if (times.length !== outputs.length) throw new RangeError("a strip needs one output per time");
  const span = Math.max(...times) - Math.min(...times);
  const strategy = chooseStripStrategy(times.length, span, input.keyframeIntervalSec ?? DEFAULT_KEYFRAME_INTERVAL_SEC);
  const width = input.width ? { width: input.width } : {};

  await writeAtomically(outputs, async (temps) => {
    if (strategy === "decode") {
      await runner.run(decodeOnceStripArgs({ input: input.input, times, outputs: temps, ...width }), {
        signal: input.signal,
      });
    } else {
      for (let from = 0; from < times.length; from += MAX_SEEK_INPUTS) {
        const chunk = {
          times: times.slice(from, from + MAX_SEEK_INPUTS),
          outputs: temps.slice(from, from + MAX_SEEK_INPUTS),
        };
        const threads = input.decoderThreads ? { decoderThreads: input.decoderThreads } : {};
        await runner.run(stripArgs({ input: input.input, ...chunk, ...width, ...threads }), { signal: input.signal });
      }
    }
    await fillPastLastFrame(runner, input, times, temps);
  });
  return { strategy, frames: times.map((timeSec, i) => ({ timeSec, path: outputs[i] as string })) };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------------------

export interface ProgressReporting extends Cancellable {
  /** Share done, 0..1, from ffmpeg's `-progress` output. */
  onProgress?(fraction: number): void;
}

export function progressOf(durationSec: number, onProgress: ((fraction: number) => void) | undefined) {
  if (!onProgress || !(durationSec > 0)) return undefined;
  return (outTimeSec: number) => onProgress(Math.min(1, Math.max(0, outTimeSec / durationSec)));
}

/** One timeline segment in the common export format (see `renderSegmentArgs`). */
export async function renderSegment(
  runner: FfmpegRunner,
  input: RenderSegmentArgsInput & ProgressReporting,
): Promise<string> {
  const onProgress = progressOf(input.endSec - input.startSec, input.onProgress);
  await writeAtomically([input.output], ([temp]) =>
    runner.run(renderSegmentArgs({ ...input, output: temp as string }), {
      signal: input.signal,
      onProgress,
      mediaDurationSec: input.endSec - input.startSec,
    }),
  );
  input.onProgress?.(1);
  return input.output;
}

/** Joins rendered parts without re-encoding. The list file lives beside the output only while ffmpeg runs. */
export async function concatParts(
  runner: FfmpegRunner,
  input: { parts: readonly string[]; output: string; durationSec?: number } & Cancellable,
): Promise<string> {
  const parts = input.parts.map((part) => path.resolve(part));
  const listFile = path.join(path.dirname(input.output), scratchName(path.basename(input.output), ".txt"));
  await writeFile(listFile, concatListContent(parts));
  try {
    await writeAtomically([input.output], ([temp]) =>
      runner.run(concatArgs({ listFile, output: temp as string }), {
        signal: input.signal,
        ...(input.durationSec ? { mediaDurationSec: input.durationSec } : {}),
      }),
    );
  } finally {
    await rm(listFile, { force: true });
  }
  return input.output;
}

/**
 * Runs one ffmpeg command that writes `output`, atomically like every operation here: for builders that live
 * beside their provider (the `local` provider's region edits and placeholder images).
 */
export async function runToFile(
  runner: FfmpegRunner,
  output: string,
  build: (temp: string) => string[],
  options: RunOptions = {},
): Promise<string> {
  await writeAtomically([output], ([temp]) => runner.run(build(temp as string), options));
  return output;
}

export interface CompositeRegionInput extends CompositeRegionArgsInput, Cancellable {}

/** A remote model's clip put into the box of the source clip (`compositeRegionArgs`), written atomically. */
export async function compositeRegion(runner: FfmpegRunner, input: CompositeRegionInput): Promise<string> {
  const { signal, ...args } = input;
  await writeAtomically([input.output], ([temp]) =>
    runner.run(compositeRegionArgs({ ...args, output: temp as string }), { signal }),
  );
  return input.output;
}

// ---------------------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------------------

/** Runs `measure` with a private temporary folder for ffmpeg's stats files, removed afterwards. */
async function withStatsDir<T>(measure: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "dailies-measure-"));
  try {
    return await measure(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface CompareInput extends Cancellable {
  reference: string;
  distorted: string;
  /** Also report the value inside this box and outside it. */
  box?: FractionBox;
}

export interface RegionScores {
  full: number;
  /** Null without a box. */
  inside: number | null;
  /** Null without a box, or when the box covers the whole frame. */
  outside: number | null;
}

/** Runs a comparison and reads its stats files; `inside`/`outsideMasked` are null without a box. */
async function compare<T>(
  runner: FfmpegRunner,
  input: CompareInput,
  build: typeof ssimArgs,
  read: (text: string) => T,
): Promise<{ full: T; inside: T | null; outsideMasked: T | null; fraction: number }> {
  return withStatsDir(async (dir) => {
    const statsFile = path.join(dir, "full.log");
    const region = input.box
      ? {
          box: input.box,
          insideStatsFile: path.join(dir, "inside.log"),
          outsideStatsFile: path.join(dir, "outside.log"),
        }
      : undefined;
    await runner.run(
      build({ reference: input.reference, distorted: input.distorted, statsFile, ...(region ? { region } : {}) }),
      { signal: input.signal },
    );
    const full = read(await readFile(statsFile, "utf8"));
    if (!region) return { full, inside: null, outsideMasked: null, fraction: 0 };
    const b = clampBox(region.box);
    return {
      full,
      inside: read(await readFile(region.insideStatsFile, "utf8")),
      outsideMasked: read(await readFile(region.outsideStatsFile, "utf8")),
      fraction: b.width * b.height,
    };
  });
}

/** SSIM (all planes, mean over frames; 1 = identical), inside and outside the box as `compareArgs` explains. */
export async function measureSsim(runner: FfmpegRunner, input: CompareInput): Promise<RegionScores> {
  const r = await compare(runner, input, ssimArgs, (text) => parseSsim(text).all);
  const outside = r.outsideMasked === null ? null : areaWeightedOutside(r.outsideMasked, 1, r.fraction);
  return { full: r.full, inside: r.inside, outside: clamp01(outside) };
}

/** PSNR in dB (capped at 100 for identical pictures), inside and outside the box. */
export async function measurePsnr(runner: FfmpegRunner, input: CompareInput): Promise<RegionScores> {
  const r = await compare(runner, input, psnrArgs, (text) => parsePsnr(text).mse);
  const outsideMse = r.outsideMasked === null ? null : areaWeightedOutside(r.outsideMasked, 0, r.fraction);
  return {
    full: psnrFromMse(r.full),
    inside: r.inside === null ? null : psnrFromMse(r.inside),
    outside: outsideMse === null ? null : psnrFromMse(Math.max(0, outsideMse)),
  };
}

function clamp01(value: number | null): number | null {
  return value === null ? null : Math.min(1, Math.max(0, value));
}

export interface SignalInput extends Cancellable {
  input: string;
  box?: FractionBox;
}

async function signalAverage(
  runner: FfmpegRunner,
  input: SignalInput,
  key: string,
  build: typeof signalStatsArgs,
): Promise<number> {
  return withStatsDir(async (dir) => {
    const statsFile = path.join(dir, "stats.log");
    await runner.run(build({ input: input.input, statsFile, ...(input.box ? { box: input.box } : {}) }), {
      signal: input.signal,
    });
    const value = parseSignalStats(await readFile(statsFile, "utf8")).averages[key];
    if (value === undefined) throw new Error(`signalstats reported no ${key}`);
    return value;
  });
}

/** Mean luma (YAVG, 0..255) over all frames, optionally inside a box. */
export function measureMeanLuma(runner: FfmpegRunner, input: SignalInput): Promise<number> {
  return signalAverage(runner, input, "YAVG", signalStatsArgs);
}

/** Mean saturation (SATAVG: chroma distance from grey, 0 for greyscale) over all frames. */
export function measureSaturation(runner: FfmpegRunner, input: SignalInput): Promise<number> {
  return signalAverage(runner, input, "SATAVG", signalStatsArgs);
}

/** Share of edge pixels as mean luma of the `edgedetect` picture (0..255); blurring lowers it. */
export function measureEdgeEnergy(runner: FfmpegRunner, input: SignalInput): Promise<number> {
  return signalAverage(runner, input, "YAVG", edgeEnergyArgs);
}
