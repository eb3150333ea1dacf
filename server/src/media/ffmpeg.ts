/**
 * The one place that starts ffmpeg and ffprobe (DESIGN.md, Media). Binaries are resolved once at start
 * (`resolveFfmpegBinaries`), checked by `detectFfmpeg` for /api/health, and every run goes through a
 * `FfmpegRunner`, so tests can swap it, count renders (`onRun`) and cancel work (`signal`).
 *
 * Never a shell: execa with argument arrays. Argument lists come from the pure builders in `args/`.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { restrictInputs } from "./inputPolicy.js";
import { ProcessLimiter } from "./limiter.js";
import { keyframeProbeArgs, type ProbeResult, parseKeyframeInterval, parseProbe, probeArgs } from "./probe.js";

/** Thrown when the ffmpeg or ffprobe binary cannot be started. Routes answer 503 for it. */
export class FfmpegMissingError extends Error {
  readonly statusCode = 503;
  readonly binary: string;
  constructor(binary: string, options?: { cause?: unknown }) {
    super(
      `ffmpeg is not available: could not start "${binary}". Install ffmpeg (Debian: apt-get install ffmpeg) ` +
        "or set FFMPEG_PATH / FFPROBE_PATH.",
      options,
    );
    this.name = "FfmpegMissingError";
    this.binary = binary;
  }
}

/** ffmpeg or ffprobe ran and failed (bad input, unsupported filter…). `stderr` holds ffmpeg's own message. */
export class FfmpegError extends Error {
  readonly args: readonly string[];
  readonly exitCode: number | undefined;
  readonly stderr: string;
  /** Killed at its time limit. */
  readonly timedOut: boolean;
  constructor(
    message: string,
    details: { args: readonly string[]; exitCode?: number; stderr?: string; cause?: unknown; timedOut?: boolean },
  ) {
    super(message, { cause: details.cause });
    this.timedOut = details.timedOut ?? false;
    this.name = "FfmpegError";
    this.args = details.args;
    this.exitCode = details.exitCode;
    this.stderr = details.stderr ?? "";
  }
}

// ---------------------------------------------------------------------------------------------------------
// Binary resolution
// ---------------------------------------------------------------------------------------------------------

export interface FfmpegBinaryOptions {
  /** `FFMPEG_PATH` from config. The media module never reads process.env itself. */
  ffmpegPath?: string | undefined;
  /** `FFPROBE_PATH` from config. */
  ffprobePath?: string | undefined;
}

export interface FfmpegBinaries {
  ffmpegPath: string;
  ffprobePath: string;
}

/**
 * Resolution order (TOOLCHAIN.md, ffmpeg): configured path → ffmpeg-static's binary when the file exists
 * (its postinstall download fails offline, leaving a path to nothing) → `ffmpeg` on PATH.
 * ffprobe: configured path → next to the resolved ffmpeg → `ffprobe` on PATH.
 */
export function chooseBinaries(input: {
  ffmpegPath?: string | undefined;
  ffprobePath?: string | undefined;
  staticFfmpegPath: string | null;
  fileExists: (file: string) => boolean;
}): FfmpegBinaries {
  const { staticFfmpegPath, fileExists } = input;
  const ffmpegPath =
    nonEmpty(input.ffmpegPath) ?? (staticFfmpegPath && fileExists(staticFfmpegPath) ? staticFfmpegPath : "ffmpeg");

  let ffprobePath = nonEmpty(input.ffprobePath);
  if (!ffprobePath && hasDirectory(ffmpegPath)) {
    const sibling = path.join(path.dirname(ffmpegPath), ffmpegPath.endsWith(".exe") ? "ffprobe.exe" : "ffprobe");
    if (fileExists(sibling)) ffprobePath = sibling;
  }
  return { ffmpegPath, ffprobePath: ffprobePath ?? "ffprobe" };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value : undefined;
}

function hasDirectory(file: string): boolean {
  return file.includes("/") || file.includes("\\");
}

/** ffmpeg-static's default export is the binary path (or null on unsupported platforms); it may be absent. */
async function loadFfmpegStaticPath(): Promise<string | null> {
  try {
    const mod = (await import("ffmpeg-static")) as { default?: unknown };
    return typeof mod.default === "string" ? mod.default : null;
  } catch {
    return null;
  }
}

export async function resolveFfmpegBinaries(options: FfmpegBinaryOptions = {}): Promise<FfmpegBinaries> {
  const needsStatic = !nonEmpty(options.ffmpegPath);
  return chooseBinaries({
    ...options,
    staticFfmpegPath: needsStatic ? await loadFfmpegStaticPath() : null,
    fileExists: existsSync,
  });
}

