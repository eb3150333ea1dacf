import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { jobs, projects } from "../db/schema.js";
import { newTimeOrderedId, nowIso } from "../ids.js";
import { insertPendingJobs } from "./batchedJobs.js";

/**
 * The jobs table: new jobs (alone, or inside a unit of work of another area) and reads for views. The queue's
 * claims, leases and outcomes are jobs/queue.ts's (and jobs/pg/pgQueue.ts's on PostgreSQL).
 */

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
  /** ISO time before which the job is not claimed (a scheduled retry). */
  runAfter?: string;
}

/** The row a new job starts as. */
export function newJob(input: EnqueueInput, now = nowIso()): Job {
  return {
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
    leaseOwner: null,
    leaseUntil: null,
  };
}

/**
 * Inserts a pending job in whatever transaction is open on the connection (prepared: every capture with a URL
 * queues one). Nothing wakes a worker here: the caller does once its unit of work committed (JobPort.wake).
 */
export function insertJob(db: Db, input: EnqueueInput): Job {
  const job = newJob(input);
  const client = (db as Partial<DbHandle>).$client;
  // Inside a unit of work `db` is its transaction (no driver handle): plain drizzle, on the same connection.
  if (!client) {
    db.insert(jobs).values(job).run();
    return job;
  }
  insertPendingJobs(db as DbHandle, [job]);
  return job;
}

export function jobById(db: Db, jobId: string): Job | undefined {
  return db.select().from(jobs).where(eq(jobs.id, jobId)).get();
}

/**
 * Newest first, on SQLite: the reverse of the order the jobs were inserted in (rowid), their creation order (jobs
 * that two processes queue within the same milliseconds may swap). No index on created_at: see the schema's jobs.
 */
const newestFirst = sql`${jobs}.rowid desc`;

/** A project's jobs, newest first. */
export function jobsOfProject(db: Db, projectId: string): Job[] {
  return db.select().from(jobs).where(eq(jobs.projectId, projectId)).orderBy(newestFirst).all();
}

/**
 * A workspace's jobs (started in it, or of one of its projects) with their project's name, newest first,
 * optionally of one project and/or status.
 */
export function jobsOfWorkspace(
  db: Db,
  workspaceId: string,
  filter: { projectId?: string | undefined; status?: Job["status"] | undefined; limit: number },
): { job: Job; projectName: string | null }[] {
  const workspaceProjects = db.select({ id: projects.id }).from(projects).where(eq(projects.workspaceId, workspaceId));
  return db
    .select({ job: jobs, projectName: projects.name })
    .from(jobs)
    .leftJoin(projects, eq(projects.id, jobs.projectId))
    .where(
      and(
        or(eq(jobs.workspaceId, workspaceId), inArray(jobs.projectId, workspaceProjects)),
        filter.projectId ? eq(jobs.projectId, filter.projectId) : undefined,
        filter.status ? eq(jobs.status, filter.status) : undefined,
      ),
    )
    .orderBy(newestFirst)
    .limit(filter.limit)
    .all();
}
