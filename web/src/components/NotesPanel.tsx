import type { Note } from "@dailies/shared";
import { useState } from "preact/hooks";
import { api, errorText } from "../api";
import { formatDate, formatTime } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { useLiveEvents } from "../state/events";
import { sessionStore } from "../state/session";
import { useStore } from "../state/store";

/**
 * Review notes of one take, pinned to a time of the video (or to the image). Clicking a note seeks there.
 * `currentTime` gives the player's time for a new note (null for an image).
 */
export function NotesPanel({
  versionId,
  currentTime,
  onSeek,
}: {
  versionId: string;
  currentTime: () => number | null;
  onSeek?: (t: number) => void;
}) {
  const notes = useAsync(() => api.assetVersions.notes.list(versionId), [versionId]);
  const [body, setBody] = useState("");
  const [atTime, setAtTime] = useState(true);
  const [failure, setFailure] = useState<string | null>(null);
  const me = useStore(sessionStore);

  useLiveEvents((e) => {
    if (e === "resync" || (e.type.startsWith("note.") && e.data.assetVersionId === versionId)) notes.reload();
  });

  const run = async (fn: () => Promise<unknown>) => {
    setFailure(null);
    try {
      await fn();
      notes.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };

  const add = (e: Event) => {
    e.preventDefault();
    if (!body.trim()) return;
    const t = atTime ? currentTime() : null;
    void run(async () => {
      await api.assetVersions.notes.add(versionId, { body: body.trim(), timeSec: t });
      setBody("");
    });
  };

  return (
    <section class="notes" aria-label="Review notes">
      <h2>Notes</h2>
      <form onSubmit={add} class="note-form">
        <label for={`note-${versionId}`} class="sr-only">
          New note
        </label>
        <textarea
          id={`note-${versionId}`}
          value={body}
          onInput={(e) => setBody(e.currentTarget.value)}
          placeholder="Add a note at the current frame…"
          maxLength={5000}
        />
        <div class="row">
          <label class="small">
            <input type="checkbox" checked={atTime} onChange={(e) => setAtTime(e.currentTarget.checked)} /> At the
            current time
          </label>
          <span class="grow" />
          <button type="submit" class="primary" disabled={!body.trim()}>
            Add note
          </button>
        </div>
      </form>
      {failure && (
        <p class="error-text small" role="alert">
          {failure}
        </p>
      )}
      {notes.error ? (
        <p class="error-text">{errorText(notes.error)}</p>
      ) : !notes.data ? (
        <p class="muted small">Loading notes…</p>
      ) : notes.data.notes.length === 0 ? (
        <p class="muted small">No notes yet. Pause on a frame and write what should change.</p>
      ) : (
        <ol class="note-list">
          {notes.data.notes.map((n) => (
            <NoteItem
              key={n.id}
              note={n}
              mine={me !== null && me !== "loading" && n.author?.id === me.id}
              onSeek={onSeek}
              onResolve={() => run(() => api.assetVersions.notes.update(versionId, n.id, { resolved: !n.resolved }))}
              onDelete={() => run(() => api.assetVersions.notes.delete(versionId, n.id))}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

function NoteItem({
  note,
  mine,
  onSeek,
  onResolve,
  onDelete,
}: {
  note: Note;
  mine: boolean;
  onSeek: ((t: number) => void) | undefined;
  onResolve: () => void;
  onDelete: () => void;
}) {
  return (
    <li class={`note${note.resolved ? " note-resolved" : ""}`}>
      <div class="row small">
        {note.timeSec !== null && onSeek ? (
          <button type="button" class="time" onClick={() => onSeek(note.timeSec ?? 0)} title="Seek to this note">
            {formatTime(note.timeSec)}
          </button>
        ) : note.timeSec !== null ? (
          <span class="time">{formatTime(note.timeSec)}</span>
        ) : null}
        <strong>{note.author?.name ?? "Someone"}</strong>
        <span class="muted">{formatDate(note.createdAt)}</span>
        {note.resolved && <span class="pill">Resolved</span>}
      </div>
      <p>{note.body}</p>
      <div class="row small">
        <button type="button" class="ghost small" onClick={onResolve}>
          {note.resolved ? "Reopen" : "Resolve"}
        </button>
        {mine && (
          <button type="button" class="danger-ghost small" onClick={onDelete}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}
