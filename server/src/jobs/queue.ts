import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { jobs } from "../db/schema.js";
import { newTimeOrderedId, nowIso } from "../ids.js";
import type { EnqueueInput, Job, JobPort } from "../ports/jobs.js";

export type { EnqueueInput, Job } from "../ports/jobs.js";

/**
 * The persistent job queue: a table, so queued work survives restarts. Every statement is prepared once
 * (db/prepared.ts): an ingest with an output URL enqueues a mirror job inside its group-commit savepoint, and
 * building that insert through the query builder on each call cost more than the rest of the ingest.
 */
export class JobQueue implements JobPort {
  private listeners = new Set<(kinds: ReadonlySet<string>) => void>();
  /** Kinds enqueued since the last wake; a wake is scheduled while this is not empty. */
  private enqueuedKinds = new Set<string>();

  constructor(private readonly db: DbHandle) {}

  /**
   * Inserts a pending job; runs inside whatever transaction is open on the connection. Listeners are woken
   * once per turn of the event loop, on a setImmediate: better-sqlite3 transactions are synchronous, so by
   * then the transaction that enqueued has committed, and a batch of 50 ingests wakes the worker once.
   */
  enqueue(input: EnqueueInput): Job {
    const now = nowIso();
    const job: Job = {
      id: input.id ?? newTimeOrderedId("job"),
      kind: input.kind,
      status: "pending",
      progress: 0,
      userId: input.userId ?? null,
      workspaceId: input.workspaceId ?? null,
      projectId: input.projectId ?? null,
      input: input.input,
      result: null,
      error: null,
      attempts: 0,
      maxAttempts: input.maxAttempts ?? 1,
      runAfter: input.runAfter ?? now,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      updatedAt: now,
    };
    prepared(this.db, "jobs.insert", () =>
      this.db.$client.prepare(
        `insert into jobs (id, kind, status, progress, user_id, workspace_id, project_id, input, attempts,
           max_attempts, run_after, created_at, updated_at)
         values (@id, @kind, 'pending', 0, @userId, @workspaceId, @projectId, @input, 0, @maxAttempts, @runAfter, @now, @now)`,
      ),
    ).run({
      id: job.id,
      kind: job.kind,
      userId: job.userId,
      workspaceId: job.workspaceId,
      projectId: job.projectId,
      input: JSON.stringify(job.input),
      maxAttempts: job.maxAttempts,
      runAfter: job.runAfter,
      now,
    });
    this.scheduleWake(job.kind);
    return job;
  }

