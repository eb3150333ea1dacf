import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ProgressBar } from "../../components/ProgressBar";
import { formatDate, formatDuration } from "../../lib/format";
import { useJobFollow } from "../../lib/jobFollow";
import { useAsync } from "../../lib/useAsync";

export const formatBytes = (n: number | null) =>
  n === null ? "—" : n < 1024 * 1024 ? `${Math.round(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;

/** One export button, its progress from the event stream, the result inline, and the earlier exports. */
export function ExportPanel({ projectId, empty }: { projectId: string; empty: boolean }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useAsync(() => api.projects.exports(projectId), [projectId]);
  const job = useJobFollow(jobId, async (id) => {
    const s = await api.exports.get(id);
    if (s.status === "completed" || s.status === "failed") list.reload();
    return { status: s.status, progress: s.progress, error: s.error, data: s };
  });

  const start = async () => {
    setError(null);
    try {
      setJobId((await api.exports.start({ project_id: projectId, format: "mp4" })).export_job_id);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const running = job && job.status !== "completed" && job.status !== "failed";
  const done = job?.status === "completed" ? job.data : null;
  return (
    <section class="ed-panel" aria-labelledby="export-h">
      <h2 id="export-h">Export</h2>
      <button type="button" class="primary" onClick={start} disabled={!!running || empty}>
        Export the film (MP4)
      </button>
      {error && <p class="error-text small">{error}</p>}
      {running && <ProgressBar value={job.progress} label="Exporting" />}
      {job?.status === "failed" && <p class="error-text small">Export failed: {job.error}</p>}
      {done?.export_url && (
        <div class="export-done" data-testid="export-done">
          <video src={done.export_url} controls class="export-video">
            <track kind="captions" />
          </video>
          <p class="small">
            {formatDuration(done.duration)} · rendered {done.rendered_parts ?? 0} part(s), reused{" "}
            {done.reused_parts ?? 0} from earlier exports ·{" "}
            <a href={done.download_url ?? done.export_url} data-testid="export-download">
              Download
            </a>
          </p>
        </div>
      )}
      <h3>Earlier exports</h3>
      {list.data?.exports.length === 0 && <p class="small muted">None yet.</p>}
      <table class="table small" data-testid="export-list">
        <tbody>
          {list.data?.exports.map((e) => (
            <tr key={e.export_job_id}>
              <td>{formatDate(e.created_at)}</td>
              <td>{e.status === "completed" ? formatDuration(e.duration) : e.status}</td>
              <td>{formatBytes(e.bytes)}</td>
              <td>{e.rendered_parts !== null && `${e.rendered_parts} rendered / ${e.reused_parts ?? 0} reused`}</td>
              <td>{e.download_url && <a href={e.download_url}>Download</a>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