export interface FfmpegDetection {
  found: boolean;
  ffmpegPath: string;
  ffprobePath: string;
  /** e.g. "5.1.9-0+deb12u1"; null when not found. */
  version: string | null;
  /** Why it was not found, for the start-up error and /api/health. */
  error?: string;
}

/** "ffmpeg version 5.1.9-0+deb12u1 Copyright …" → "5.1.9-0+deb12u1". */
export function parseFfmpegVersion(output: string): string | null {
  const match = /^ff(?:mpeg|probe) version (\S+)/m.exec(output);
  return match?.[1] ?? null;
}

/** Resolves the binaries and checks that both start. Never throws. */
export async function detectFfmpeg(
  options: FfmpegBinaryOptions & { timeoutMs?: number } = {},
): Promise<FfmpegDetection> {
  const { ffmpegPath, ffprobePath } = await resolveFfmpegBinaries(options);
  const timeout = options.timeoutMs ?? 10_000;
  try {
    const [ffmpeg] = await Promise.all([
      execa(ffmpegPath, ["-hide_banner", "-version"], { timeout, stdin: "ignore" }),
      execa(ffprobePath, ["-hide_banner", "-version"], { timeout, stdin: "ignore" }),
    ]);
    const version = parseFfmpegVersion(ffmpeg.stdout);
    return { found: true, ffmpegPath, ffprobePath, version };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { found: false, ffmpegPath, ffprobePath, version: null, error: message };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Progress (`-progress pipe:1`)
// ---------------------------------------------------------------------------------------------------------

export interface ProgressChunkResult {
  /** The last `out_time` seen in the complete lines of this chunk, in seconds; null when none. */
  outTimeSec: number | null;
  /** A `progress=end` line was seen. */
  ended: boolean;
  /** The incomplete last line, to pass back in with the next chunk. */
  carry: string;
}

/**
 * `-progress pipe:1` writes blocks of `key=value` lines ending with `progress=continue|end`. Chunks from the
 * pipe can cut a line in two, so the unfinished tail is carried over. `out_time_us` is preferred
 * (`out_time_ms` is also microseconds, a long-standing ffmpeg quirk); values are "N/A" before the first frame.
 */
export function parseProgressChunk(carry: string, chunk: string): ProgressChunkResult {
  const text = carry + chunk;
  const lines = text.split(/\r?\n/);
  const rest = lines.pop() ?? "";
  let outTimeSec: number | null = null;
  let ended = false;
  for (const line of lines) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "out_time_us" || key === "out_time_ms") {
      const us = Number(value);
      if (value !== "" && Number.isFinite(us)) outTimeSec = Math.max(0, us / 1e6);
    } else if (key === "out_time") {
      const sec = parseClock(value);
      if (sec !== null) outTimeSec = sec;
    } else if (key === "progress" && value === "end") {
      ended = true;
    }
  }
  return { outTimeSec, ended, carry: rest };
}

/** "00:01:02.500000" → 62.5; "-00:00:00.023220" (before the first frame) → 0. */
function parseClock(value: string): number | null {
  const match = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
  if (!match) return null;
  if (match[1] === "-") return 0;
  return Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
}

// ---------------------------------------------------------------------------------------------------------
// Runner
// ---------------------------------------------------------------------------------------------------------

export interface RunOptions {
  /** Called with ffmpeg's output position in seconds; only when the args contain `-progress pipe:1`. */
  onProgress?(outTimeSec: number): void;
  /** Aborting kills ffmpeg's process group and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * How long the media being written lasts, for the time limit: `max(floor, perMediaSecond × duration)`.
   * Without it the floor applies.
   */
  mediaDurationSec?: number;
  /** A quick check (decode of the first frame): the probe time limit applies instead of the render one. */
  check?: boolean;
}

export interface FfmpegRunner {
  readonly binaries: FfmpegBinaries;
  /** The global process limiter every run and probe goes through (exposed for health details and tests). */
  readonly limiter: ProcessLimiter;
  run(args: readonly string[], options?: RunOptions): Promise<void>;
  probe(file: string, options?: { signal?: AbortSignal }): Promise<ProbeResult>;
  /** Median seconds between keyframes near the start of the file; null when none repeats within the probe. */
  keyframeInterval(file: string): Promise<number | null>;
  /**
   * The same runner for HTTP requests: past DAILIES_FFMPEG_QUEUE waiting callers its calls fail at once with
   * FfmpegBusyError (503). The plain runner (background jobs) always waits for a slot.
   */
  forRequests(): FfmpegRunner;
}

