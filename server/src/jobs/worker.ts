import type { FastifyBaseLogger } from "fastify";
import type { EventBus, EventInput } from "../events/bus.js";
import type { Job, JobKind } from "../ports/jobs.js";
import { RetryableJobError } from "../ports/jobs.js";
import type { JobQueue } from "./queue.js";

export type { JobContext, JobHandler, JobKind } from "../ports/jobs.js";
export { RetryableJobError } from "../ports/jobs.js";

/** The error a job's signal is aborted with at its time limit. */
export class JobTimeoutError extends Error {
  override readonly name = "JobTimeoutError";
}

export interface WorkerOptions {
  kinds: Record<string, JobKind>;
  /** Slots per lane; a lane not listed gets `defaultConcurrency`. */
  lanes?: Record<string, number>;
  defaultConcurrency: number;
  logger?: FastifyBaseLogger;
  pollMs?: number;
  /** Backoff for retryable failures: attempt n waits baseMs * 4^(n-1). */
  retryBaseMs?: number;
  /** Announces progress, completion and failure of jobs that belong to a workspace. */
  events?: EventBus;
  workspaceOfProject?: (projectId: string) => string | undefined;
}

/** Progress events at most this often per job (a render reports many times a second). */
const PROGRESS_EVENT_MS = 250;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Lane {
  name: string;
  kinds: string[];
  slots: number;
  running: Map<string, Promise<void>>;
}

/**
 * Runs queued jobs inside the server process. Each lane (downloads, media, ai, …) claims only its own kinds
 * and runs at most its own number at once, so a queue of 10,000 mirror downloads never delays an export.
 * Every job runs under its kind's time limit: at the limit its signal is aborted, the job fails and its slot
 * is free again at once, whether or not the handler has noticed yet.
 */
export class JobWorker {
  private readonly lanes: Lane[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly queue: JobQueue,
    private readonly options: WorkerOptions,
  ) {
    const byLane = new Map<string, string[]>();
    for (const [kind, spec] of Object.entries(options.kinds)) {
      byLane.set(spec.lane, [...(byLane.get(spec.lane) ?? []), kind]);
    }
    this.lanes = [...byLane].map(([name, kinds]) => ({
      name,
      kinds,
      slots: Math.max(1, options.lanes?.[name] ?? options.defaultConcurrency),
      running: new Map(),
    }));
  }

  /** Lanes with their kinds, slots and running jobs (health and tests). */
  laneStatus(): { lane: string; kinds: string[]; slots: number; running: number }[] {
    return this.lanes.map((l) => ({ lane: l.name, kinds: l.kinds, slots: l.slots, running: l.running.size }));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // The queue already coalesces wakes to one per turn, after the enqueueing transaction committed.
    this.unsubscribe = this.queue.onEnqueue((kinds) => this.tick(kinds));
    this.timer = setInterval(() => this.tick(), this.options.pollMs ?? 250);
    this.timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await Promise.allSettled(this.lanes.flatMap((l) => [...l.running.values()]));
  }

  /** Resolves when no job is running or due (tests use it to wait for background work). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const kinds = Object.keys(this.options.kinds);
    for (;;) {
      this.tick();
      const running = this.lanes.flatMap((l) => [...l.running.values()]);
      if (running.length === 0 && !this.queue.hasDue(kinds)) return;
      if (Date.now() > deadline) throw new Error("jobs still running after timeout");
      await Promise.race([...running, new Promise((r) => setTimeout(r, 20))]);
    }
  }

  /** Fills free slots; with `kinds`, only in the lanes of those kinds (an ingest burst wakes only downloads). */
  private tick(kinds?: ReadonlySet<string>): void {
    if (this.stopped) return;
    for (const lane of this.lanes) {
      if (kinds && !lane.kinds.some((k) => kinds.has(k))) continue;
      this.fill(lane);
    }
  }

  private fill(lane: Lane): void {
    if (this.stopped) return;
    while (lane.running.size < lane.slots) {
      const job = this.queue.claimNext(lane.kinds);
      if (!job) break;
      this.launch(lane, job);
    }
  }

