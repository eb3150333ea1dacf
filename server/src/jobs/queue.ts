import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { jobs } from "../db/schema.js";
import { nowIso } from "../ids.js";
import { type EnqueueInput, type Job, type JobPort, LeaseLostError } from "../ports/jobs.js";
import type { Repos } from "../repositories/index.js";
import { insertJob } from "../repositories/jobs.js";
import { Wakes } from "./wakes.js";

export type { EnqueueInput, Job } from "../ports/jobs.js";
export { LeaseLostError } from "../ports/jobs.js";

/** A claimed job; `takenOverFrom` names the worker whose lease on it expired (null for a fresh claim). */
export type ClaimedJob = Job & { takenOverFrom: string | null };

export interface LeaseOptions {
  /** Who claims (host:pid:random, see newWorkerId): stored as the job's lease owner. */
  workerId?: string;
  /** How long a claim or a heartbeat holds a job before another worker may take it over. */
  leaseMs?: number;
}

/** Default lease (DAILIES_JOB_LEASE_SECONDS). */
export const DEFAULT_LEASE_MS = 30_000;

/**
 * A worker's id: host, process id and a random tail. The host and pid let a worker starting on the same
 * machine see that a lease's owner process is gone (releaseDeadLocalLeases); the tail tells apart two queues
 * in one process (tests) and a pid reused after a restart.
 */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** The host and pid of a worker id, when it has that shape. */
export function parseWorkerId(id: string): { host: string; pid: number } | undefined {
  const match = /^(.+):(\d+):[0-9a-f]+$/.exec(id);
  return match ? { host: match[1] as string, pid: Number(match[2]) } : undefined;
}

/**
 * The persistent job queue: a table, so queued work survives restarts. Every statement is prepared once
 * (db/prepared.ts): an ingest with an output URL enqueues a mirror job inside its group-commit savepoint, and
 * building that insert through the query builder on each call cost more than the rest of the ingest.
 *
 * Several worker processes may share one database file, so a claim is a lease, not ownership: the claiming
 * worker's id goes into `lease_owner` with an expiry in `lease_until`, the worker renews it by heartbeat while
 * the job runs, and once it has expired (the worker died or hung) any worker may take the job over, counting
 * an attempt. Every write that ends or reports on a running job names its owner, so a worker whose lease was
 * taken over can no longer complete, fail or requeue it: its work is discarded, never made a result.
 */
export class JobQueue {
  private readonly wakes = new Wakes();
  readonly workerId: string;
  readonly leaseMs: number;
  /** When each set of kinds may next look for expired leases (at most every scanMs, off the hot claim path). */
  private nextLeaseScan = new Map<string, number>();
  private readonly scanMs: number;

  constructor(
    private readonly db: DbHandle,
    lease: LeaseOptions = {},
  ) {
    this.workerId = lease.workerId ?? newWorkerId();
    this.leaseMs = lease.leaseMs ?? DEFAULT_LEASE_MS;
    // Expiries are seconds apart; one look per second (or per third of a short lease) finds them in time.
    this.scanMs = Math.min(1000, Math.max(10, Math.floor(this.leaseMs / 3)));
  }

  private leaseUntil(): string {
    return new Date(Date.now() + this.leaseMs).toISOString();
  }

  /**
   * Inserts a pending job; runs inside whatever transaction is open on the connection. Listeners are woken
   * once per turn of the event loop, on a setImmediate: better-sqlite3 transactions are synchronous, so by
   * then the transaction that enqueued has committed, and a batch of 50 ingests wakes the worker once.
   */
  enqueue(input: EnqueueInput): Job {
    const job = insertJob(this.db, input);
    this.scheduleWake(job.kind);
    return job;
  }

  /** Wakes the workers for jobs a unit of work of another area inserted (after its commit). */
  wake(kinds: Iterable<string>): void {
    for (const kind of kinds) this.scheduleWake(kind);
  }

  /** `listener` hears, once per turn of the event loop, which kinds were enqueued (after their commit). */
  onEnqueue(listener: (kinds: ReadonlySet<string>) => void): () => void {
    return this.wakes.listen(listener);
  }

