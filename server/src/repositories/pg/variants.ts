// The variants repository on PostgreSQL: repositories/variants.ts with the same functions, awaited.
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { media, scores, variants } from "../../db/pg/schema.js";
import { conflict } from "../../errors.js";
import { newId, nowIso } from "../../ids.js";
import type { SegmentRow, TimelineRewrite } from "../segments.js";
import type { NewMedia, NewVariant, ScoreRow, VariantRow } from "../variants.js";
import { lockProjectTimeline, type PgConn } from "./media.js";
import { activeSegments, rewriteTimeline } from "./segments.js";

export async function findVariant(db: PgConn, variantId: string): Promise<VariantRow | undefined> {
  const [row] = await db.select().from(variants).where(eq(variants.id, variantId));
  return row;
}

/** The stored scores of a variant against one reference (one per scorer). */
export async function scoresOfVariant(db: PgConn, variantId: string, compareTo: string): Promise<ScoreRow[]> {
  return db
    .select()
    .from(scores)
    .where(and(eq(scores.variantId, variantId), eq(scores.compareTo, compareTo)));
}

export async function insertScore(db: PgConn, values: Omit<typeof scores.$inferInsert, "id">): Promise<void> {
  await db.insert(scores).values({ id: newId("score"), ...values });
}

/**
 * The creation time of a job's variant `index`: the database's clock plus `index` milliseconds, so the variants
 * of one call have strictly increasing times. variantsOfJob lists them oldest first; SQLite lists the equal
 * times of one transaction in insertion order (rowid), PostgreSQL in whatever order its heap holds them (an
 * update such as an accept moves a row), so here the times themselves carry the order.
 */
function madeAt(index: number): SQL {
  return sql`to_char((clock_timestamp() at time zone 'UTC') + ${index}::int * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * Stores a job's variants in one transaction: the rendered source range's media row, then for each variant
 * its clip's and preview's media rows and the variant row (two multi-row inserts). Returns the variant ids in
 * order.
 */
export async function insertVariantRows(
  db: PgConn,
  owner: { jobId: string; projectId: string },
  source: NewMedia,
  made: readonly NewVariant[],
): Promise<string[]> {
  const { projectId } = owner;
  const mediaRows: (typeof media.$inferInsert)[] = [];
  const register = (values: NewMedia) => {
    const id = newId("media");
    mediaRows.push({ ...values, id, projectId });
    return id;
  };
  const sourceMediaId = register(source);
  const variantRows = made.map((v, i) => ({
    createdAt: madeAt(i),
    ...v.values,
    id: newId("var"),
    ...owner,
    mediaId: register(v.clip),
    previewMediaId: register(v.preview),
    sourceMediaId,
  }));
  await db.transaction(async (tx) => {
    await tx.insert(media).values(mediaRows);
    if (variantRows.length > 0) await tx.insert(variants).values(variantRows);
  });
  return variantRows.map((v) => v.id);
}

/**
 * Accept, in one transaction that holds the project's timeline lock from before the reads to the commit (no
 * other edit of that timeline, and no other accept of the variant, between the check and the writes): `plan`
 * sees the variant and the timeline as they are now, refuses (throws) or returns the rewrite that puts the
 * variant's segment over its range; the rewrite is applied and the variant marked accepted.
 */
export async function acceptVariantRows<R extends TimelineRewrite>(
  db: PgConn,
  variantId: string,
  plan: (variant: VariantRow | undefined, active: SegmentRow[]) => R,
): Promise<{ projectId: string; acceptedAt: string; rewrite: R }> {
  return db.transaction(async (tx) => {
    // Read to learn the project, lock its timeline, read again: a concurrent accept has committed by then.
    let variant = await findVariant(tx, variantId);
    if (variant) {
      await lockProjectTimeline(tx, variant.projectId);
      variant = await findVariant(tx, variantId);
    }
    const active = variant ? await activeSegments(tx, variant.projectId) : [];
    const rewrite = plan(variant, active);
    const { projectId } = variant as VariantRow;
    await rewriteTimeline(tx, active, rewrite);
    const acceptedAt = nowIso();
    const marked = await tx
      .update(variants)
      .set({ acceptedAt })
      .where(and(eq(variants.id, variantId), isNull(variants.acceptedAt)))
      .returning({ id: variants.id });
    if (marked.length !== 1) throw conflict("Variant already accepted", { variant_id: variantId });
    return { projectId, acceptedAt, rewrite };
  });
}
