/**
 * Strips over several cores: the frames are cut into contiguous runs, one ffmpeg process per run, all at
 * once. Each run still chooses for itself between one decoding pass and seeked inputs (`extractStrip` →
 * `chooseStripStrategy`); runs of the same strip have the same spacing, so they make the same choice.
 *
 * Why: a seeked frame costs about half a keyframe interval of decoding, all on one core inside one ffmpeg
 * process (its inputs are read one after the other). Two processes on two cores halve the wall time of a
 * 10-frame strip; one decoding pass split in two halves is likewise two half-length passes in parallel.
 */
import os from "node:os";
import type { FfmpegRunner } from "./ffmpeg.js";
import { type ExtractStripInput, extractStrip, type StripResult } from "./operations.js";

/**
 * Splits `count` items into at most `parallelism` contiguous runs of near-equal length (the first runs take
 * the remainder): 10 in 4 → [0,3) [3,6) [6,8) [8,10).
 */
export function splitIntoRuns(count: number, parallelism: number): [number, number][] {
  const runs = Math.max(1, Math.min(count, Math.floor(parallelism)));
  const out: [number, number][] = [];
  let from = 0;
  for (let i = 0; i < runs; i++) {
    const size = Math.floor(count / runs) + (i < count % runs ? 1 : 0);
    if (size > 0) out.push([from, from + size]);
    from += size;
  }
  return out;
}

/** Processes to use by default: one per core. */
export function defaultStripParallelism(): number {
  return Math.max(1, os.availableParallelism());
}

/**
 * `extractStrip` over `parallelism` processes. The times must be sorted (contiguous runs then cover
 * contiguous spans). The result's strategy is the first run's (they agree, see above).
 */
export async function extractStripParallel(
  runner: FfmpegRunner,
  input: ExtractStripInput & { parallelism?: number },
): Promise<StripResult> {
  const { parallelism = defaultStripParallelism(), ...options } = input;
  const runs = splitIntoRuns(options.times.length, parallelism);
  // One process per core: each seeked input's decoder on one thread (see StripArgsInput.decoderThreads).
  const strip = { decoderThreads: 1, ...options };
  if (runs.length <= 1) return extractStrip(runner, strip);
  const results = await Promise.all(
    runs.map(([from, to]) =>
      extractStrip(runner, { ...strip, times: strip.times.slice(from, to), outputs: strip.outputs.slice(from, to) }),
    ),
  );
  return { strategy: results[0]?.strategy ?? "seek", frames: results.flatMap((r) => r.frames) };
}