  private launch(lane: Lane, job: Job): void {
    const run = this.execute(job).finally(() => {
      lane.running.delete(job.id);
      // Only this lane has a new free slot; the others are woken by their enqueues and the poll. (Ticking every
      // lane here ran a claim query per kind of every idle lane after each finished mirror.)
      this.fill(lane);
    });
    lane.running.set(job.id, run);
  }

  private async execute(job: Job): Promise<void> {
    const spec = this.options.kinds[job.kind];
    if (!spec) {
      this.queue.fail(job.id, `no handler for job kind ${job.kind}`);
      return;
    }
    const limitSeconds = spec.timeLimitSeconds(job);
    const controller = new AbortController();
    const onShutdown = () => controller.abort(this.abort.signal.reason);
    this.abort.signal.addEventListener("abort", onShutdown, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const hint = spec.timeLimitSetting ? ` (raise ${spec.timeLimitSetting} to allow more)` : "";
          const error = new JobTimeoutError(`${job.kind} job timed out after ${formatSeconds(limitSeconds)} s${hint}`);
          controller.abort(error);
          reject(error);
        },
        // setTimeout fires at once past 2^31-1 ms (~24.8 days); a limit beyond that is no limit.
        Math.min(MAX_TIMER_MS, Math.max(1, limitSeconds * 1000)),
      );
    });
    let settled = false;
    let lastProgressEvent = 0;
    try {
      const work = spec.run({
        job,
        progress: (value) => {
          if (settled) return;
          this.queue.progress(job.id, value);
          const now = Date.now();
          if (now - lastProgressEvent < PROGRESS_EVENT_MS) return;
          lastProgressEvent = now;
          this.announce(job, "job.progress", { status: "running", progress: Math.max(0, Math.min(1, value)) });
        },
        signal: controller.signal,
      });
      // A handler that ignores its signal keeps running after the limit; its outcome no longer counts.
      work.catch(() => {});
      const result = await Promise.race([work, timedOut]);
      settled = true;
      this.queue.complete(job.id, result ?? null);
      this.announce(job, "job.completed", { status: "completed", progress: 1 });
      if (job.kind === "export") this.announce(job, "export.completed", { exportJobId: job.id });
    } catch (error) {
      settled = true;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof JobTimeoutError) {
        this.options.logger?.warn({ jobId: job.id, kind: job.kind, limitSeconds }, "job timed out");
        this.queue.fail(job.id, message);
        try {
          spec.onTimeout?.(job, message);
        } catch (hookError) {
          this.options.logger?.error({ jobId: job.id, error: String(hookError) }, "job timeout hook failed");
        }
        this.announce(job, "job.failed", { status: "failed", error: message });
        return;
      }
      if (this.abort.signal.aborted) {
        // Shutting down: leave the job for the next start instead of failing it.
        this.queue.retryLater(job.id, message, 0);
        return;
      }
      if (error instanceof RetryableJobError && job.attempts < job.maxAttempts) {
        const delay = (this.options.retryBaseMs ?? 2000) * 4 ** (job.attempts - 1);
        this.queue.retryLater(job.id, message, delay);
        this.options.logger?.warn({ jobId: job.id, kind: job.kind, delay, error: message }, "job will retry");
        return;
      }
      this.options.logger?.warn({ jobId: job.id, kind: job.kind, error: message }, "job failed");
      this.queue.fail(job.id, message);
      this.announce(job, "job.failed", { status: "failed", error: message });
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener("abort", onShutdown);
    }
  }

  private announce(job: Job, type: EventInput["type"], data: Record<string, unknown>): void {
    const { events, workspaceOfProject } = this.options;
    if (!events) return;
    const workspaceId = job.workspaceId ?? (job.projectId ? workspaceOfProject?.(job.projectId) : undefined);
    if (!workspaceId) return;
    events.publish({
      type,
      workspaceId,
      projectId: job.projectId ?? null,
      data: { jobId: job.id, kind: job.kind, ...data },
    });
  }
}

const formatSeconds = (s: number) => (Number.isInteger(s) ? String(s) : s.toFixed(1));
