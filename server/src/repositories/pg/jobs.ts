// The jobs table on PostgreSQL (issue 15): the functions of ../jobs.ts, same results. The queue's claims and
// leases are jobs/pg/pgQueue.ts's. Every insert into jobs wakes the workers of every process on commit: the
// table's trigger NOTIFYs the kind (migration 0005_job_wake), whoever inserts (a unit of work, the queue, migrate-to).
import { and, desc, eq, inArray, or } from "drizzle-orm";
import type { PgDb } from "../../db/pg/client.js";
import { jobs, projects } from "../../db/pg/schema.js";
import { type EnqueueInput, type Job, newJob } from "../jobs.js";
import type { PgConn } from "./conn.js";

export async function jobById(db: PgDb, jobId: string): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  return row;
}

/** A project's jobs, newest first (jobs created in the same millisecond: the larger id first, as SQLite's index). */
export async function jobsOfProject(db: PgDb, projectId: string): Promise<Job[]> {
  return db.select().from(jobs).where(eq(jobs.projectId, projectId)).orderBy(desc(jobs.createdAt), desc(jobs.id));
}

/**
 * A workspace's jobs (started in it, or of one of its projects) with their project's name, newest first,
 * optionally of one project and/or status.
 */
export async function jobsOfWorkspace(
  db: PgDb,
  workspaceId: string,
  filter: { projectId?: string | undefined; status?: Job["status"] | undefined; limit: number },
): Promise<{ job: Job; projectName: string | null }[]> {
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
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(filter.limit);
}

/** Inserts a pending job in the caller's transaction (or on its own). */
export async function insertJob(db: PgConn, input: EnqueueInput): Promise<Job> {
  const job = newJob(input);
  await db.insert(jobs).values(job);
  return job;
}
