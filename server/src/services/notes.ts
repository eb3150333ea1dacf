import type { Note } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import { HttpError, notFound } from "../errors.js";
import { nowIso } from "../ids.js";
import type { Repos } from "../repositories/index.js";
import type { NoteRow } from "../repositories/notes.js";

export function noteView(row: NoteRow, authorName: string | null): Note {
  return {
    id: row.id,
    assetVersionId: row.assetVersionId,
    author: row.authorId ? { id: row.authorId, name: authorName ?? "" } : null,
    body: row.body,
    timeSec: row.timeSec,
    resolved: row.resolvedAt !== null,
    resolvedAt: row.resolvedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Notes of a version by time (notes without a time first), then by date. */
export async function listNotes(repos: Repos, assetVersionId: string): Promise<Note[]> {
  return (await repos.notes.notesOfVersion(assetVersionId)).map((r) => noteView(r.note, r.authorName));
}

export async function addNote(
  repos: Repos,
  auth: AuthContext,
  assetVersionId: string,
  input: { body: string; timeSec?: number | null | undefined },
): Promise<Note> {
  const row = await repos.notes.insertNote({
    assetVersionId,
    authorId: auth.user.id,
    body: input.body,
    timeSec: input.timeSec ?? null,
  });
  return noteView(row, auth.user.name);
}

/** The note of this version, when the user may change it (its author, or an owner of the workspace); else 404/403. */
export async function requireEditableNote(
  repos: Repos,
  auth: AuthContext,
  assetVersionId: string,
  noteId: string,
  workspaceId: string,
): Promise<NoteRow> {
  const row = await repos.notes.noteOfVersion(assetVersionId, noteId);
  if (!row) throw notFound("Note");
  if (row.authorId !== auth.user.id && !(await repos.workspaces.isWorkspaceOwner(auth.user.id, workspaceId))) {
    throw new HttpError(403, "Only the note's author or a workspace owner may change it");
  }
  return row;
}

export async function updateNote(
  repos: Repos,
  auth: AuthContext,
  row: NoteRow,
  patch: { body?: string | undefined; timeSec?: number | null | undefined; resolved?: boolean | undefined },
): Promise<Note> {
  const now = nowIso();
  const updated = await repos.notes.updateNoteRow(
    row.id,
    {
      ...(patch.body !== undefined && { body: patch.body }),
      ...(patch.timeSec !== undefined && { timeSec: patch.timeSec }),
      ...(patch.resolved !== undefined && {
        resolvedAt: patch.resolved ? (row.resolvedAt ?? now) : null,
        resolvedBy: patch.resolved ? auth.user.id : null,
      }),
    },
    now,
  );
  return noteView(updated.note, updated.authorName);
}

export async function deleteNote(repos: Repos, noteId: string): Promise<void> {
  await repos.notes.deleteNoteRow(noteId);
}
