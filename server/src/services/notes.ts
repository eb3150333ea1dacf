import type { Note } from "@dailies/shared";
import { and, asc, eq } from "drizzle-orm";
import type { AuthContext } from "../auth/authenticate.js";
import type { Db } from "../db/client.js";
import { assetNotes, users, workspaceMembers, workspaces } from "../db/schema.js";
import { HttpError, notFound } from "../errors.js";
import { newId, nowIso } from "../ids.js";

type NoteRow = typeof assetNotes.$inferSelect;

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
  return db
    .select({ note: assetNotes, authorName: users.name })
    .from(assetNotes)
    .leftJoin(users, eq(users.id, assetNotes.authorId))
    .where(eq(assetNotes.assetVersionId, assetVersionId))
    .orderBy(asc(assetNotes.timeSec), asc(assetNotes.createdAt))
    .all()
    .map((r) => noteView(r.note, r.authorName));
}

export function addNote(
  db: Db,
  auth: AuthContext,
  assetVersionId: string,
  input: { body: string; timeSec?: number | null | undefined },
): Note {
  const row = db
    .insert(assetNotes)
    .values({
      id: newId("note"),
      assetVersionId,
      authorId: auth.user.id,
      body: input.body,
      timeSec: input.timeSec ?? null,
    })
    .returning()
    .get();
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
  const row = db
    .select()
    .from(assetNotes)
    .where(and(eq(assetNotes.id, noteId), eq(assetNotes.assetVersionId, assetVersionId)))
    .get();
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
  const updated = db
    .update(assetNotes)
    .set({
      ...(patch.body !== undefined && { body: patch.body }),
      ...(patch.timeSec !== undefined && { timeSec: patch.timeSec }),
      ...(patch.resolved !== undefined && {
        resolvedAt: patch.resolved ? (row.resolvedAt ?? now) : null,
        resolvedBy: patch.resolved ? auth.user.id : null,
      }),
      updatedAt: now,
    })
    .where(eq(assetNotes.id, row.id))
    .returning()
    .get();
  const author = updated.authorId
    ? db.select({ name: users.name }).from(users).where(eq(users.id, updated.authorId)).get()?.name
    : null;
  return noteView(updated, author ?? null);
}

export function deleteNote(db: Db, noteId: string): void {
  db.delete(assetNotes).where(eq(assetNotes.id, noteId)).run();
}

function isWorkspaceOwner(db: Db, userId: string, workspaceId: string): boolean {
  const ws = db.select({ ownerId: workspaces.ownerId }).from(workspaces).where(eq(workspaces.id, workspaceId)).get();
  if (ws?.ownerId === userId) return true;
  const member = db
    .select({ role: workspaceMembers.role })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
    .get();
  return member?.role === "owner";
}