/** Time limits of child processes (issue 9): every ffprobe and ffmpeg run is killed at its limit. */
export interface FfmpegTimeLimits {
  /** ffprobe runs and decode checks. */
  probeTimeoutMs: number;
  /** Renders and frame work: never less than this. */
  runFloorMs: number;
  /** Renders: this much per second of media written. */
  runMsPerMediaSecond: number;
}

export const DEFAULT_TIME_LIMITS: FfmpegTimeLimits = {
  probeTimeoutMs: 30_000,
  runFloorMs: 120_000,
  runMsPerMediaSecond: 10_000,
};

export interface FfmpegRunnerOptions extends FfmpegBinaries {
  /** Called before every ffmpeg run with its arguments (tests count renders with it). Not called for probes. */
  onRun?(args: readonly string[]): void;
  limits?: Partial<FfmpegTimeLimits>;
  /** Processes at once across the server, and how many callers may wait for one. Default: 2 and 64. */
  concurrency?: number;
  maxWaiting?: number;
  /** Shares a limiter between runners (the providers' runner and the app's). */
  limiter?: ProcessLimiter;
}

/** The time limit of one ffmpeg run. Pure, so the rule is tested as data. */
export function runTimeoutMs(limits: FfmpegTimeLimits, options: Pick<RunOptions, "check" | "mediaDurationSec">) {
  if (options.check) return limits.probeTimeoutMs;
  const perMedia =
    options.mediaDurationSec && options.mediaDurationSec > 0
      ? options.mediaDurationSec * limits.runMsPerMediaSecond
      : 0;
  return Math.max(limits.runFloorMs, Math.ceil(perMedia));
}

/**
 * Prepended to every run: no banner, never read stdin (a job runner has none), overwrite (outputs are
 * fresh temporary names, see operations.ts), and only errors on stderr so a failure's message is short.
 */
export const COMMON_FFMPEG_ARGS = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"] as const;

const STDERR_TAIL_CHARS = 2000;

