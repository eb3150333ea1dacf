/**
 * One global limit on ffmpeg/ffprobe processes (issue 9): previews, strips, probes, decode checks and renders
 * all take a slot from the same limiter, so a burst of requests cannot start more processes than the machine
 * has cores for. Waiters queue in order; past a bound a request gets `FfmpegBusyError` (→ 503 with
 * `Retry-After`) at once instead of holding a connection open behind a long line.
 */
import { HttpError } from "../errors.js";

export class FfmpegBusyError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(
      503,
      "The server is busy with other media work: try again shortly",
      { retryAfterSeconds, setting: "DAILIES_FFMPEG_CONCURRENCY / DAILIES_FFMPEG_QUEUE" },
      { "retry-after": String(retryAfterSeconds) },
    );
    this.name = "FfmpegBusyError";
  }
}

export interface LimiterOptions {
  /** Processes at once. */
  concurrency: number;
  /** Callers that may wait for a slot; the next one is refused. */
  maxWaiting: number;
  /** What `Retry-After` says when refusing. */
  retryAfterSeconds?: number;
}

export class ProcessLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: LimiterOptions) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `work` once a slot is free. A `bounded` caller (an HTTP request) is refused with FfmpegBusyError when
   * `maxWaiting` callers already wait; background jobs wait their turn whatever the line (their own
   * concurrency already bounds them, and failing a render because previews were busy would be worse).
   */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal, bounded = true): Promise<T> {
    await this.acquire(signal, bounded);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined, bounded: boolean): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.options.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (bounded && this.waiting.length >= this.options.maxWaiting)
      return Promise.reject(new FfmpegBusyError(this.options.retryAfterSeconds ?? 5));
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.running--;
    const next = this.waiting.shift();
    if (next) next();
  }
}
