import { and, asc, eq, sql } from "drizzle-orm";
import { assetNotes, users } from "../../db/pg/schema.js";
import { newId, nowIso } from "../../ids.js";
import type { NoteRow, NoteWithAuthor } from "../notes.js";
import type { PgConn } from "./conn.js";

/**
 * Notes of a version by time (notes without a time first), then by date. `nulls first`: PostgreSQL sorts nulls
 * last in ascending order, SQLite first.
 */
export async function notesOfVersion(db: PgConn, assetVersionId: string): Promise<NoteWithAuthor[]> {
  return db
    .select({ note: assetNotes, authorName: users.name })
    .from(assetNotes)
    .leftJoin(users, eq(users.id, assetNotes.authorId))
    .where(eq(assetNotes.assetVersionId, assetVersionId))
    .orderBy(sql`${assetNotes.timeSec} asc nulls first`, asc(assetNotes.createdAt));
}

export async function insertNote(
  db: PgConn,
  values: { assetVersionId: string; authorId: string; body: string; timeSec: number | null },
): Promise<NoteRow> {
  const [row] = await db
    .insert(assetNotes)
    .values({ id: newId("note"), ...values })
    .returning();
  return row!;
}

/** The note when it belongs to this version. */
export async function noteOfVersion(db: PgConn, assetVersionId: string, noteId: string): Promise<NoteRow | undefined> {
  const [row] = await db
    .select()
    .from(assetNotes)
    .where(and(eq(assetNotes.id, noteId), eq(assetNotes.assetVersionId, assetVersionId)));
  return row;
}

/** Writes the changed fields (and updatedAt) and answers the note with its author's name. */
export async function updateNoteRow(
  db: PgConn,
  noteId: string,
  set: Partial<Pick<NoteRow, "body" | "timeSec" | "resolvedAt" | "resolvedBy">>,
  now: string = nowIso(),
): Promise<NoteWithAuthor> {
  const [note] = await db
    .update(assetNotes)
    .set({ ...set, updatedAt: now })
    .where(eq(assetNotes.id, noteId))
    .returning();
  const authorId = note!.authorId;
  const [author] = authorId ? await db.select({ name: users.name }).from(users).where(eq(users.id, authorId)) : [];
  return { note: note!, authorName: author?.name ?? null };
}

export async function deleteNoteRow(db: PgConn, noteId: string): Promise<void> {
  await db.delete(assetNotes).where(eq(assetNotes.id, noteId));
}