  private scheduleWake(kind: string): void {
    this.wakes.add(kind);
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
   * Atomically takes a job of the given kinds (any kind when omitted) under a lease for this worker: first a
   * running job whose lease expired (its worker died; looked for at most every `scanMs`), else the oldest due
   * pending one. One indexed seek per kind (jobs_due: status, kind, run_after, created_at), so a lane with an
   * empty queue stays cheap while another lane has thousands of jobs waiting. SQLite serialises writers and
   * each update re-checks its condition, so two workers never both get a job.
   */
  claimNext(kinds?: readonly string[]): ClaimedJob | undefined {
    const taken = this.takeOverExpired(kinds);
    if (taken) return taken;
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
    const job = prepared(this.db, "jobs.claim", () =>
      this.db
        .update(jobs)
        .set({
          status: "running",
          startedAt: sql`${sql.placeholder("now")}`,
          updatedAt: sql`${sql.placeholder("now")}`,
          attempts: sql`${jobs.attempts} + 1`,
          leaseOwner: sql`${sql.placeholder("owner")}`,
          leaseUntil: sql`${sql.placeholder("until")}`,
        })
        .where(and(eq(jobs.id, sql.placeholder("id")), eq(jobs.status, "pending")))
        .returning()
        .prepare(),
    ).get({ id: best.id, now, owner: this.workerId, until: this.leaseUntil() });
    return job && { ...job, takenOverFrom: null };
  }

  /**
   * A running job of these kinds whose lease expired, now leased to this worker (attempts + 1, progress
   * restarted). A job without a lease (left running by a version before leases) counts as expired.
   */
  private takeOverExpired(kinds?: readonly string[]): ClaimedJob | undefined {
    const scanKey = kinds ? kinds.join("\u0000") : "";
    const nowMs = Date.now();
    if ((this.nextLeaseScan.get(scanKey) ?? 0) > nowMs) return undefined;
    const now = new Date(nowMs).toISOString();
    type Row = { id: string; owner: string | null };
    let expired: Row | undefined;
    if (kinds) {
      // Running rows are few (one per busy slot of every worker): the (status, kind) prefix of jobs_due finds them.
      const ofKind = prepared(this.db, "jobs.expiredOfKind", () =>
        this.db.$client.prepare<[string, string], Row>(
          `select id, lease_owner as owner from jobs where status = 'running' and kind = ?
             and (lease_until is null or lease_until <= ?) order by started_at limit 1`,
        ),
      );
      for (const kind of kinds) {
        expired = ofKind.get(kind, now);
        if (expired) break;
      }
    } else {
      expired = prepared(this.db, "jobs.expiredAny", () =>
        this.db.$client.prepare<[string], Row>(
          `select id, lease_owner as owner from jobs where status = 'running'
             and (lease_until is null or lease_until <= ?) order by started_at limit 1`,
        ),
      ).get(now);
    }
    if (!expired) {
      this.nextLeaseScan.set(scanKey, nowMs + this.scanMs);
      return undefined;
    }
    const job = prepared(this.db, "jobs.takeOver", () =>
      this.db
        .update(jobs)
        .set({
          startedAt: sql`${sql.placeholder("now")}`,
          updatedAt: sql`${sql.placeholder("now")}`,
          attempts: sql`${jobs.attempts} + 1`,
          progress: 0,
          leaseOwner: sql`${sql.placeholder("owner")}`,
          leaseUntil: sql`${sql.placeholder("until")}`,
        })
        .where(
          and(
            eq(jobs.id, sql.placeholder("id")),
            eq(jobs.status, "running"),
            sql`(${jobs.leaseUntil} is null or ${jobs.leaseUntil} <= ${sql.placeholder("now")})`,
          ),
        )
        .returning()
        .prepare(),
    ).get({ id: expired.id, now, owner: this.workerId, until: this.leaseUntil() });
    return job && { ...job, takenOverFrom: expired.owner ?? "unknown" };
  }

  /**
   * Renews this worker's leases on all its running jobs (one statement per heartbeat, however many run) and
   * answers the ids it still holds: a running job missing from them was taken over, and must stop.
   */
  heartbeat(): Set<string> {
    const rows = prepared(this.db, "jobs.heartbeat", () =>
      this.db.$client.prepare<[string, string], { id: string }>(
        "update jobs set lease_until = ? where lease_owner = ? and status = 'running' returning id",
      ),
    ).all(this.leaseUntil(), this.workerId);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Expires at once the leases held by processes of this host that are gone (a crash or kill -9 of the
   * previous run), so a restarted single server resumes its jobs without waiting out their leases. Other
   * hosts' leases, and live processes', are left to expire by themselves. Called when a worker starts.
   */
  releaseDeadLocalLeases(): number {
    const host = hostname();
    const rows = this.db.$client
      .prepare<[], { id: string; owner: string }>(
        "select id, lease_owner as owner from jobs where status = 'running' and lease_owner is not null",
      )
      .all();
    const release = this.db.$client.prepare<[string, string]>(
      "update jobs set lease_until = null where id = ? and status = 'running' and lease_owner = ?",
    );
    let released = 0;
    for (const row of rows) {
      const owner = parseWorkerId(row.owner);
      if (!owner || owner.host !== host || processAlive(owner.pid)) continue;
      released += release.run(row.id, row.owner).changes;
    }
    if (released > 0) this.nextLeaseScan.clear();
    return released;
  }

  /** Whether this worker holds the job's lease (it is running and not taken over). */
  holds(id: string): boolean {
    return !!prepared(this.db, "jobs.holds", () =>
      this.db.$client.prepare<[string, string]>(
        "select 1 from jobs where id = ? and status = 'running' and lease_owner = ?",
      ),
    ).get(id, this.workerId);
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

  /** Progress of a job this worker holds (a worker that lost the lease writes nothing). */
  progress(id: string, progress: number): void {
    const clamped = Math.max(0, Math.min(1, progress));
    prepared(this.db, "jobs.progress", () =>
      this.db.$client.prepare<[number, string, string, string]>(
        "update jobs set progress = ?, updated_at = ? where id = ? and status = 'running' and lease_owner = ?",
      ),
    ).run(clamped, nowIso(), id, this.workerId);
  }

  /**
   * Completes a job this worker holds; false (nothing written) when its lease was taken over or the job has
   * already ended. The lease owner stays on the row as who ran it.
   */
  complete(id: string, result: unknown): boolean {
    const now = nowIso();
    return (
      prepared(this.db, "jobs.complete", () =>
        this.db.$client.prepare<[string | null, string, string, string, string]>(
          `update jobs set status = 'completed', progress = 1, result = ?, error = null, finished_at = ?, updated_at = ?,
             lease_until = null
            where id = ? and status = 'running' and lease_owner = ?`,
        ),
      ).run(result == null ? null : JSON.stringify(result), now, now, id, this.workerId).changes > 0
    );
  }

  /** Fails a job this worker holds; false when its lease was taken over or the job has already ended. */
  fail(id: string, error: string): boolean {
    const now = nowIso();
    return (
      prepared(this.db, "jobs.fail", () =>
        this.db.$client.prepare<[string, string, string, string, string]>(
          `update jobs set status = 'failed', error = ?, finished_at = ?, updated_at = ?, lease_until = null
            where id = ? and status = 'running' and lease_owner = ?`,
        ),
      ).run(error, now, now, id, this.workerId).changes > 0
    );
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

  /**
   * Puts a job this worker holds back in the queue to run again after `delayMs`, keeping the last error
   * visible; false when its lease was taken over.
   */
  retryLater(id: string, error: string, delayMs: number): boolean {
    return (
      prepared(this.db, "jobs.retry", () =>
        this.db.$client.prepare<[string, string, string, string, string]>(
          `update jobs set status = 'pending', error = ?, run_after = ?, updated_at = ?, lease_until = null
            where id = ? and status = 'running' and lease_owner = ?`,
        ),
      ).run(error, new Date(Date.now() + delayMs).toISOString(), nowIso(), id, this.workerId).changes > 0
    );
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
        leaseUntil: null,
      })
      .where(and(eq(jobs.id, id), eq(jobs.status, "failed")))
      .returning()
      .get();
    if (job) this.scheduleWake(job.kind);
    return job;
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

/** Whether a process of this host is alive (EPERM: alive, owned by another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * What the worker needs of a queue, async so that the PostgreSQL queue (jobs/pg/) fits the same worker. `finish`
 * hands its write the repositories to use: on PostgreSQL they are bound to the transaction that also checks the
 * lease and completes the job.
 */
export interface WorkerQueue {
  readonly workerId: string;
  readonly leaseMs: number;
  onEnqueue(listener: (kinds: ReadonlySet<string>) => void): () => void;
  releaseDeadLocalLeases(): Promise<number>;
  heartbeat(): Promise<Set<string>>;
  hasDue(kinds?: readonly string[]): Promise<boolean>;
  claimNext(kinds?: readonly string[]): Promise<ClaimedJob | undefined>;
  progress(id: string, progress: number): Promise<void>;
  finish<T>(id: string, write: (repos: Repos) => Promise<T> | T): Promise<T>;
  complete(id: string, result: unknown): Promise<boolean>;
  fail(id: string, error: string): Promise<boolean>;
  retryLater(id: string, error: string, delayMs: number): Promise<boolean>;
}

/** The SQLite queue seen by services (`deps.jobs`). */
export function sqliteJobPort(queue: JobQueue): JobPort {
  return {
    enqueue: async (input) => queue.enqueue(input),
    get: async (id) => queue.get(id),
    note: async (id, text) => queue.note(id, text),
    wake: (kinds) => queue.wake(kinds),
    requeue: async (id) => queue.requeue(id),
    counts: async () => queue.counts(),
  };
}

/**
 * The SQLite queue seen by the worker. Its `finish` checks the lease, runs the write, and completes only while the
 * lease is still held; nothing between them waits on I/O (SQLite answers synchronously), so a takeover can only
 * fall between them if the lease expires within those microseconds — a worker renews it at a third of its length.
 */
export function sqliteWorkerQueue(queue: JobQueue, repos: Repos): WorkerQueue {
  const later = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    workerId: queue.workerId,
    leaseMs: queue.leaseMs,
    onEnqueue: (listener) => queue.onEnqueue(listener),
    releaseDeadLocalLeases: () => later(() => queue.releaseDeadLocalLeases()),
    heartbeat: () => later(() => queue.heartbeat()),
    hasDue: (kinds) => later(() => queue.hasDue(kinds)),
    claimNext: (kinds) => later(() => queue.claimNext(kinds)),
    progress: (id, value) => later(() => queue.progress(id, value)),
    finish: async (id, write) => {
      if (!queue.holds(id)) throw new LeaseLostError(id);
      const result = await write(repos);
      if (!queue.complete(id, result)) throw new LeaseLostError(id);
      return result;
    },
    complete: (id, result) => later(() => queue.complete(id, result)),
    fail: (id, error) => later(() => queue.fail(id, error)),
    retryLater: (id, error, delayMs) => later(() => queue.retryLater(id, error, delayMs)),
  };
}
