import { type JobListItem, RETRYABLE_JOB_KINDS } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { conflict } from "../errors.js";
import type { Job } from "../ports/jobs.js";
import { requireJob } from "./sessions.js";

const retryableKinds: ReadonlySet<string> = new Set(RETRYABLE_JOB_KINDS);

export function isRetryable(job: Pick<Job, "kind" | "status">): boolean {
  return job.status === "failed" && retryableKinds.has(job.kind);
}

/** Every job of the caller's workspace (its own, or of a project in it), newest first. */
export async function listJobs(
  deps: AppDeps,
  auth: AuthContext,
  q: { project_id?: string | undefined; status?: Job["status"] | undefined; limit: number },
): Promise<JobListItem[]> {
  const rows = await deps.repos.jobs.jobsOfWorkspace(auth.workspaceId, {
    projectId: q.project_id,
    status: q.status,
    limit: q.limit,
  });
  return rows.map(({ job, projectName }) => jobListItem(job, projectName));
}

function jobListItem(job: Job, projectName: string | null): JobListItem {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    error: job.error,
    attempts: job.attempts,
    project_id: job.projectId,
    project_name: projectName ?? null,
    retryable: isRetryable(job),
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    finished_at: job.finishedAt,
  };
}

/** Runs a failed job of a retryable kind again (409 otherwise). */
export async function retryJob(deps: AppDeps, auth: AuthContext, jobId: string): Promise<JobListItem> {
  const job = await requireJob(deps.repos, auth, jobId);
  if (!isRetryable(job))
    throw conflict(
      job.status !== "failed"
        ? `Only a failed job can be retried (this one is ${job.status})`
        : `A ${job.kind} job cannot be retried; start it again from its page`,
      { kind: job.kind, status: job.status, retryable_kinds: [...RETRYABLE_JOB_KINDS] },
    );
  const fresh = await deps.jobs.requeue(job.id);
  if (!fresh) throw conflict("The job is no longer failed", { status: (await deps.jobs.get(job.id))?.status });
  const project = fresh.projectId ? await deps.repos.projects.projectById(fresh.projectId) : undefined;
  return jobListItem(fresh, project?.name ?? null);
}
