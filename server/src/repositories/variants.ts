/**
 * Variants made by region generation, their scores, and the two units of work that write them: storing a
 * job's variants with their media, and accepting one onto the timeline.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { type media, scores, variants } from "../db/schema.js";
import { conflict } from "../errors.js";
import { newId, nowIso } from "../ids.js";
import { insertMedia, type VariantRow } from "./media.js";
import { activeSegments, rewriteTimeline, type SegmentRow, type TimelineRewrite } from "./segments.js";

export type { VariantRow } from "./media.js";
export type ScoreRow = typeof scores.$inferSelect;
/** A media row to register with a variant: the unit of work gives it an id and the project. */
export type NewMedia = Omit<typeof media.$inferInsert, "id" | "projectId">;

export function findVariant(db: Db, variantId: string): VariantRow | undefined {
  return db.select().from(variants).where(eq(variants.id, variantId)).get();
}

/** The stored scores of a variant against one reference (one per scorer). */
export function scoresOfVariant(db: Db, variantId: string, compareTo: string): ScoreRow[] {
  return db
    .select()
    .from(scores)
    .where(and(eq(scores.variantId, variantId), eq(scores.compareTo, compareTo)))
    .all();
}

export function insertScore(db: Db, values: Omit<typeof scores.$inferInsert, "id">): void {
  db.insert(scores)
    .values({ id: newId("score"), ...values })
    .run();
}

/** One variant of a job: its clip and preview frame, and what it records. */
export interface NewVariant {
  clip: NewMedia;
  preview: NewMedia;
  values: Omit<
    typeof variants.$inferInsert,
    "id" | "jobId" | "projectId" | "mediaId" | "previewMediaId" | "sourceMediaId"
  >;
}

/**
 * Stores a job's variants in one transaction: the rendered source range's media row, then for each variant
 * its clip's and preview's media rows and the variant row. Returns the variant ids in order.
 */
export function insertVariantRows(
  db: Db,
  owner: { jobId: string; projectId: string },
  source: NewMedia,
  made: readonly NewVariant[],
): string[] {
  const { projectId } = owner;
  const register = (tx: Db, values: NewMedia) => insertMedia(tx, { ...values, id: newId("media"), projectId }).id;
  return db.transaction((tx) => {
    const sourceMediaId = register(tx, source);
    return made.map((v) => {
      const id = newId("var");
      tx.insert(variants)
        .values({
          ...v.values,
          id,
          ...owner,
          mediaId: register(tx, v.clip),
          previewMediaId: register(tx, v.preview),
          sourceMediaId,
        })
        .run();
      return id;
    });
  });
}

/**
 * Accept, in one IMMEDIATE transaction (no other writer between the check and the writes): `plan` sees the
 * variant and the timeline as they are now, refuses (throws) or returns the rewrite that puts the variant's
 * segment over its range; the rewrite is applied and the variant marked accepted.
 */
export function acceptVariantRows<R extends TimelineRewrite>(
  db: Db,
  variantId: string,
  plan: (variant: VariantRow | undefined, active: SegmentRow[]) => R,
): { projectId: string; acceptedAt: string; rewrite: R } {
  return db.transaction(
    (tx) => {
      const variant = findVariant(tx, variantId);
      const active = variant ? activeSegments(tx, variant.projectId) : [];
      const rewrite = plan(variant, active);
      const { projectId } = variant as VariantRow;
      rewriteTimeline(tx, active, rewrite);
      const acceptedAt = nowIso();
      const marked = tx
        .update(variants)
        .set({ acceptedAt })
        .where(and(eq(variants.id, variantId), isNull(variants.acceptedAt)))
        .run();
      if (marked.changes !== 1) throw conflict("Variant already accepted", { variant_id: variantId });
      return { projectId, acceptedAt, rewrite };
    },
    { behavior: "immediate" },
  );
}
