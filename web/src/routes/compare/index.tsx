import type { AssetVersion } from "@dailies/shared";
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, errorText } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { NotesPanel } from "../../components/NotesPanel";
import { Video } from "../../components/Video";
import { fpsFromMetadata } from "../../lib/compareSync";
import { formatTime, humanize } from "../../lib/format";
import { promptDiff } from "../../lib/promptDiff";
import { useShortcuts } from "../../lib/shortcuts";
import { isVideo, mediaOf, pictureOf } from "../../lib/takes";
import { useAsync } from "../../lib/useAsync";
import { parseCompareIds, paths } from "../../routes";
import { SyncedPlayer } from "./syncedPlayer";

const RATES = [0.25, 0.5, 1, 1.5, 2];

/** `/compare?v=ID,ID[,ID,ID]`: 2–4 takes side by side (or a wipe for two) under one transport, kept in sync. */
export function ComparePage() {
  const { query } = useLocation();
  const ids = parseCompareIds(query.v);
  const versions = useAsync(() => Promise.all(ids.map((id) => api.assetVersions.get(id))), [ids.join(",")]);
  if (ids.length < 2)
    return (
      <EmptyState title="Pick two to four takes to compare">
        <p>
          On a scene page, focus a take and press <kbd>C</kbd> (or click Compare) on each, then open the compare button.
        </p>
        <a href={paths.projects()}>Go to your projects</a>
      </EmptyState>
    );
  if (versions.error)
    return <ErrorMessage error={versions.error} retry={versions.reload} title="Cannot open compare" />;
  if (!versions.data) return <Loading label="Loading takes…" />;
  return <Compare versions={versions.data} onChanged={versions.reload} />;
}

