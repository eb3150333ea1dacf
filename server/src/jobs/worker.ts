import type { FastifyBaseLogger } from "fastify";
import type { EventBus, EventInput } from "../events/bus.js";
import type { Job, JobKind } from "../ports/jobs.js";
import { LeaseLostError, RetryableJobError } from "../ports/jobs.js";
import type { ClaimedJob, WorkerQueue } from "./queue.js";

export type { JobContext, JobHandler, JobKind } from "../ports/jobs.js";
export { LeaseLostError, RetryableJobError } from "../ports/jobs.js";

/**
 * A job whose worker died is taken over while it has run fewer than max(its max attempts, this) times: a crash
 * is rarely the job's fault, so even a job that is never retried on error gets a second and third run, but a
 * job that kills every worker that runs it (a poison input) stops there instead of taking them all down.
 */
export const LOST_JOB_ATTEMPTS = 3;

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
  workspaceOfProject?: (projectId: string) => Promise<string | undefined>;
}

/** Progress events at most this often per job (a render reports many times a second). */
const PROGRESS_EVENT_MS = 250;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Lane {
  name: string;
  kinds: string[];
  slots: number;
  running: Map<string, Promise<void>>;
  /** The claim in flight for this lane, if any. */
  claiming: Promise<void> | null;
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
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Aborts the running job with this id (its lease was taken over). */
  private readonly leases = new Map<string, (error: LeaseLostError) => void>();

  constructor(
    private readonly queue: WorkerQueue,
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
      claiming: null,
    }));
  }

  /** Who this worker is in the queue's leases (host, pid and a random part). */
  get workerId(): string {
    return this.queue.workerId;
  }

  /** Lanes with their kinds, slots and running jobs (health and tests). */
  laneStatus(): { lane: string; kinds: string[]; slots: number; running: number }[] {
    return this.lanes.map((l) => ({ lane: l.name, kinds: l.kinds, slots: l.slots, running: l.running.size }));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // idle() waits for this: a job of a dead local worker counts as due only once its lease is released.
    this.starting = this.queue.releaseDeadLocalLeases().then(
      (released) => {
        if (released > 0) this.options.logger?.info({ released }, "resuming jobs of a worker process that is gone");
        this.tick();
      },
      (error: unknown) => this.options.logger?.warn({ error: String(error) }, "could not release dead leases"),
    );
    // The queue already coalesces wakes to one per turn, after the enqueueing transaction committed.
    this.unsubscribe = this.queue.onEnqueue((kinds) => this.tick(kinds));
    this.timer = setInterval(() => this.tick(), this.options.pollMs ?? 250);
    this.timer.unref();
    // Three heartbeats per lease: a late one or two still renew it in time.
    this.heartbeatTimer = setInterval(() => this.heartbeat(), Math.max(10, Math.floor(this.queue.leaseMs / 3)));
    this.heartbeatTimer.unref();
    this.tick();
  }

  /** Renews the leases of the running jobs; a job another worker took over is aborted here at once. */
  private async heartbeat(): Promise<void> {
    if (this.leases.size === 0) return;
    let held: Set<string>;
    try {
      held = await this.queue.heartbeat();
    } catch (error) {
      // A busy or locked database: the lease still runs; the next beat tries again.
      this.options.logger?.warn({ error: String(error) }, "job lease heartbeat failed");
      return;
    }
    for (const [id, lose] of this.leases) if (!held.has(id)) lose(new LeaseLostError(id));
  }

  private starting: Promise<void> = Promise.resolve();

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    // Beats go on while the aborted jobs settle: their leases stay ours until each is put back in the queue.
    this.abort.abort();
    // A claim in flight ends first (its job, if any, goes back to the queue), then the running jobs settle.
    await Promise.allSettled(this.lanes.flatMap((l) => (l.claiming ? [l.claiming] : [])));
    await Promise.allSettled(this.lanes.flatMap((l) => [...l.running.values()]));
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }

  /** Resolves when no job is running or due (tests use it to wait for background work). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.starting;
    const kinds = Object.keys(this.options.kinds);
    for (;;) {
      this.tick();
      const claims = this.lanes.flatMap((l) => (l.claiming ? [l.claiming] : []));
      if (claims.length > 0) await Promise.all(claims);
      const running = this.lanes.flatMap((l) => [...l.running.values()]);
      if (running.length === 0 && !this.lanes.some((l) => l.claiming) && !(await this.queue.hasDue(kinds))) return;
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

  /**
   * Claims into the lane's free slots, one claim at a time per lane (a claim in flight counts as a slot, so two
   * ticks never claim more than the lane runs).
   */
  private fill(lane: Lane): void {
    if (this.stopped || lane.claiming) return;
    if (lane.running.size >= lane.slots) return;
    lane.claiming = this.claimInto(lane).finally(() => {
      lane.claiming = null;
    });
  }

  private async claimInto(lane: Lane): Promise<void> {
    while (!this.stopped && lane.running.size < lane.slots) {
      let job: ClaimedJob | undefined;
      try {
        job = await this.queue.claimNext(lane.kinds);
      } catch (error) {
        // Another process held the database's write lock past the busy timeout: the next poll claims.
        this.options.logger?.warn({ lane: lane.name, error: String(error) }, "could not claim a job");
        return;
      }
      if (!job) return;
      if (this.stopped) {
        // Claimed while the worker was stopping: back to the queue at once, for the next worker or start.
        await this.queue.retryLater(job.id, "the worker stopped before running it", 0).catch(() => false);
        return;
      }
      this.launch(lane, job);
    }
  }

  private launch(lane: Lane, job: ClaimedJob): void {
    const run = this.execute(job).finally(() => {
      lane.running.delete(job.id);
      // Only this lane has a new free slot; the others are woken by their enqueues and the poll. (Ticking every
      // lane here ran a claim query per kind of every idle lane after each finished mirror.)
      this.fill(lane);
    });
    lane.running.set(job.id, run);
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const spec = this.options.kinds[job.kind];
    if (!spec) {
      await this.queue.fail(job.id, `no handler for job kind ${job.kind}`);
      return;
    }
    // Looked up once: every event of this run names the same workspace, in order.
    const workspaceId =
      job.workspaceId ??
      (job.projectId ? await this.options.workspaceOfProject?.(job.projectId).catch(() => undefined) : undefined);
    const announce = (type: EventInput["type"], data: Record<string, unknown>) =>
      this.announce(job, workspaceId, type, data);
    if (job.takenOverFrom !== null) {
      const budget = Math.max(job.maxAttempts, LOST_JOB_ATTEMPTS);
      this.options.logger?.warn(
        { jobId: job.id, kind: job.kind, from: job.takenOverFrom, attempt: job.attempts },
        "taking over a job whose worker stopped renewing its lease",
      );
      if (job.attempts > budget) {
        const message = `its worker stopped responding ${budget} times (lease expired); not run again`;
        if (await this.queue.fail(job.id, message)) announce("job.failed", { status: "failed", error: message });
        return;
      }
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
    // Taken over by another worker: stop at once (the slot is free whether or not the handler notices).
    const lost = new Promise<never>((_, reject) => {
      this.leases.set(job.id, (error) => {
        controller.abort(error);
        reject(error);
      });
    });
    lost.catch(() => {});
    let settled = false;
    let finished = false;
    let lastProgressEvent = 0;
    try {
      const work = spec.run({
        job,
        progress: (value) => {
          if (settled) return;
          this.queue.progress(job.id, value).catch(() => {});
          const now = Date.now();
          if (now - lastProgressEvent < PROGRESS_EVENT_MS) return;
          lastProgressEvent = now;
          announce("job.progress", { status: "running", progress: Math.max(0, Math.min(1, value)) });
        },
        signal: controller.signal,
        finish: async (write) => {
          // Past the time limit, on shutdown or after losing the lease the outcome no longer counts (the queue
          // checks the lease too); the reason decides below whether the job fails, goes back or is left alone.
          if (controller.signal.aborted) throw controller.signal.reason;
          if (settled) throw new LeaseLostError(job.id);
          const answer = await this.queue.finish(job.id, write);
          finished = true;
          return answer;
        },
      });
      // A handler that ignores its signal keeps running after the limit; its outcome no longer counts.
      work.catch(() => {});
      const result = await Promise.race([work, timedOut, lost]);
      settled = true;
      if (!finished && !(await this.queue.complete(job.id, result ?? null))) throw new LeaseLostError(job.id);
      announce("job.completed", { status: "completed", progress: 1 });
      if (job.kind === "export") announce("export.completed", { exportJobId: job.id });
    } catch (error) {
      settled = true;
      const message = error instanceof Error ? error.message : String(error);
      if (finished) {
        // Completed in finish(); only a late timer or heartbeat lost the race. The job's outcome stands.
        announce("job.completed", { status: "completed", progress: 1 });
        if (job.kind === "export") announce("export.completed", { exportJobId: job.id });
        return;
      }
      if (error instanceof LeaseLostError || controller.signal.reason instanceof LeaseLostError) {
        this.options.logger?.warn({ jobId: job.id, kind: job.kind }, "job lease lost: this run's work is discarded");
        return;
      }
      if (error instanceof JobTimeoutError) {
        this.options.logger?.warn({ jobId: job.id, kind: job.kind, limitSeconds }, "job timed out");
        if (!(await this.queue.fail(job.id, message))) return;
        try {
          await spec.onTimeout?.(job, message);
        } catch (hookError) {
          this.options.logger?.error({ jobId: job.id, error: String(hookError) }, "job timeout hook failed");
        }
        announce("job.failed", { status: "failed", error: message });
        return;
      }
      if (this.abort.signal.aborted) {
        // Shutting down: leave the job for the next start instead of failing it.
        await this.queue.retryLater(job.id, message, 0);
        return;
      }
      if (error instanceof RetryableJobError && job.attempts < job.maxAttempts) {
        const delay = (this.options.retryBaseMs ?? 2000) * 4 ** (job.attempts - 1);
        if (await this.queue.retryLater(job.id, message, delay))
          this.options.logger?.warn({ jobId: job.id, kind: job.kind, delay, error: message }, "job will retry");
        return;
      }
      this.options.logger?.warn({ jobId: job.id, kind: job.kind, error: message }, "job failed");
      if (await this.queue.fail(job.id, message)) announce("job.failed", { status: "failed", error: message });
    } finally {
      clearTimeout(timer);
      this.leases.delete(job.id);
      this.abort.signal.removeEventListener("abort", onShutdown);
    }
  }

  private announce(
    job: Job,
    workspaceId: string | undefined,
    type: EventInput["type"],
    data: Record<string, unknown>,
  ): void {
    const { events } = this.options;
    if (!events || !workspaceId) return;
    events.publish({
      type,
      workspaceId,
      projectId: job.projectId ?? null,
      data: { jobId: job.id, kind: job.kind, ...data },
    });
  }
}

const formatSeconds = (s: number) => (Number.isInteger(s) ? String(s) : s.toFixed(1));