  /** `listener` hears, once per turn of the event loop, which kinds were enqueued (after their commit). */
  onEnqueue(listener: (kinds: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private scheduleWake(kind: string): void {
    if (this.listeners.size === 0) return;
    const first = this.enqueuedKinds.size === 0;
    this.enqueuedKinds.add(kind);
    if (!first) return;
    setImmediate(() => {
      const kinds = this.enqueuedKinds;
      this.enqueuedKinds = new Set();
      for (const wake of this.listeners) wake(kinds);
    });
  }

  get(id: string): Job | undefined {
    return prepared(this.db, "jobs.get", () =>
      this.db
        .select()
        .from(jobs)
        .where(eq(jobs.id, sql.placeholder("id")))
        .prepare(),
    ).get({ id });
  }

  /**
   * Atomically takes the oldest due pending job of the given kinds (any kind when omitted). One indexed seek
   * per kind (jobs_due: status, kind, run_after, created_at), so a lane with an empty queue stays cheap while
   * another lane has thousands of jobs waiting. SQLite serialises writers, so two workers never share a job.
   */
  claimNext(kinds?: readonly string[]): Job | undefined {
    const now = nowIso();
    let best: { id: string; runAfter: string; createdAt: string } | undefined;
    if (kinds) {
      const due = prepared(this.db, "jobs.dueOfKind", () =>
        this.db.$client.prepare<[string, string], { id: string; runAfter: string; createdAt: string }>(
          `select id, run_after as runAfter, created_at as createdAt from jobs
            where status = 'pending' and kind = ? and run_after <= ? order by run_after, created_at limit 1`,
        ),
      );
      for (const kind of kinds) {
        const row = due.get(kind, now);
        if (
          row &&
          (!best || row.runAfter < best.runAfter || (row.runAfter === best.runAfter && row.createdAt < best.createdAt))
        )
          best = row;
      }
    } else {
      best = prepared(this.db, "jobs.dueAny", () =>
        this.db.$client.prepare<[string], { id: string; runAfter: string; createdAt: string }>(
          `select id, run_after as runAfter, created_at as createdAt from jobs
            where status = 'pending' and run_after <= ? order by run_after, created_at limit 1`,
        ),
      ).get(now);
    }
    if (!best) return undefined;
    return prepared(this.db, "jobs.claim", () =>
      this.db
        .update(jobs)
        .set({
          status: "running",
          startedAt: sql`${sql.placeholder("now")}`,
          updatedAt: sql`${sql.placeholder("now")}`,
          attempts: sql`${jobs.attempts} + 1`,
        })
        .where(and(eq(jobs.id, sql.placeholder("id")), eq(jobs.status, "pending")))
        .returning()
        .prepare(),
    ).get({ id: best.id, now });
  }

  hasDue(kinds?: readonly string[]): boolean {
    const now = nowIso();
    if (!kinds) {
      return !!prepared(this.db, "jobs.dueAny.exists", () =>
        this.db.$client.prepare<[string]>("select 1 from jobs where status = 'pending' and run_after <= ? limit 1"),
      ).get(now);
    }
    const due = prepared(this.db, "jobs.dueOfKind.exists", () =>
      this.db.$client.prepare<[string, string]>(
        "select 1 from jobs where status = 'pending' and kind = ? and run_after <= ? limit 1",
      ),
    );
    return kinds.some((kind) => !!due.get(kind, now));
  }

  progress(id: string, progress: number): void {
    const clamped = Math.max(0, Math.min(1, progress));
    prepared(this.db, "jobs.progress", () =>
      this.db.$client.prepare<[number, string, string]>(
        "update jobs set progress = ?, updated_at = ? where id = ? and status = 'running'",
      ),
    ).run(clamped, nowIso(), id);
  }

  complete(id: string, result: unknown): void {
    const now = nowIso();
    prepared(this.db, "jobs.complete", () =>
      this.db.$client.prepare<[string | null, string, string, string]>(
        `update jobs set status = 'completed', progress = 1, result = ?, error = null, finished_at = ?, updated_at = ?
          where id = ?`,
      ),
    ).run(result == null ? null : JSON.stringify(result), now, now, id);
  }

  fail(id: string, error: string): void {
    const now = nowIso();
    prepared(this.db, "jobs.fail", () =>
      this.db.$client.prepare<[string, string, string, string]>(
        "update jobs set status = 'failed', error = ?, finished_at = ?, updated_at = ? where id = ?",
      ),
    ).run(error, now, now, id);
  }

  /**
   * A line a running job shows in `error` while it waits for something outside it ("waiting for gemini
   * quota until …"); null clears it. Only touches running jobs, so a finished job keeps its outcome.
   */
  note(id: string, text: string | null): void {
    this.db
      .update(jobs)
      .set({ error: text, updatedAt: nowIso() })
      .where(and(eq(jobs.id, id), eq(jobs.status, "running")))
      .run();
  }

  /** Puts a job back in the queue to run again after `delayMs`, keeping the last error visible. */
  retryLater(id: string, error: string, delayMs: number): void {
    prepared(this.db, "jobs.retry", () =>
      this.db.$client.prepare<[string, string, string, string]>(
        "update jobs set status = 'pending', error = ?, run_after = ?, updated_at = ? where id = ?",
      ),
    ).run(error, new Date(Date.now() + delayMs).toISOString(), nowIso(), id);
  }

  /** A failed job runs again from its stored input: pending now, progress and error cleared, the worker woken. */
  requeue(id: string): Job | undefined {
    const now = nowIso();
    const job = this.db
      .update(jobs)
      .set({
        status: "pending",
        progress: 0,
        error: null,
        result: null,
        runAfter: now,
        finishedAt: null,
        updatedAt: now,
      })
      .where(and(eq(jobs.id, id), eq(jobs.status, "failed")))
      .returning()
      .get();
    if (job) this.scheduleWake(job.kind);
    return job;
  }

  /** Jobs left `running` by a crash or a kill go back to `pending` (called on start). */
  recoverInterrupted(): number {
    return this.db.update(jobs).set({ status: "pending", updatedAt: nowIso() }).where(eq(jobs.status, "running")).run()
      .changes;
  }

  counts(): { pending: number; running: number } {
    const rows = this.db
      .select({ status: jobs.status, n: sql<number>`count(*)` })
      .from(jobs)
      .where(inArray(jobs.status, ["pending", "running"]))
      .groupBy(jobs.status)
      .all();
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    return { pending: by.pending ?? 0, running: by.running ?? 0 };
  }
}
