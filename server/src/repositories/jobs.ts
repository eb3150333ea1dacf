import { desc, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { jobs } from "../db/schema.js";
import type { Job } from "../ports/jobs.js";

/**
 * Reads of the jobs table for views (the queue's own statements, all prepared, stay in jobs/queue.ts, which
 * owns the table's writes).
 */

export function jobById(db: Db, jobId: string): Job | undefined {
  return db.select().from(jobs).where(eq(jobs.id, jobId)).get();
}

/** A project's jobs, newest first. */
export function jobsOfProject(db: Db, projectId: string): Job[] {
  return db.select().from(jobs).where(eq(jobs.projectId, projectId)).orderBy(desc(jobs.createdAt)).all();
}
