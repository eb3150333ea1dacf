import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { jobs } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";

export type Job = typeof jobs.$inferSelect;

export interface EnqueueInput {
  kind: string;
  input: Record<string, unknown>;
  userId?: string | null;
  workspaceId?: string | null;
  projectId?: string | null;
  maxAttempts?: number;
  /** Reuse an id decided by the caller (an export's id is its job's id). */
  id?: string;
}

/** The persistent job queue: a table, so queued work survives restarts. */
export class JobQueue {
  private listeners = new Set<() => void>();

  constructor(private readonly db: Db) {}

  enqueue(input: EnqueueInput): Job {
    const job = this.db
      .insert(jobs)
      .values({
        id: input.id ?? newId("job"),
        kind: input.kind,
        input: input.input,
        userId: input.userId ?? null,
        workspaceId: input.workspaceId ?? null,
        projectId: input.projectId ?? null,
        maxAttempts: input.maxAttempts ?? 1,
      })
      .returning()
      .get();
    for (const wake of this.listeners) wake();
    return job;
  }

  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): Job | undefined {
    return this.db.select().from(jobs).where(eq(jobs.id, id)).get();
  }

  /** Atomically takes the oldest due pending job (SQLite serialises writers, so two workers never share one). */
  claimNext(kinds?: string[]): Job | undefined {
    const now = nowIso();
    const candidate = this.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.status, "pending"), lte(jobs.runAfter, now), kinds ? inArray(jobs.kind, kinds) : undefined))
      .orderBy(asc(jobs.runAfter), asc(jobs.createdAt))
      .get();
    if (!candidate) return undefined;
    return this.db
      .update(jobs)
      .set({ status: "running", startedAt: now, updatedAt: now, attempts: sql`${jobs.attempts} + 1` })
      .where(and(eq(jobs.id, candidate.id), eq(jobs.status, "pending")))
      .returning()
      .get();
  }

  hasDue(kinds?: string[]): boolean {
    return !!this.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(
        and(eq(jobs.status, "pending"), lte(jobs.runAfter, nowIso()), kinds ? inArray(jobs.kind, kinds) : undefined),
      )
      .get();
  }

  progress(id: string, progress: number): void {
    const clamped = Math.max(0, Math.min(1, progress));
    this.db.update(jobs).set({ progress: clamped, updatedAt: nowIso() }).where(eq(jobs.id, id)).run();
  }

  complete(id: string, result: unknown): void {
    const now = nowIso();
    this.db
      .update(jobs)
      .set({ status: "completed", progress: 1, result, error: null, finishedAt: now, updatedAt: now })
      .where(eq(jobs.id, id))
      .run();
  }

  fail(id: string, error: string): void {
    const now = nowIso();
    this.db.update(jobs).set({ status: "failed", error, finishedAt: now, updatedAt: now }).where(eq(jobs.id, id)).run();
  }

  /** Puts a job back in the queue to run again after `delayMs`, keeping the last error visible. */
  retryLater(id: string, error: string, delayMs: number): void {
    this.db
      .update(jobs)
      .set({ status: "pending", error, runAfter: new Date(Date.now() + delayMs).toISOString(), updatedAt: nowIso() })
      .where(eq(jobs.id, id))
      .run();
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
    if (job) for (const wake of this.listeners) wake();
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
