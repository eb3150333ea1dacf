import type { BoundingBox, PreviewFrame, ProjectDetails, Segment } from "@dailies/shared";
import { DailiesApiError } from "@dailies/shared/client";
import { useEffect, useMemo, useReducer, useRef, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { ServerBanner } from "../../components/ServerBanner";
import { formatTime } from "../../lib/format";
import { buildSchedule } from "../../lib/playbackSchedule";
import { boxToRect, containRect, dragToBox } from "../../lib/regionBox";
import { isTyping, useShortcuts } from "../../lib/shortcuts";
import { fitZoom, layoutSegments, locate, stripFps } from "../../lib/timelineLayout";
import { snapshotOf, UndoStack } from "../../lib/undoStack";
import { useAsync } from "../../lib/useAsync";
import { paths } from "../../routes";
import { useLiveEvents } from "../../state/events";
import { CutPlayer } from "./cutPlayer";
import { ExportPanel } from "./ExportPanel";
import { GradePanel } from "./GradePanel";
import { MediaPanel } from "./MediaPanel";
import { RegionPanel } from "./RegionPanel";
import { Timeline } from "./Timeline";
import "./editor.css";

const INACTIVE_TEXT =
  "That segment is no longer on the timeline (it was split, graded, replaced or deleted, maybe in another tab). " +
  "The timeline was reloaded; try again on what you see now.";

/** `/p/:projectId/edit`: viewer, filmstrip timeline, cut/grade/regenerate/export, undo/redo. */
export function EditPage({ projectId }: { projectId: string }) {
  const project = useAsync(() => api.projects.get(projectId), [projectId]);
  if (project.error)
    return <ErrorMessage error={project.error} retry={project.reload} title="Cannot open the editor" />;
  if (!project.data) return <Loading label="Loading the cut…" />;
  return <Editor project={project.data} setProject={(p) => project.setData(() => p)} reload={project.reload} />;
}

function Editor(props: { project: ProjectDetails; setProject: (p: ProjectDetails) => void; reload: () => void }) {
  const { project } = props;
  const [zoom, setZoom] = useState<number | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: "error" | "info"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [drawing, setDrawing] = useState(false);
  const [box, setBox] = useState<BoundingBox | null>(null);
  const [tool, setTool] = useState<"media" | "grade" | "region" | "export">("media");
  const [frames, setFrames] = useState<{ list: PreviewFrame[]; fps: number }>({ list: [], fps: 0 });
  const [fallbackFrame, setFallbackFrame] = useState<string | null>(null);
  const stack = useRef(new UndoStack()).current;
  const player = useRef(new CutPlayer()).current;
  const [, rerender] = useReducer((n: number, _: unknown) => n + 1, 0);
  const projectRef = useRef(project);
  projectRef.current = project;
  const timelineBox = useRef<HTMLDivElement>(null);

  const segments = project.segments;
  const pps = zoom ?? fitZoom(project.duration, (timelineBox.current?.clientWidth ?? 1100) - 48);
  const layout = useMemo(() => layoutSegments(segments, pps), [segments, pps]);
  const schedule = useMemo(() => buildSchedule(segments), [segments]);

  useEffect(() => player.subscribe(() => rerender(undefined)), []);
  useEffect(() => () => player.destroy(), []);
  useEffect(() => player.setSchedule(schedule), [schedule]);

  // The filmstrip for the whole cut at this zoom (≤ 200 frames); the timeline paints before it arrives.
  const stripKey = segments.map((s) => `${s.id}:${s.start_ts}:${s.end_ts}`).join("|");
  useEffect(() => {
    if (project.duration <= 0) return setFrames({ list: [], fps: 0 });
    const fps = stripFps(project.duration, pps);
    let live = true;
    const timer = setTimeout(() => {
      api.projects.previewStrip(project.id, { start: 0, end: project.duration, fps }).then(
        (r) => live && setFrames({ list: r.frames, fps }),
        () => {},
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [stripKey, Math.round(pps)]);

  // A source the browser cannot decode: show the server's frame at the playhead instead.
  useEffect(() => {
    if (!player.unplayable || project.duration <= 0) return setFallbackFrame(null);
    const timer = setTimeout(() => {
      api.projects.previewFrame(project.id, { ts: Math.min(player.time, project.duration) }).then(
        (f) => setFallbackFrame(f.frame_url),
        () => {},
      );
    }, 120);
    return () => clearTimeout(timer);
  }, [player.unplayable, Math.round(player.time * 10)]);

  // Another tab or user changed this project's timeline (a job finished): refetch.
  useLiveEvents((event) => {
    if (event === "resync") return void refresh();
    if (event.projectId === project.id && (event.type === "job.completed" || event.type === "export.completed"))
      if (event.data.kind === "import-video") void refresh();
  });

  async function refresh(): Promise<ProjectDetails> {
    const fresh = await api.projects.get(project.id);
    props.setProject(fresh);
    return fresh;
  }

  /** Runs one edit and records it for undo; an inactive segment (409) reloads and says so. */
  async function edit(label: string, run: () => Promise<unknown>): Promise<boolean> {
    const before = snapshotOf(projectRef.current.segments);
    setBusy(true);
    setNotice(null);
    try {
      await run();
      const fresh = await refresh();
      stack.push({ label, before, after: snapshotOf(fresh.segments) });
      return true;
    } catch (err) {
      if (err instanceof DailiesApiError && err.status === 409) {
        setNotice({ kind: "error", text: `${label}: ${INACTIVE_TEXT}` });
        await refresh().catch(() => {});
      } else setNotice({ kind: "error", text: `${label}: ${errorText(err)}` });
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function undoRedo(which: "undo" | "redo") {
    const op = which === "undo" ? stack.peekUndo() : stack.peekRedo();
    if (!op || busy) return;
    setBusy(true);
    try {
      const res = await api.projects.restoreTimeline(project.id, { segments: op.segments, expected: op.expected });
      if (which === "undo") stack.commitUndo();
      else stack.commitRedo();
      props.setProject({ ...projectRef.current, segments: res.segments, duration: res.duration });
      setNotice({ kind: "info", text: `${which === "undo" ? "Undid" : "Redid"}: ${op.label}` });
    } catch (err) {
      if (err instanceof DailiesApiError && err.status === 409) {
        stack.clear();
        setNotice({
          kind: "error",
          text: "The timeline was changed elsewhere since that edit, so it cannot be undone here. Reloaded.",
        });
        await refresh().catch(() => {});
      } else setNotice({ kind: "error", text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  const here = locate(layout, player.time);
  const selected = segments.find((s) => s.id === selectedId) ?? here?.item.segment ?? null;

  const split = () => {
    const at = locate(layout, player.time);
    if (!at) return;
    void edit("Split", () => api.segments.split(at.item.segment.id, { split_ts: round3(at.sourceTime) }));
  };
  const remove = () => {
    if (!selected) return;
    void edit("Delete", () => api.segments.delete(selected.id)).then((ok) => ok && setSelectedId(null));
  };

  useShortcuts([
    { keys: [" "], label: "Space", description: "Play / pause the cut", run: () => player.toggle() },
    { keys: ["s", "S"], label: "S", description: "Split at the playhead", run: split },
    { keys: ["Delete", "Backspace"], label: "Del", description: "Delete the selected segment", run: remove },
    { keys: ["+", "="], label: "+", description: "Zoom in", run: () => setZoom(pps * 1.5) },
    { keys: ["-"], label: "−", description: "Zoom out", run: () => setZoom(pps / 1.5) },
    { keys: ["ArrowLeft"], label: "←", description: "Back 1/25 s", run: () => player.seek(player.time - 0.04) },
    { keys: ["ArrowRight"], label: "→", description: "Forward 1/25 s", run: () => player.seek(player.time + 0.04) },
  ]);
  // Ctrl+Z / Ctrl+Shift+Z (useShortcuts leaves modified keys alone).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "z" || isTyping(e.target)) return;
      e.preventDefault();
      void undoRedoRef.current(e.shiftKey ? "redo" : "undo");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const undoRedoRef = useRef(undoRedo);
  undoRedoRef.current = undoRedo;

  const gradeAt = selected && here?.item.segment.id === selected.id ? here.sourceTime : selected ? mid(selected) : 0;

  return (
    <div class="page editor">
      <ServerBanner />
      <div class="crumbs">
        <a href={paths.projects()}>Projects</a> / <a href={paths.project(project.id)}>{project.name}</a> /
      </div>
      <div class="page-head">
        <h1>Edit</h1>
        <div class="row">
          <button type="button" onClick={() => undoRedo("undo")} disabled={!stack.canUndo || busy} title="Ctrl+Z">
            Undo{stack.nextUndo ? ` ${stack.nextUndo.toLowerCase()}` : ""}
          </button>
          <button type="button" onClick={() => undoRedo("redo")} disabled={!stack.canRedo || busy} title="Ctrl+Shift+Z">
            Redo
          </button>
        </div>
      </div>
      {notice && (
        <div
          class={notice.kind === "error" ? "error-box" : "notice"}
          role={notice.kind === "error" ? "alert" : "status"}
        >
          {notice.text}
        </div>
      )}
      <div class="ed-main">
        <div class="ed-viewer-col">
          <Viewer
            player={player}
            drawing={drawing}
            box={box}
            fallbackFrame={fallbackFrame}
            onBox={(b) => {
              setBox(b);
              setDrawing(false);
            }}
          />
          <div class="ed-transport">
            <button type="button" onClick={() => player.toggle()} disabled={segments.length === 0}>
              {player.playing ? "Pause" : "Play"}
            </button>
            <span class="time" data-testid="timecode">
              {formatTime(player.time)} / {formatTime(project.duration)}
            </span>
            <button type="button" class="ghost" onClick={split} disabled={busy || segments.length === 0}>
              Split (S)
            </button>
            <button type="button" class="ghost" onClick={remove} disabled={busy || !selected}>
              Delete (Del)
            </button>
            <span class="grow" />
            <label class="small">
              Zoom
              <input
                type="range"
                min={2}
                max={400}
                value={pps}
                onInput={(e) => setZoom(Number(e.currentTarget.value))}
              />
            </label>
            <button type="button" class="ghost" onClick={() => setZoom(null)}>
              Fit
            </button>
          </div>
        </div>
        <aside class="ed-tools">
          <div class="ed-tabs" role="tablist">
            {(["media", "grade", "region", "export"] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={tool === t}
                class={tool === t ? "primary" : "ghost"}
                onClick={() => setTool(t)}
              >
                {{ media: "Add media", grade: "Grade", region: "Regenerate", export: "Export" }[t]}
              </button>
            ))}
          </div>
          {tool === "media" && <MediaPanel project={project} edit={edit} />}
          {tool === "grade" &&
            (selected ? (
              <GradePanel key={selected.id} projectId={project.id} segment={selected} at={gradeAt} edit={edit} />
            ) : (
              <p class="muted pad">Select a segment on the timeline to grade it.</p>
            ))}
          {tool === "region" && (
            <RegionPanel
              projectId={project.id}
              box={box}
              drawing={drawing}
              onDraw={setDrawing}
              time={player.time}
              duration={project.duration}
              edit={edit}
            />
          )}
          {tool === "export" && <ExportPanel projectId={project.id} empty={segments.length === 0} />}
        </aside>
      </div>
      <div class="ed-timeline" ref={timelineBox}>
        {segments.length === 0 ? (
          <EmptyState title="The timeline is empty">
            <p>Upload video files with “Add media”, add takes from the project's scenes, or assemble the cut.</p>
          </EmptyState>
        ) : (
          <Timeline
            layout={layout}
            frames={frames.list}
            stripFps={frames.fps}
            time={player.time}
            selectedId={selected?.id ?? null}
            onSeek={(t) => player.seek(t)}
            onSelect={setSelectedId}
            onTrim={(s: Segment, times) => void edit("Trim", () => api.segments.trim(s.id, times))}
            onReorder={(ids) =>
              void edit("Reorder", () => api.projects.reorderSegments(project.id, { segment_ids: ids }))
            }
          />
        )}
        <p class="small muted">
          {segments.length} segments · {formatTime(project.duration)} · drag an edge to trim, a segment to move it ·
          graded and generated segments are marked
        </p>
      </div>
    </div>
  );
}

/** The video of the cut, with the region drawing overlay (a drag draws a box in fractions of the picture). */
function Viewer(props: {
  player: CutPlayer;
  drawing: boolean;
  box: BoundingBox | null;
  fallbackFrame: string | null;
  onBox: (b: BoundingBox) => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const overlay = useRef<HTMLDivElement>(null);
  const [dragFrom, setDragFrom] = useState<{ x: number; y: number } | null>(null);
  const [dragTo, setDragTo] = useState<{ x: number; y: number } | null>(null);
  useEffect(() => props.player.attach(video.current), [video.current]);

  const content = () => {
    const el = overlay.current;
    const v = video.current;
    return containRect(el?.clientWidth ?? 0, el?.clientHeight ?? 0, v?.videoWidth ?? 16, v?.videoHeight ?? 9);
  };
  const pos = (e: PointerEvent) => {
    const r = overlay.current?.getBoundingClientRect();
    return { x: e.clientX - (r?.left ?? 0), y: e.clientY - (r?.top ?? 0) };
  };
  const live = dragFrom && dragTo ? dragToBox(dragFrom, dragTo, content(), 0) : null;
  const shown = live ?? props.box;
  const rect = shown ? boxToRect(shown, content()) : null;

  return (
    <div class="ed-viewer">
      <video ref={video} playsInline muted={false} data-testid="viewer" />
      {props.player.unplayable && props.fallbackFrame && (
        <img class="ed-fallback" src={props.fallbackFrame} alt="Frame at the playhead" />
      )}
      <div
        ref={overlay}
        class={`ed-overlay${props.drawing ? " ed-drawing" : ""}`}
        data-testid="viewer-overlay"
        onPointerDown={(e) => {
          if (!props.drawing) return;
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
          setDragFrom(pos(e));
          setDragTo(pos(e));
        }}
        onPointerMove={(e) => dragFrom && setDragTo(pos(e))}
        onPointerUp={(e) => {
          if (!dragFrom) return;
          const b = dragToBox(dragFrom, pos(e), content());
          setDragFrom(null);
          setDragTo(null);
          if (b) props.onBox(b);
        }}
      >
        {rect && (
          <div
            class="ed-box"
            style={{ left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px` }}
          />
        )}
      </div>
    </div>
  );
}

const round3 = (t: number) => Math.round(t * 1000) / 1000;
const mid = (s: Segment) => (s.start_ts + s.end_ts) / 2;
