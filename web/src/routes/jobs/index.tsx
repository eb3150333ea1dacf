import type { JobListItem } from "@dailies/shared";
import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { ServerBanner } from "../../components/ServerBanner";
import { humanize } from "../../lib/format";
import { useAsync } from "../../lib/useAsync";
import { paths } from "../../routes";
import { useLiveEvents } from "../../state/events";
import "../edit/editor.css";

/** "3 min ago" */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** `/jobs`: every job of the workspace, live; failed ones show their error and can be retried when allowed. */
export function JobsPage() {
  const jobs = useAsync(() => api.jobs.list({ limit: 200 }), []);
  const [failure, setFailure] = useState<string | null>(null);

  useLiveEvents((event) => {
    if (event === "resync") return jobs.reload();
    if (!event.type.startsWith("job.")) return;
    const id = event.data.jobId;
    const known = jobs.data?.jobs.some((j) => j.id === id);
    if (!known || event.type !== "job.progress") return jobs.reload();
    const progress = Number(event.data.progress) || 0;
    jobs.setData((d) =>
      d ? { jobs: d.jobs.map((j) => (j.id === id ? { ...j, status: "running", progress } : j)) } : d,
    );
  });

  const retry = async (job: JobListItem) => {
    setFailure(null);
    try {
      const fresh = await api.jobs.retry(job.id);
      jobs.setData((d) => (d ? { jobs: d.jobs.map((j) => (j.id === job.id ? fresh : j)) } : d));
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  if (jobs.error && !jobs.data) return <ErrorMessage error={jobs.error} retry={jobs.reload} />;
  if (!jobs.data) return <Loading label="Loading jobs…" />;
  return (
    <div class="page">
      <ServerBanner />
      <div class="page-head">
        <h1>Jobs</h1>
        <button type="button" class="ghost" onClick={jobs.reload}>
          Refresh
        </button>
      </div>
      {failure && (
        <div class="error-box" role="alert">
          {failure}
        </div>
      )}
      {jobs.data.jobs.length === 0 ? (
        <EmptyState title="No jobs yet">
          <p>Exports, grades, region variants, stories, scene plans, images and mirrors appear here while they run.</p>
        </EmptyState>
      ) : (
        <table class="table jobs-table" data-testid="jobs">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Status</th>
              <th>Progress</th>
              <th>Project</th>
              <th>Started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {jobs.data.jobs.map((job) => (
              <tr key={job.id} data-testid="job-row" data-status={job.status}>
                <td>{humanize(job.kind)}</td>
                <td>
                  <span class={`badge inline${job.status === "failed" ? " badge-failed" : ""}`}>{job.status}</span>
                  {job.error && <div class="error-text small">{job.error}</div>}
                </td>
                <td>
                  <progress max={100} value={Math.round(job.progress * 100)} aria-label={`${job.kind} progress`} />
                </td>
                <td>
                  {job.project_id ? (
                    <a href={paths.project(job.project_id)}>{job.project_name ?? job.project_id}</a>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                <td class="small muted" title={job.created_at}>
                  {age(job.created_at)}
                </td>
                <td>
                  {job.retryable && (
                    <button type="button" onClick={() => retry(job)}>
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