export function createFfmpegRunner(options: FfmpegRunnerOptions): FfmpegRunner {
  const binaries = { ffmpegPath: options.ffmpegPath, ffprobePath: options.ffprobePath };
  const limits = { ...DEFAULT_TIME_LIMITS, ...options.limits };
  const limiter =
    options.limiter ??
    new ProcessLimiter({ concurrency: options.concurrency ?? 2, maxWaiting: options.maxWaiting ?? 64 });
  const requests = runnerView(true);
  return runnerView(false);

  function runnerView(bounded: boolean): FfmpegRunner {
    return {
      binaries,
      limiter,
      run: (args, runOptions) => run(args, runOptions, bounded),
      probe: (file, probeOptions) => probe(file, probeOptions, bounded),
      keyframeInterval: (file) => keyframeInterval(file, bounded),
      forRequests: () => requests,
    };
  }

  async function run(args: readonly string[], runOptions: RunOptions = {}, bounded = false): Promise<void> {
    const { signal, onProgress } = runOptions;
    signal?.throwIfAborted();
    const safeArgs = restrictInputs(args);
    const timeoutMs = runTimeoutMs(limits, runOptions);
    await limiter.run(
      async () => {
        options.onRun?.(args);
        let carry = "";
        const result = await runChild(binaries.ffmpegPath, [...COMMON_FFMPEG_ARGS, ...safeArgs], {
          timeoutMs,
          signal,
          onStdout: (chunk) => {
            const parsed = parseProgressChunk(carry, chunk);
            carry = parsed.carry;
            if (parsed.outTimeSec !== null) onProgress?.(parsed.outTimeSec);
          },
        });
        if (!result.failed) return;
        if (isSpawnFailure(result)) throw new FfmpegMissingError(binaries.ffmpegPath, { cause: result });
        if (signal?.aborted) throw signal.reason;
        const stderr = String(result.stderr ?? "").slice(-STDERR_TAIL_CHARS);
        const why = result.timedOut ? `timed out after ${timeoutMs} ms` : `exited with code ${result.exitCode}`;
        throw new FfmpegError(`ffmpeg ${why}: ${firstLine(stderr) || result.shortMessage}`, {
          args,
          ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
          stderr,
          timedOut: result.timedOut,
        });
      },
      signal,
      bounded,
    );
  }

  async function probe(
    file: string,
    probeOptions: { signal?: AbortSignal | undefined } = {},
    bounded = false,
  ): Promise<ProbeResult> {
    const args = probeArgs(file);
    return limiter.run(
      async () => {
        const result = await runChild(binaries.ffprobePath, args, {
          timeoutMs: limits.probeTimeoutMs,
          signal: probeOptions.signal,
          buffer: true,
        });
        if (result.failed) {
          if (isSpawnFailure(result)) throw new FfmpegMissingError(binaries.ffprobePath, { cause: result });
          if (probeOptions.signal?.aborted) throw probeOptions.signal.reason;
          const stderr = String(result.stderr ?? "").slice(-STDERR_TAIL_CHARS);
          const why = result.timedOut ? `timed out after ${limits.probeTimeoutMs} ms` : firstLine(stderr);
          throw new FfmpegError(`ffprobe could not read ${path.basename(file)}: ${why || result.shortMessage}`, {
            args,
            ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
            stderr,
            timedOut: result.timedOut,
          });
        }
        return parseProbe(String(result.stdout));
      },
      probeOptions.signal,
      bounded,
    );
  }

  async function keyframeInterval(file: string, bounded = false): Promise<number | null> {
    return limiter.run(
      async () => {
        const result = await runChild(binaries.ffprobePath, keyframeProbeArgs(file), {
          timeoutMs: limits.probeTimeoutMs,
          buffer: true,
        });
        if (result.failed && isSpawnFailure(result))
          throw new FfmpegMissingError(binaries.ffprobePath, { cause: result });
        return result.failed ? null : parseKeyframeInterval(String(result.stdout));
      },
      undefined,
      bounded,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Child processes with a time limit, killed with their whole process group
// ---------------------------------------------------------------------------------------------------------

/** Process groups still running, killed if the server exits first (detached children outlive their parent). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

interface ChildResult {
  failed: boolean;
  timedOut: boolean;
  exitCode?: number | undefined;
  code?: string;
  stdout?: unknown;
  stderr?: unknown;
  shortMessage?: string;
}

/**
 * Starts a binary in its own process group (`detached`) so that at the time limit or on abort the whole
 * group is killed: ffmpeg, anything it started, and wrapper scripts with their children. Never rejects.
 */
async function runChild(
  file: string,
  args: readonly string[],
  options: { timeoutMs: number; signal?: AbortSignal | undefined; onStdout?(chunk: string): void; buffer?: boolean },
): Promise<ChildResult> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const pid of liveGroups) killGroup(pid);
    });
  }
  const subprocess = execa(file, [...args], {
    stdin: "ignore",
    detached: true,
    buffer: { stdout: options.buffer === true, stderr: true },
    reject: false,
  });
  const pid = subprocess.pid;
  if (pid !== undefined) liveGroups.add(pid);
  let timedOut = false;
  const kill = () => {
    if (pid !== undefined) killGroup(pid);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  options.signal?.addEventListener("abort", kill, { once: true });
  if (options.onStdout) {
    const onStdout = options.onStdout;
    subprocess.stdout?.setEncoding("utf8");
    subprocess.stdout?.on("data", (chunk: string) => onStdout(chunk));
  }
  try {
    const result = await subprocess;
    return {
      failed: result.failed || timedOut,
      timedOut,
      exitCode: result.exitCode,
      ...(typeof (result as { code?: unknown }).code === "string" ? { code: (result as { code: string }).code } : {}),
      stdout: result.stdout,
      stderr: result.stderr,
      shortMessage: result.shortMessage,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", kill);
    if (pid !== undefined) {
      // ffmpeg exited; a child it left behind (a wrapper's helper) goes with the group.
      killGroup(pid);
      liveGroups.delete(pid);
    }
  }
}

/** The binary could not be started at all (missing, not executable). */
function isSpawnFailure(result: { code?: string; exitCode?: number | undefined }): boolean {
  return result.code === "ENOENT" || result.code === "EACCES" || result.code === "ENOTDIR";
}

/**
 * ffmpeg's first error line is the specific one ("Logo area is outside of the frame."); later ones are generic.
 * Paths in it are cut to their file name: error messages reach job errors and clients, paths must not.
 */
function firstLine(text: string): string {
  return withoutPaths((text.trim().split("\n")[0] ?? "").trim());
}

/** "/srv/data/tmp/123.upload: Invalid data" → "123.upload: Invalid data". */
export function withoutPaths(text: string): string {
  return text.replace(/(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'"]+[\\/])+([^\s\\/:'"]*)/g, "$1");
}
