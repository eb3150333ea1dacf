import type { FastifyBaseLogger } from "fastify";
import type { EventBus, EventInput } from "../events/bus.js";
import type { Job, JobQueue } from "./queue.js";

export interface JobContext {
  job: Job;
  /** Reports progress 0..1 (throttled writes are the caller's concern; this writes every time). */
  progress(value: number): void;
  signal: AbortSignal;
}

export type JobHandler = (ctx: JobContext) => Promise<unknown>;

/** A failure the worker may retry later; any other error fails the job at once. */
export class RetryableJobError extends Error {}

export interface WorkerOptions {
  concurrency: number;
  handlers: Record<string, JobHandler>;
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

/** Runs queued jobs inside the server process with a concurrency limit. */
export class JobWorker {
  private running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly queue: JobQueue,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.queue.onEnqueue(() => setImmediate(() => this.tick()));
    this.timer = setInterval(() => this.tick(), this.options.pollMs ?? 250);
    this.timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await Promise.allSettled(this.running.values());
  }

  /** Resolves when no job is running or due (tests use it to wait for background work). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.tick();
      if (this.running.size === 0 && !this.queue.hasDue(Object.keys(this.options.handlers))) return;
      if (Date.now() > deadline) throw new Error("jobs still running after timeout");
      await Promise.race([...this.running.values(), new Promise((r) => setTimeout(r, 20))]);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    while (this.running.size < this.options.concurrency) {
      const job = this.queue.claimNext(Object.keys(this.options.handlers));
      if (!job) return;
      this.launch(job);
    }
  }

  private launch(job: Job): void {
    const run = this.execute(job).finally(() => {
      this.running.delete(job.id);
      this.tick();
    });
    this.running.set(job.id, run);
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.options.handlers[job.kind];
    if (!handler) {
      this.queue.fail(job.id, `no handler for job kind ${job.kind}`);
      return;
    }
    let lastProgressEvent = 0;
    try {
      const result = await handler({
        job,
        progress: (value) => {
          this.queue.progress(job.id, value);
          const now = Date.now();
          if (now - lastProgressEvent < PROGRESS_EVENT_MS) return;
          lastProgressEvent = now;
          this.announce(job, "job.progress", { status: "running", progress: Math.max(0, Math.min(1, value)) });
        },
        signal: this.abort.signal,
      });
      this.queue.complete(job.id, result ?? null);
      this.announce(job, "job.completed", { status: "completed", progress: 1 });
      if (job.kind === "export") this.announce(job, "export.completed", { exportJobId: job.id });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
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
