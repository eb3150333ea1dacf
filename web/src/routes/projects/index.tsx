import { PROJECT_STATUSES, type Project, type ProjectStatus } from "@dailies/shared";
import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { ConfirmButton } from "../../components/ConfirmButton";
import { EmptyState } from "../../components/EmptyState";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { formatDate, humanize } from "../../lib/format";
import { useAsync } from "../../lib/useAsync";
import { paths } from "../../routes";

/** `/`: the workspace's projects; create, rename, change status, delete. */
export function ProjectsPage() {
  const list = useAsync(() => api.projects.list(), []);
  const [name, setName] = useState("");
  const [failure, setFailure] = useState<string | null>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setFailure(null);
    try {
      await fn();
      list.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  const create = (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    void act(async () => {
      await api.projects.create({ name: trimmed });
      setName("");
    });
  };

  return (
    <div class="page">
      <div class="page-head">
        <h1>Projects</h1>
        <form class="inline-form" onSubmit={create}>
          <label class="sr-only" for="new-project">
            New project name
          </label>
          <input
            id="new-project"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="New project name"
            maxLength={200}
          />
          <button type="submit" class="primary" disabled={!name.trim()}>
            Create project
          </button>
        </form>
      </div>
      {failure && (
        <p class="error-text" role="alert">
          {failure}
        </p>
      )}
      {list.error ? (
        <ErrorMessage error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>A project holds the scenes of one film and every take captured for them.</p>
          <ol>
            <li>Create a project above (or with `pnpm dailies project create`).</li>
            <li>Install the Dailies extension and point it at this server.</li>
            <li>Generate on Sora, Runway, Kling, Veo…: each take is captured into the project's scenes.</li>
          </ol>
        </EmptyState>
      ) : (
        <ul class="project-list">
          {list.data.projects.map((p) => (
            <ProjectRow
              key={p.id}
              project={p}
              onRename={(n) => act(() => api.projects.update(p.id, { name: n }))}
              onStatus={(s) => act(() => api.projects.update(p.id, { status: s }))}
              onDelete={() => act(() => api.projects.delete(p.id))}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function ProjectRow({
  project,
  onRename,
  onStatus,
  onDelete,
}: {
  project: Project;
  onRename: (name: string) => Promise<void>;
  onStatus: (status: ProjectStatus) => Promise<void>;
  onDelete: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(project.name);
  return (
    <li class="project-row card">
      <div class="grow">
        {editing ? (
          <form
            class="inline-form"
            onSubmit={async (e) => {
              e.preventDefault();
              await onRename(name);
              setEditing(false);
            }}
          >
            <label class="sr-only" for={`rename-${project.id}`}>
              Project name
            </label>
            <input
              id={`rename-${project.id}`}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              maxLength={200}
              // biome-ignore lint/a11y/noAutofocus: the user just asked to rename
              autoFocus
            />
            <button type="submit" class="primary">
              Save
            </button>
            <button type="button" class="ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <a class="project-name" href={paths.project(project.id)}>
            {project.name}
          </a>
        )}
        <div class="muted small">
          {project.scene_count} {project.scene_count === 1 ? "scene" : "scenes"} · updated{" "}
          {formatDate(project.updated_at)}
        </div>
      </div>
      <label class="sr-only" for={`status-${project.id}`}>
        Status of {project.name}
      </label>
      <select
        id={`status-${project.id}`}
        value={project.status}
        onChange={(e) => onStatus(e.currentTarget.value as ProjectStatus)}
      >
        {PROJECT_STATUSES.map((s) => (
          <option key={s} value={s}>
            {humanize(s)}
          </option>
        ))}
      </select>
      {!editing && (
        <button type="button" class="ghost" onClick={() => setEditing(true)}>
          Rename
        </button>
      )}
      <ConfirmButton label="Delete" confirmLabel={`Delete “${project.name}” and its takes`} onConfirm={onDelete} />
    </li>
  );
}
