import type { Note } from "@dailies/shared";
import type { AuthContext } from "../auth/authenticate.js";
import type { Db } from "../db/client.js";
import { HttpError, notFound } from "../errors.js";
import { nowIso } from "../ids.js";
import {
  deleteNoteRow,
  insertNote,
  type NoteRow,
  noteOfVersion,
  notesOfVersion,
  updateNoteRow,
} from "../repositories/notes.js";
import { isWorkspaceOwner } from "../repositories/workspaces.js";

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
export function listNotes(db: Db, assetVersionId: string): Note[] {
  return notesOfVersion(db, assetVersionId).map((r) => noteView(r.note, r.authorName));
}

export function addNote(
  db: Db,
  auth: AuthContext,
  assetVersionId: string,
  input: { body: string; timeSec?: number | null | undefined },
): Note {
  const row = insertNote(db, {
    assetVersionId,
    authorId: auth.user.id,
    body: input.body,
    timeSec: input.timeSec ?? null,
  });
  return noteView(row, auth.user.name);
}

/** The note of this version, when the user may change it (its author, or an owner of the workspace); else 404/403. */
export function requireEditableNote(
  db: Db,
  auth: AuthContext,
  assetVersionId: string,
  noteId: string,
  workspaceId: string,
): NoteRow {
  const row = noteOfVersion(db, assetVersionId, noteId);
  if (!row) throw notFound("Note");
  if (row.authorId !== auth.user.id && !isWorkspaceOwner(db, auth.user.id, workspaceId)) {
    throw new HttpError(403, "Only the note's author or a workspace owner may change it");
  }
  return row;
}

export function updateNote(
  db: Db,
  auth: AuthContext,
  row: NoteRow,
  patch: { body?: string | undefined; timeSec?: number | null | undefined; resolved?: boolean | undefined },
): Note {
  const now = nowIso();
  const updated = updateNoteRow(
    db,
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

export function deleteNote(db: Db, noteId: string): void {
  deleteNoteRow(db, noteId);
}
