import { and, desc, eq, inArray, or } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { jobs, projects } from "../db/schema.js";

type Job = typeof jobs.$inferSelect;

/**
 * Reads of the jobs table for views (the queue's own statements, all prepared, stay in jobs/queue.ts, which
 * owns the table's writes).
 */

export function jobById(db: Db, jobId: string): Job | undefined {
  return db.select().from(jobs).where(eq(jobs.id, jobId)).get();
}

/** A project's jobs, newest first (same millisecond: larger id first, the order of the jobs_created index). */
export function jobsOfProject(db: Db, projectId: string): Job[] {
  return db.select().from(jobs).where(eq(jobs.projectId, projectId)).orderBy(desc(jobs.createdAt), desc(jobs.id)).all();
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
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(filter.limit)
    .all();
}
