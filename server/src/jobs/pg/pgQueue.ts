import { hostname } from "node:os";
import { and, asc, count, eq, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { jobs } from "../../db/pg/schema.js";
import { frameMessage, openPgChannel, type PgChannel, type PgChannelLog } from "../../events/pgChannel.js";
import { nowIso } from "../../ids.js";
import { type EnqueueInput, type Job, LeaseLostError } from "../../ports/jobs.js";
import type { PgConn } from "../../repositories/pg/conn.js";
import { insertJob } from "../../repositories/pg/jobs.js";
import { type ClaimedJob, DEFAULT_LEASE_MS, type LeaseOptions, newWorkerId, parseWorkerId } from "../queue.js";
import { Wakes } from "../wakes.js";

/**
 * The database or a transaction on it (drizzle's node-postgres `PgDatabase`, which both `PgDb` and the `tx` of
 * `db.transaction(async (tx) => …)` are): what `enqueue` runs on and what `finish` hands its write. A repository
 * function that takes this type can run inside a job's `finish` or a service's unit of work.
 */
/** The database or a transaction on it. */
export type PgSession = PgConn;
export type { ClaimedJob } from "../queue.js";

/** The NOTIFY channel of job wake-ups (the live events use `dailies_events`). */
export const DEFAULT_JOB_CHANNEL = "dailies_jobs";

/**
 * The origin written into every wake frame. It is never a channel's own origin (those are random), so the channel
 * hands a wake to every listening process, the enqueueing one included: each process is woken by the same commit.
 */
const WAKE_ORIGIN = "job-enqueued";

export interface PgJobQueueOptions extends LeaseOptions {
  /** Where wake-ups are heard (PgJobQueue.open makes one); without it onEnqueue listeners are never called. */
  wakes?: PgChannel;
  /** The NOTIFY channel enqueues wake; must be the channel `wakes` listens on. */
  channel?: string;
}

export interface OpenPgJobQueueOptions extends Omit<PgJobQueueOptions, "wakes"> {
  /** postgres://… of the deployment's database, for the dedicated LISTEN connection. */
  url: string;
  log: PgChannelLog;
}

/**
 * The job queue of a team deployment: JobQueue's semantics (jobs/queue.ts, spec: test/jobs/lease.test.ts) on
 * PostgreSQL's `jobs` table, shared by API processes and workers on any number of machines.
 *
 * - Claims are one statement each: `update … where id = (select … for update skip locked limit 1)`. Two workers
 *   claiming at once lock different rows (a locked row is skipped, not waited for), so a job is claimed once.
 * - Leases are JobQueue's: owner and expiry on the row, renewed by heartbeat, taken over once expired. Times are
 *   ISO text computed in JavaScript as JobQueue computes them, so rows look alike on both backends; the
 *   machines' clocks must agree (NTP), a skew lengthens or shortens leases by as much.
 * - `finish` locks the job row for its whole transaction: a takeover scan skips a locked row, so
 *   the lease cannot change hands between the owner check and the completion.
 * - Wake-ups cross processes: an enqueue NOTIFYs `dailies_jobs` with its kind in the same statement as its
 *   insert, so the wake is delivered, to every process, only when (and if) the insert commits.
 *
 * Every state a route shows (progress, notes, results, attempts) is on the `jobs` row: there is no second copy.
 */
export class PgJobQueue {
  readonly workerId: string;
  readonly leaseMs: number;
  readonly channel: string;
  private readonly wakeups = new Wakes();
  private nextLeaseScan = new Map<string, number>();
  private readonly scanMs: number;
  private readonly wakes: PgChannel | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private ownsWakes = false;

  constructor(
    private readonly db: PgDb,
    options: PgJobQueueOptions = {},
  ) {
    this.workerId = options.workerId ?? newWorkerId();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.scanMs = Math.min(1000, Math.max(10, Math.floor(this.leaseMs / 3)));
    this.channel = options.channel ?? options.wakes?.channel ?? DEFAULT_JOB_CHANNEL;
    this.wakes = options.wakes;
    if (this.wakes && this.wakes.channel !== this.channel) {
      throw new Error(`the wake channel listens on ${this.wakes.channel}, not ${this.channel}`);
    }
  }

  /** A queue with its own LISTEN connection on the job channel (closed by close()). */
  static async open(db: PgDb, options: OpenPgJobQueueOptions): Promise<PgJobQueue> {
    const channel = options.channel ?? DEFAULT_JOB_CHANNEL;
    const wakes = await openPgChannel({ url: options.url, channel, log: options.log, applicationName: "dailies-jobs" });
    const queue = new PgJobQueue(db, { ...options, channel, wakes });
    queue.ownsWakes = true;
    await queue.listen();
    return queue;
  }

  /** Starts hearing wakes on `wakes` (open() does this; call it once when passing your own channel). */
  async listen(): Promise<void> {
    if (!this.wakes || this.stopListening) return;
    this.stopListening = await this.wakes.listen((kind) => this.heard(kind));
  }

  /** Stops hearing wakes, and closes the LISTEN connection when open() made it. The pool is the caller's. */
  async close(): Promise<void> {
    await this.stopListening?.();
    this.stopListening = undefined;
    this.wakeups.clear();
    if (this.ownsWakes) await this.wakes?.close();
  }

  private leaseUntil(): string {
    return new Date(Date.now() + this.leaseMs).toISOString();
  }

  /** The frame a wake NOTIFYs: the kind, framed as the channel expects (one frame: kinds are short). */
  private wakeFrame(kind: string): string {
    const [frame] = frameMessage(WAKE_ORIGIN, 0, kind);
    if (!frame) throw new Error("a job kind makes one wake frame");
    return frame;
  }

  /**
   * Inserts a pending job: on `tx` (a service's transaction) it commits or rolls back with the rest of the unit
   * of work. The jobs table's trigger (migration 0005_job_wake) NOTIFYs its kind on commit, to every process.
   */
  async enqueue(input: EnqueueInput, tx?: PgSession): Promise<Job> {
    return insertJob(tx ?? this.db, input);
  }

  /**
   * `listener` hears, once per turn of the event loop, which kinds were enqueued by any process (this one
   * included), after their commit. Wakes are not durable: one missed while the LISTEN connection reconnects is
   * made up by the worker's poll.
   */
  onEnqueue(listener: (kinds: ReadonlySet<string>) => void): () => void {
    return this.wakeups.listen(listener);
  }

  private heard(kind: string): void {
    this.wakeups.add(kind);
  }

  async get(id: string): Promise<Job | undefined> {
    const [job] = await this.db.select().from(jobs).where(eq(jobs.id, id));
    return job;
  }

  /**
   * Atomically takes a job of the given kinds (any kind when omitted) under a lease for this worker: first a
   * running job whose lease expired (looked for at most every `scanMs`), else the oldest due pending one. The
   * subquery locks the row it picks and skips rows other claims have locked, so concurrent claims from any
   * number of processes each get a different job; the outer condition re-checks the status.
   */
  async claimNext(kinds?: readonly string[]): Promise<ClaimedJob | undefined> {
    if (kinds && kinds.length === 0) return undefined;
    const taken = await this.takeOverExpired(kinds);
    if (taken) return taken;
    const now = nowIso();
    const [job] = await this.db
      .update(jobs)
      .set({
        status: "running",
        startedAt: now,
        updatedAt: now,
        attempts: sql`${jobs.attempts} + 1`,
        leaseOwner: this.workerId,
        leaseUntil: this.leaseUntil(),
      })
      .where(and(eq(jobs.id, sql`(${this.oldestDue(now, kinds)})`), eq(jobs.status, "pending")))
      .returning();
    return job && { ...job, takenOverFrom: null };
  }

  /**
   * The id of the oldest due pending job of these kinds, its row locked (rows other claims hold are skipped).
   * With kinds, one index seek per kind on jobs_due (status, kind, run_after, created_at), as JobQueue does: a
   * plain `kind in (…) order by run_after` sorts every pending row of those kinds (measured: 30 ms per claim
   * over 30,000 pending mirrors, against 3 ms by seeks). The seek of each kind locks its candidate until the
   * claim's statement ends; a concurrent claim skips those and takes the next.
   */
  private oldestDue(now: string, kinds: readonly string[] | undefined): SQL {
    if (!kinds) {
      return sql`select id from jobs where status = 'pending' and run_after <= ${now}
        order by run_after, created_at limit 1 for update skip locked`;
    }
    const list = sql.join(
      kinds.map((kind) => sql`${kind}`),
      sql`, `,
    );
    return sql`select due.id from unnest(array[${list}]::text[]) as wanted(kind)
      cross join lateral (
        select id, run_after, created_at from jobs
         where status = 'pending' and kind = wanted.kind and run_after <= ${now}
         order by run_after, created_at limit 1 for update skip locked
      ) due
      order by due.run_after, due.created_at limit 1`;
  }

  /**
   * A running job of these kinds whose lease expired, now leased to this worker (attempts + 1, progress
   * restarted), with the owner it was taken from. A job without a lease counts as expired. The lock taken by the
   * select (skipping rows locked by other takeovers, and by a `finish` in progress) holds until the update.
   */
  private async takeOverExpired(kinds?: readonly string[]): Promise<ClaimedJob | undefined> {
    const scanKey = kinds ? kinds.join("\u0000") : "";
    const nowMs = Date.now();
    if ((this.nextLeaseScan.get(scanKey) ?? 0) > nowMs) return undefined;
    const now = new Date(nowMs).toISOString();
    const taken = await this.db.transaction(async (tx) => {
      const [expired] = await tx
        .select({ id: jobs.id, owner: jobs.leaseOwner })
        .from(jobs)
        .where(and(eq(jobs.status, "running"), ofKinds(kinds), or(isNull(jobs.leaseUntil), lte(jobs.leaseUntil, now))))
        .orderBy(asc(jobs.startedAt))
        .limit(1)
        .for("update", { skipLocked: true });
      if (!expired) return undefined;
      const [job] = await tx
        .update(jobs)
        .set({
          startedAt: now,
          updatedAt: now,
          attempts: sql`${jobs.attempts} + 1`,
          progress: 0,
          leaseOwner: this.workerId,
          leaseUntil: this.leaseUntil(),
        })
        .where(eq(jobs.id, expired.id))
        .returning();
      return job && { ...job, takenOverFrom: expired.owner ?? "unknown" };
    });
    if (!taken) this.nextLeaseScan.set(scanKey, nowMs + this.scanMs);
    return taken;
  }

  /** Renews this worker's leases on all its running jobs; answers the ids it still holds. */
  async heartbeat(): Promise<Set<string>> {
    const rows = await this.db
      .update(jobs)
      .set({ leaseUntil: this.leaseUntil() })
      .where(and(eq(jobs.leaseOwner, this.workerId), eq(jobs.status, "running")))
      .returning({ id: jobs.id });
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Expires at once the leases held by processes of this host that are gone (a crash or kill -9 of the
   * previous run), so a restarted worker resumes its jobs without waiting out their leases. Other hosts' leases,
   * and live processes', are left to expire by themselves.
   */
  async releaseDeadLocalLeases(): Promise<number> {
    const host = hostname();
    const rows = await this.db
      .select({ id: jobs.id, owner: jobs.leaseOwner })
      .from(jobs)
      .where(and(eq(jobs.status, "running"), sql`${jobs.leaseOwner} is not null`));
    let released = 0;
    for (const row of rows) {
      const owner = row.owner ? parseWorkerId(row.owner) : undefined;
      if (!row.owner || !owner || owner.host !== host || processAlive(owner.pid)) continue;
      const done = await this.db
        .update(jobs)
        .set({ leaseUntil: null })
        .where(and(eq(jobs.id, row.id), eq(jobs.status, "running"), eq(jobs.leaseOwner, row.owner)))
        .returning({ id: jobs.id });
      released += done.length;
    }
    if (released > 0) this.nextLeaseScan.clear();
    return released;
  }

  /**
   * Runs `write` and completes the job with its answer in ONE transaction, only while this worker holds the
   * job's lease: the job row is locked first, the lease owner checked (else LeaseLostError, and `write` is not
   * called), then `write(tx)` — the job's result rows — and the completion. Any throw rolls all of it back.
   * The lock is `for no key update`: it excludes every takeover (their `for update skip locked` skips the row,
   * their update would wait) until the commit, yet lets other transactions insert rows that reference the job
   * (a foreign key only takes `key share`), which a plain `for update` would make wait.
   */
  async finish<T>(id: string, write: (tx: PgSession) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const [held] = await tx
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.id, id), eq(jobs.status, "running"), eq(jobs.leaseOwner, this.workerId)))
        .for("no key update");
      if (!held) throw new LeaseLostError(id);
      const result = await write(tx);
      if (!(await this.completeOn(tx, id, result))) throw new LeaseLostError(id);
      return result;
    });
  }

  async hasDue(kinds?: readonly string[]): Promise<boolean> {
    if (kinds && kinds.length === 0) return false;
    const [row] = await this.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.status, "pending"), lte(jobs.runAfter, nowIso()), ofKinds(kinds)))
      .limit(1);
    return row !== undefined;
  }

  /** Progress of a job this worker holds (a worker that lost the lease writes nothing). */
  async progress(id: string, progress: number): Promise<void> {
    await this.db
      .update(jobs)
      .set({ progress: Math.max(0, Math.min(1, progress)), updatedAt: nowIso() })
      .where(this.holding(id));
  }

  /** Completes a job this worker holds; false (nothing written) when its lease was taken over or it ended. */
  complete(id: string, result: unknown): Promise<boolean> {
    return this.completeOn(this.db, id, result);
  }

  private async completeOn(db: PgSession, id: string, result: unknown): Promise<boolean> {
    const now = nowIso();
    const rows = await db
      .update(jobs)
      .set({
        status: "completed",
        progress: 1,
        result: result ?? null,
        error: null,
        finishedAt: now,
        updatedAt: now,
        leaseUntil: null,
      })
      .where(this.holding(id))
      .returning({ id: jobs.id });
    return rows.length > 0;
  }

  /** Fails a job this worker holds; false when its lease was taken over or the job has already ended. */
  async fail(id: string, error: string): Promise<boolean> {
    const now = nowIso();
    const rows = await this.db
      .update(jobs)
      .set({ status: "failed", error, finishedAt: now, updatedAt: now, leaseUntil: null })
      .where(this.holding(id))
      .returning({ id: jobs.id });
    return rows.length > 0;
  }

  /** A status line on a running job ("waiting for quota until …"); null clears it. Finished jobs keep theirs. */
  async note(id: string, text: string | null): Promise<void> {
    await this.db
      .update(jobs)
      .set({ error: text, updatedAt: nowIso() })
      .where(and(eq(jobs.id, id), eq(jobs.status, "running")));
  }

  /** Puts a job this worker holds back to run after `delayMs`, keeping the error; false when the lease was lost. */
  async retryLater(id: string, error: string, delayMs: number): Promise<boolean> {
    const rows = await this.db
      .update(jobs)
      .set({
        status: "pending",
        error,
        runAfter: new Date(Date.now() + delayMs).toISOString(),
        updatedAt: nowIso(),
        leaseUntil: null,
      })
      .where(this.holding(id))
      .returning({ id: jobs.id });
    return rows.length > 0;
  }

  /**
   * A failed job runs again from its stored input: pending now, progress and error cleared. Its kind is NOTIFYed
   * in the same transaction, so workers in every process wake for it.
   */
  async requeue(id: string): Promise<Job | undefined> {
    const now = nowIso();
    return this.db.transaction(async (tx) => {
      const [job] = await tx
        .update(jobs)
        .set({
          status: "pending",
          progress: 0,
          error: null,
          result: null,
          runAfter: now,
          finishedAt: null,
          updatedAt: now,
          leaseUntil: null,
        })
        .where(and(eq(jobs.id, id), eq(jobs.status, "failed")))
        .returning();
      if (job) await tx.execute(sql`select pg_notify(${this.channel}, ${this.wakeFrame(job.kind)})`);
      return job;
    });
  }

  async counts(): Promise<{ pending: number; running: number }> {
    const rows = await this.db
      .select({ status: jobs.status, n: count() })
      .from(jobs)
      .where(inArray(jobs.status, ["pending", "running"]))
      .groupBy(jobs.status);
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    return { pending: by.pending ?? 0, running: by.running ?? 0 };
  }

  /** The row condition of every write that reports on or ends a running job: this worker holds its lease. */
  private holding(id: string): SQL | undefined {
    return and(eq(jobs.id, id), eq(jobs.status, "running"), eq(jobs.leaseOwner, this.workerId));
  }
}

/** The kind condition of a claim: any kind when `kinds` is omitted. */
function ofKinds(kinds: readonly string[] | undefined): SQL | undefined {
  if (!kinds) return undefined;
  return kinds.length === 1 ? eq(jobs.kind, kinds[0] as string) : inArray(jobs.kind, [...kinds]);
}

/** Whether a process of this host is alive (EPERM: alive, owned by another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
