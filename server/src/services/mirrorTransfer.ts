import { availableParallelism } from "node:os";
import type { AssetType } from "@dailies/shared";
import type { Config } from "../config.js";
import { HelperPool, type WireError } from "../jobs/helperPool.js";
import { FfmpegError, FfmpegMissingError, type FfmpegRunner } from "../media/ffmpeg.js";
import { probeHeaders } from "../media/headerProbe.js";
import type { ProbeResult } from "../media/probe.js";
import { DownloadError } from "../net/errors.js";
import { type DownloadResult, downloadToFile, mimeMatchesAssetType } from "../net/index.js";

/**
 * The heavy half of mirroring a URL: the download (address guard at connect, size cap, time limit, hashed on
 * its way to disk) and the ffprobe run (allow-lists, killed at its limit). Off the API's process by default, in
 * a low-priority helper process (`DAILIES_MIRROR_PROCESSES`, 0 = on the event loop; jobs/helperPool.ts says why
 * not a thread); the mirror job keeps the decisions and the writes. Tasks and answers are plain data.
 */
export interface MirrorTransfer {
  /** Downloads into a temp file in `task.tmpDir`; a failure never leaves a partial file. */
  download(task: DownloadTask, signal?: AbortSignal): Promise<DownloadResult>;
  /**
   * The file's headers read in the helper (media/headerProbe.ts: the common stills and H.264 movies, no child
   * process); ffprobe for anything else, under the global process limiter (the caller's slot, the helper's spawn).
   */
  probe(file: string, signal?: AbortSignal): Promise<ProbeResult>;
  close(): Promise<void>;
  /** The helper processes running now (none on the event loop). */
  helperPids(): number[];
}

/** Which media types a download may be: a plain rule instead of a function, so it can cross to a helper. */
export type MirrorAccept = { image: true } | { video: true } | { assetType: AssetType };

export interface DownloadTask {
  url: string;
  tmpDir: string;
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
  accept: MirrorAccept;
}

export type TransferTask =
  | { op: "download"; download: DownloadTask }
  | { op: "headers"; file: string }
  | { op: "probe"; file: string };

export function acceptsMime(accept: MirrorAccept, mime: string): boolean {
  if ("image" in accept) return mime.startsWith("image/");
  if ("video" in accept) return mime.startsWith("video/");
  return mimeMatchesAssetType(mime, accept.assetType);
}

/** One task, wherever it runs (the helper's entry and the on-loop transfer share it). */
export function runTransferTask(
  task: TransferTask,
  signal: AbortSignal,
  ffmpeg: FfmpegRunner | null,
): Promise<DownloadResult | ProbeResult | null> {
  if (task.op === "headers") return probeHeaders(task.file);
  if (task.op === "probe") {
    if (!ffmpeg) return Promise.reject(new FfmpegMissingError("ffprobe"));
    return ffmpeg.probe(task.file, { signal });
  }
  const { url, tmpDir, accept, ...limits } = task.download;
  return downloadToFile(url, tmpDir, { ...limits, acceptMime: (mime) => acceptsMime(accept, mime), signal });
}

/** What the helper needs to probe as the server does: the binaries found at start and the probe limit. */
export interface MirrorHelperData {
  ffmpeg: { ffmpegPath: string; ffprobePath: string; probeTimeoutMs: number } | null;
  nice: number;
}

/** Lower CPU priority of mirror helpers and their ffprobe children (0 = normal, 19 = lowest). */
export const MIRROR_HELPER_NICE = 10;

export function createMirrorTransfer(config: Config, ffmpeg: FfmpegRunner | null): MirrorTransfer {
  if (config.DAILIES_MIRROR_PROCESSES === 0) return onLoopTransfer(ffmpeg);
  const data: MirrorHelperData = {
    ffmpeg: ffmpeg && { ...ffmpeg.binaries, probeTimeoutMs: config.DAILIES_PROBE_TIMEOUT_SECONDS * 1000 },
    nice: MIRROR_HELPER_NICE,
  };
  const pool = new HelperPool<TransferTask, DownloadResult | ProbeResult | null>(
    {
      entry: new URL(`./mirrorHelper${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
      // One helper is plenty on a small machine (downloads wait on the network); more only with more cores.
      processes: Math.min(config.DAILIES_MIRROR_PROCESSES, Math.max(1, availableParallelism() - 1)),
      data,
    },
    reviveTransferError,
  );
  return {
    download: (task, signal) => pool.run({ op: "download", download: task }, signal) as Promise<DownloadResult>,
    probe: async (file, signal) => {
      const read = (await pool.run({ op: "headers", file }, signal)) as ProbeResult | null;
      if (read) return read;
      if (!ffmpeg) throw new FfmpegMissingError("ffprobe");
      // The slot is taken here, so the global limit on ffmpeg processes holds whichever helper spawns.
      return ffmpeg.limiter.run(() => pool.run({ op: "probe", file }, signal) as Promise<ProbeResult>, signal, false);
    },
    close: () => pool.close(),
    helperPids: () => pool.pids,
  };
}

/** On the API's event loop (DAILIES_MIRROR_PROCESSES=0). */
export function onLoopTransfer(ffmpeg: FfmpegRunner | null): MirrorTransfer {
  return {
    download: (task, signal) =>
      runTransferTask(
        { op: "download", download: task },
        signal ?? new AbortController().signal,
        null,
      ) as Promise<DownloadResult>,
    probe: async (file, signal) => {
      const read = await probeHeaders(file);
      if (read) return read;
      if (!ffmpeg) throw new FfmpegMissingError("ffprobe");
      return ffmpeg.probe(file, signal ? { signal } : {});
    },
    close: async () => {},
    helperPids: () => [],
  };
}

/** The helper's errors as the mirror job knows them: retryable downloads, timed-out probes, missing ffprobe. */
function reviveTransferError(wire: WireError): Error {
  const f = wire.fields;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  if (wire.name === "DownloadError") {
    return new DownloadError(f.code as DownloadError["code"], wire.message, {
      ...(num(f.status) !== undefined ? { status: num(f.status) } : {}),
      ...(num(f.retryAfterMs) !== undefined ? { retryAfterMs: num(f.retryAfterMs) } : {}),
      ...(text(f.url) !== undefined ? { url: text(f.url) } : {}),
    });
  }
  if (wire.name === "FfmpegError") {
    return new FfmpegError(wire.message, {
      args: Array.isArray(f.args) ? (f.args as string[]) : [],
      ...(num(f.exitCode) !== undefined ? { exitCode: num(f.exitCode) } : {}),
      stderr: text(f.stderr) ?? "",
      timedOut: f.timedOut === true,
    });
  }
  if (wire.name === "FfmpegMissingError") return new FfmpegMissingError(text(f.binary) ?? "ffprobe");
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}