function Compare({ versions, onChanged }: { versions: AssetVersion[]; onChanged: () => void }) {
  const player = useRef<SyncedPlayer | null>(null);
  if (!player.current) player.current = new SyncedPlayer();
  const p = player.current;
  const [state, setState] = useState(p.snapshot());
  const [mode, setMode] = useState<"side" | "wipe">("side");
  const [wipe, setWipe] = useState(50);
  const [failure, setFailure] = useState<string | null>(null);
  const [notesFor, setNotesFor] = useState<string | null>(null);
  const fps = Math.max(...versions.map((v) => fpsFromMetadata(v.metadata)));
  const canWipe = versions.length === 2;
  const reference = versions[0]?.prompt ?? "";

  useEffect(() => {
    p.fps = fps;
    const stop = p.onChange(() => setState(p.snapshot()));
    (window as unknown as { __dailiesCompare?: SyncedPlayer }).__dailiesCompare = p;
    return () => {
      stop();
      p.dispose();
    };
  }, [p, fps]);

  useShortcuts([
    { keys: [" ", "k"], label: "Space", description: "Play / pause all clips", run: () => p.toggle() },
    { keys: ["ArrowLeft"], label: "←", description: "One frame back (all clips)", run: () => p.step(-1) },
    { keys: ["ArrowRight"], label: "→", description: "One frame forward (all clips)", run: () => p.step(1) },
    { keys: ["l", "L"], label: "L", description: "Loop on/off", run: () => p.setLoop(!p.loop) },
    {
      keys: ["w", "W"],
      label: "W",
      description: "Side by side / wipe (two clips)",
      run: () => canWipe && setMode((m) => (m === "side" ? "wipe" : "side")),
    },
  ]);

  const select = async (v: AssetVersion) => {
    setFailure(null);
    try {
      await api.assetVersions.update(v.id, { selected: true });
      onChanged();
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  const clip = (v: AssetVersion, i: number) => {
    const media = mediaOf(v);
    return isVideo(v) && media ? (
      <Video
        ref={(el: HTMLVideoElement | null) => p.attach(i, el)}
        src={media}
        preload="auto"
        playsInline
        muted={state.audio !== i}
        class="fit"
        data-testid={`compare-video-${i}`}
      />
    ) : (
      <img src={pictureOf(v) ?? media ?? ""} alt={`Take ${i + 1}`} class="fit" />
    );
  };

  return (
    <div class="page compare">
      <div class="page-head">
        <h1>Compare {versions.length} takes</h1>
        <div class="row">
          {canWipe && (
            <fieldset class="row bare" aria-label="Layout">
              <button type="button" aria-pressed={mode === "side"} onClick={() => setMode("side")}>
                Side by side
              </button>
              <button type="button" aria-pressed={mode === "wipe"} onClick={() => setMode("wipe")}>
                Wipe
              </button>
            </fieldset>
          )}
        </div>
      </div>
      {failure && (
        <p class="error-text" role="alert">
          {failure}
        </p>
      )}
      {mode === "wipe" && canWipe ? (
        <div
          class="wipe-stage"
          onPointerMove={(e) => {
            if (e.buttons !== 1) return;
            const box = e.currentTarget.getBoundingClientRect();
            setWipe(Math.round(((e.clientX - box.left) / box.width) * 1000) / 10);
          }}
        >
          <div class="wipe-layer">{clip(versions[0]!, 0)}</div>
          <div class="wipe-layer" style={{ clipPath: `inset(0 0 0 ${wipe}%)` }}>
            {clip(versions[1]!, 1)}
          </div>
          <div class="wipe-line" style={{ left: `${wipe}%` }} aria-hidden="true" />
          <label class="sr-only" for="wipe-pos">
            Split position
          </label>
          <input
            id="wipe-pos"
            class="wipe-range"
            type="range"
            min={0}
            max={100}
            step={0.5}
            value={wipe}
            onInput={(e) => setWipe(Number(e.currentTarget.value))}
          />
        </div>
      ) : (
        <div class={`compare-grid n${versions.length}`}>
          {versions.map((v, i) => (
            <div key={v.id} class="compare-cell">
              <div class="stage">{clip(v, i)}</div>
            </div>
          ))}
        </div>
      )}
      <Transport p={p} state={state} />
      <div class={`compare-grid n${versions.length}`}>
        {versions.map((v, i) => (
          <div key={v.id} class="compare-meta card pad">
            <div class="row">
              <strong>
                {String.fromCharCode(65 + i)} · v{v.versionNumber}
              </strong>
              <span class="pill">{v.platformLabel || v.platformKey}</span>
              {v.modelName && <span class="muted small">{v.modelName}</span>}
              <span class="grow" />
              {isVideo(v) && (
                <button
                  type="button"
                  class="small"
                  aria-pressed={state.audio === i}
                  onClick={() => p.setAudio(state.audio === i ? null : i)}
                  title="Solo this clip's audio"
                >
                  {state.audio === i ? "Audio on" : "Solo"}
                </button>
              )}
            </div>
            <p class="prompt prompt-open diff">
              {i === 0
                ? v.prompt
                : promptDiff(reference, v.prompt).map((part, j) =>
                    part.kind === "same" ? (
                      <span key={j}>{part.text}</span>
                    ) : part.kind === "added" ? (
                      <ins key={j}>{part.text}</ins>
                    ) : (
                      <del key={j}>{part.text}</del>
                    ),
                  )}
            </p>
            <div class="row">
              <button
                type="button"
                class={v.selected ? "" : "primary"}
                onClick={() => select(v)}
                disabled={v.selected}
                data-testid={`compare-select-${i}`}
              >
                {v.selected ? "Selected take" : "Select this take"}
              </button>
              <a href={paths.version(v.id)}>Open</a>
              <button type="button" class="ghost small" onClick={() => setNotesFor(notesFor === v.id ? null : v.id)}>
                Notes
              </button>
            </div>
            {notesFor === v.id && (
              <NotesPanel
                versionId={v.id}
                currentTime={() => (isVideo(v) ? p.time : null)}
                onSeek={(t) => {
                  p.pause();
                  p.seek(t);
                }}
              />
            )}
          </div>
        ))}
      </div>
    </div>
  );
}

function Transport({ p, state }: { p: SyncedPlayer; state: ReturnType<SyncedPlayer["snapshot"]> }) {
  return (
    <fieldset class="transport card" aria-label="Transport">
      <button type="button" class="primary" onClick={() => p.toggle()} data-testid="compare-play">
        {state.playing ? "Pause" : "Play"}
      </button>
      <button type="button" onClick={() => p.step(-1)} aria-label="One frame back">
        ◀︎|
      </button>
      <button type="button" onClick={() => p.step(1)} aria-label="One frame forward">
        |▶︎
      </button>
      <label for="compare-seek" class="sr-only">
        Position
      </label>
      <input
        id="compare-seek"
        class="grow"
        type="range"
        min={0}
        max={state.duration || 0}
        step={0.001}
        value={state.time}
        onInput={(e) => p.seek(Number(e.currentTarget.value))}
      />
      <span class="small muted time-readout">
        {formatTime(state.time)} / {formatTime(state.duration)} · {state.fps.toFixed(2).replace(/\.00$/, "")} fps
      </span>
      <label for="compare-rate" class="sr-only">
        Playback rate
      </label>
      <select id="compare-rate" value={String(state.rate)} onChange={(e) => p.setRate(Number(e.currentTarget.value))}>
        {RATES.map((r) => (
          <option key={r} value={String(r)}>
            {r}×
          </option>
        ))}
      </select>
      <button type="button" aria-pressed={state.loop} onClick={() => p.setLoop(!state.loop)}>
        Loop
      </button>
      <button type="button" aria-pressed={state.audio === null} onClick={() => p.setAudio(null)}>
        {humanize("mute")}
      </button>
    </fieldset>
  );
}
