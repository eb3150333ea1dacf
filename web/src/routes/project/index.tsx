import type { Session } from "@dailies/shared";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorText, isNotFound } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { formatDuration, humanize } from "../../lib/format";
import { rememberProjectName } from "../../lib/projectName";
import { useAsync } from "../../lib/useAsync";
import { paths } from "../../routes";
import { useLiveEvents } from "../../state/events";
import { SceneForm } from "./SceneForm";
import { StoryPanel } from "./StoryPanel";

type Scene = Session["scenes"][number];
type Summary = Awaited<ReturnType<typeof api.assetVersions.sceneSummaries>>["scenes"][number];

/** `/p/:projectId`: scenes grouped by act (with their takes' counts and selected thumbnails), characters, story. */
export function ProjectPage({ projectId }: { projectId: string }) {
  const data = useAsync(async () => {
    const [session, summaries] = await Promise.all([
      api.sessions.get(projectId),
      api.assetVersions.sceneSummaries(projectId),
    ]);
    return { session, summaries: new Map(summaries.scenes.map((s) => [s.sceneDbId, s])) };
  }, [projectId]);
  const [adding, setAdding] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  // A burst of captures (a night of renders) refetches once, not once per take.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);
  useLiveEvents((e) => {
    if (e !== "resync" && (e.projectId !== projectId || !e.type.startsWith("asset."))) return;
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      data.reload();
    }, 300);
  });

  if (data.error)
    return isNotFound(data.error) ? (
      <EmptyState title="Project not found">
        <p>It was deleted, or it belongs to a workspace you are not in.</p>
        <a href={paths.projects()}>Back to projects</a>
      </EmptyState>
    ) : (
      <ErrorMessage error={data.error} retry={data.reload} />
    );
  if (!data.data) return <Loading />;
  const { session, summaries } = data.data;
  rememberProjectName(projectId, session.name);
  const acts = groupByAct(session.scenes);

  const createScene = async (values: SceneValues) => {
    setFailure(null);
    try {
      await api.projects.createScene(projectId, values as Parameters<typeof api.projects.createScene>[1]);
      setAdding(false);
      data.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  return (
    <div class="page">
      <div class="crumbs">
        <a href={paths.projects()}>Projects</a> /
      </div>
      <div class="page-head">
        <div>
          <h1>{session.name}</h1>
          <div class="muted small">
            {humanize(session.status)}
            {session.genre ? ` · ${session.genre}` : ""} · {session.scenes.length} scenes
          </div>
        </div>
        <a class="button-link" href={paths.plan(projectId)}>
          Plan
        </a>
        <a class="button-link" href={paths.edit(projectId)}>
          Edit the cut
        </a>
        <button type="button" class="primary" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
          New scene
        </button>
      </div>
      {failure && (
        <p class="error-text" role="alert">
          {failure}
        </p>
      )}
      {adding && <SceneForm submitLabel="Create scene" onSubmit={createScene} onCancel={() => setAdding(false)} />}
      {session.scenes.length === 0 ? (
        <EmptyState title="No scenes yet">
          <p>Scenes are where captured takes land. Create one above (a code such as 001), or:</p>
          <ol>
            <li>
              Import a scene list: <code>pnpm dailies scenes import --project "{session.name}" scenes.csv</code>
            </li>
            <li>Or let the pipeline plan them from a story (POST /api/claude/stories, then scene-planning).</li>
            <li>Then capture generations with the extension: they appear here live.</li>
          </ol>
        </EmptyState>
      ) : (
        acts.map(([act, scenes]) => (
          <section key={String(act)} class="act">
            <h2>{act === null ? "Scenes without an act" : `Act ${act}`}</h2>
            <div class="scene-grid">
              {scenes.map((s) => (
                <SceneCard
                  key={s.id}
                  projectId={projectId}
                  scene={s}
                  summary={summaries.get(s.id)}
                  onChanged={data.reload}
                />
              ))}
            </div>
          </section>
        ))
      )}
      <section>
        <h2>Characters</h2>
        {session.characters.length === 0 ? (
          <p class="muted">No characters yet. The story pipeline creates them, or POST /api/project/:id/characters.</p>
        ) : (
          <ul class="chips">
            {session.characters.map((c) => (
              <li key={c.id} class="chip" title={c.description ?? ""}>
                <strong>{c.name}</strong>
                {c.role ? <span class="muted"> · {c.role}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <StoryPanel story={session.story} scenePlan={session.scenePlan} />
    </div>
  );
}

export type SceneValues = {
  sceneId: string;
  title: string | null;
  act: number | null;
  storyBeat: string | null;
  macroScene: string | null;
  durationSec: number | null;
};

function groupByAct(scenes: Scene[]): [number | null, Scene[]][] {
  const map = new Map<number | null, Scene[]>();
  for (const s of scenes) map.set(s.act, [...(map.get(s.act) ?? []), s]);
  return [...map.entries()].sort(([a], [b]) => (a ?? 1e9) - (b ?? 1e9));
}

function SceneCard({
  projectId,
  scene,
  summary,
  onChanged,
}: {
  projectId: string;
  scene: Scene;
  summary: Summary | undefined;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [shotCode, setShotCode] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const thumb = summary?.selected.find((s) => s.thumbnailUrl)?.thumbnailUrl ?? null;
  const counts = Object.entries(summary?.versionCounts ?? {});
  const run = async (fn: () => Promise<unknown>) => {
    setFailure(null);
    try {
      await fn();
      onChanged();
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  return (
    <article class="card scene-card" data-testid={`scene-${scene.sceneId}`}>
      <a class="scene-thumb" href={paths.scene(projectId, scene.sceneId)} aria-label={`Open scene ${scene.sceneId}`}>
        {thumb ? <img src={thumb} alt="" loading="lazy" /> : <span class="muted small">No selected take</span>}
      </a>
      <div class="scene-body">
        <div class="row">
          <a class="scene-code" href={paths.scene(projectId, scene.sceneId)}>
            {scene.sceneId}
          </a>
          <span class="grow">{scene.title ?? ""}</span>
          <span class="muted small">{formatDuration(scene.durationSec)}</span>
        </div>
        {scene.storyBeat && <p class="beat">{scene.storyBeat}</p>}
        {scene.macroScene && <p class="muted small">Macro scene: {scene.macroScene}</p>}
        <div class="row small muted">
          {counts.length === 0
            ? "No takes yet"
            : counts.map(([type, n]) => (
                <span key={type} class="pill">
                  {n} {humanize(type)}
                </span>
              ))}
        </div>
        {scene.shots.length > 0 && (
          <div class="row small">
            Shots:{" "}
            {scene.shots.map((s) => (
              <span key={s.id} class="pill" title={s.description ?? ""}>
                {s.shotCode}
              </span>
            ))}
          </div>
        )}
        {failure && (
          <p class="error-text small" role="alert">
            {failure}
          </p>
        )}
        {editing ? (
          <>
            <SceneForm
              initial={scene}
              submitLabel="Save"
              onCancel={() => setEditing(false)}
              onSubmit={(v) =>
                run(async () => {
                  const { sceneId: _code, ...patch } = v;
                  await api.scenes.update(scene.id, patch);
                  setEditing(false);
                })
              }
            />
            <form
              class="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (shotCode.trim())
                  void run(async () => {
                    await api.scenes.createShot(scene.id, { shotCode: shotCode.trim() });
                    setShotCode("");
                  });
              }}
            >
              <label class="sr-only" for={`shot-${scene.id}`}>
                New shot code
              </label>
              <input
                id={`shot-${scene.id}`}
                value={shotCode}
                onInput={(e) => setShotCode(e.currentTarget.value)}
                placeholder="Shot code (e.g. A)"
                maxLength={32}
              />
              <button type="submit" disabled={!shotCode.trim()}>
                Add shot
              </button>
            </form>
          </>
        ) : (
          <button type="button" class="ghost small" onClick={() => setEditing(true)}>
            Edit scene
          </button>
        )}
      </div>
    </article>
  );
}
