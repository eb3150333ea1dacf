import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { assetNotes, users } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";

export type NoteRow = typeof assetNotes.$inferSelect;

/** A note with its author's display name (null when the author was deleted). */
export interface NoteWithAuthor {
  note: NoteRow;
  authorName: string | null;
}

/** Notes of a version by time (notes without a time first), then by date. */
export function notesOfVersion(db: Db, assetVersionId: string): NoteWithAuthor[] {
  return db
    .select({ note: assetNotes, authorName: users.name })
    .from(assetNotes)
    .leftJoin(users, eq(users.id, assetNotes.authorId))
    .where(eq(assetNotes.assetVersionId, assetVersionId))
    .orderBy(asc(assetNotes.timeSec), asc(assetNotes.createdAt))
    .all();
}

export function insertNote(
  db: Db,
  values: { assetVersionId: string; authorId: string; body: string; timeSec: number | null },
): NoteRow {
  return db
    .insert(assetNotes)
    .values({ id: newId("note"), ...values })
    .returning()
    .get();
}

/** The note when it belongs to this version. */
export function noteOfVersion(db: Db, assetVersionId: string, noteId: string): NoteRow | undefined {
  return db
    .select()
    .from(assetNotes)
    .where(and(eq(assetNotes.id, noteId), eq(assetNotes.assetVersionId, assetVersionId)))
    .get();
}

/** Writes the changed fields (and updatedAt) and answers the note with its author's name. */
export function updateNoteRow(
  db: Db,
  noteId: string,
  set: Partial<Pick<NoteRow, "body" | "timeSec" | "resolvedAt" | "resolvedBy">>,
  now: string = nowIso(),
): NoteWithAuthor {
  const note = db
    .update(assetNotes)
    .set({ ...set, updatedAt: now })
    .where(eq(assetNotes.id, noteId))
    .returning()
    .get()!;
  const authorName = note.authorId
    ? (db.select({ name: users.name }).from(users).where(eq(users.id, note.authorId)).get()?.name ?? null)
    : null;
  return { note, authorName };
}

export function deleteNoteRow(db: Db, noteId: string): void {
  db.delete(assetNotes).where(eq(assetNotes.id, noteId)).run();
}
