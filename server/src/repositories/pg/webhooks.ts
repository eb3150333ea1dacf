// Webhook endpoints and their delivery log on PostgreSQL (the twin of ../webhooks.ts).
import { and, asc, desc, eq } from "drizzle-orm";
import type { NodePgQueryResultHKT } from "drizzle-orm/node-postgres";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PgDb, schema as pgSchema } from "../../db/pg/client.js";
import { jobs, webhookDeliveries, webhooks } from "../../db/pg/schema.js";
import { newId, nowIso } from "../../ids.js";
import type { DeliveryRecord, DeliveryRow, WebhookRow } from "../webhooks.js";
import { insertJob } from "./jobs.js";

/** The database or a transaction on it (helpers shared by units of work take either). */
type Conn = PgDatabase<NodePgQueryResultHKT, typeof pgSchema>;

export async function webhooksOfWorkspace(db: PgDb, workspaceId: string): Promise<WebhookRow[]> {
  return db.select().from(webhooks).where(eq(webhooks.workspaceId, workspaceId)).orderBy(asc(webhooks.createdAt));
}

/** An endpoint of the workspace; another workspace's id is undefined (answered as 404). */
export async function webhookInWorkspace(db: PgDb, id: string, workspaceId: string): Promise<WebhookRow | undefined> {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.workspaceId, workspaceId)));
  return row;
}

export async function insertWebhook(db: PgDb, values: Omit<typeof webhooks.$inferInsert, "id">): Promise<WebhookRow> {
  const [row] = await db
    .insert(webhooks)
    .values({ id: newId("wh"), ...values })
    .returning();
  return row!;
}

async function updateWebhookOn(db: Conn, id: string, set: Partial<typeof webhooks.$inferInsert>): Promise<WebhookRow> {
  const [row] = await db
    .update(webhooks)
    .set({ updatedAt: nowIso(), ...set })
    .where(eq(webhooks.id, id))
    .returning();
  return row!;
}

export async function updateWebhook(
  db: PgDb,
  id: string,
  set: Partial<typeof webhooks.$inferInsert>,
): Promise<WebhookRow> {
  return updateWebhookOn(db, id, set);
}

export async function deleteWebhook(db: PgDb, id: string): Promise<void> {
  await db.delete(webhooks).where(eq(webhooks.id, id));
}

export async function deliveriesOfWebhook(db: PgDb, webhookId: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.attempt))
    .limit(limit);
}

export async function webhookById(db: PgDb, id: string): Promise<WebhookRow | undefined> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
  return row;
}

/**
 * The workspace's enabled endpoints (the dispatcher caches them per workspace), in one query where SQLite reads
 * ids then rows; in creation order, as SQLite's index walk gives them.
 */
export async function enabledWebhooks(db: PgDb, workspaceId: string): Promise<WebhookRow[]> {
  return db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.enabled, true)))
    .orderBy(asc(webhooks.createdAt), asc(webhooks.id));
}

/** Inserts first-attempt delivery jobs as one multi-row insert (atomic by itself; the worker's poll finds them). */
export async function insertDeliveryJobs(db: PgDb, kind: string, inputs: unknown[]): Promise<void> {
  if (inputs.length === 0) return;
  await db
    .insert(jobs)
    .values(inputs.map((input) => ({ id: newId("job"), kind, input: input as Record<string, unknown> })));
}

async function insertDeliveryOn(db: Conn, values: Omit<typeof webhookDeliveries.$inferInsert, "id">) {
  const [row] = await db
    .insert(webhookDeliveries)
    .values({ id: newId("whdel"), ...values })
    .returning();
  return row!;
}

export async function insertDelivery(
  db: PgDb,
  values: Omit<typeof webhookDeliveries.$inferInsert, "id">,
): Promise<DeliveryRow> {
  return insertDeliveryOn(db, values);
}

/**
 * Records one delivery attempt in one transaction: `judge` decides from the webhook as it is inside the
 * transaction (undefined: deleted meanwhile) what its health becomes and what the attempt row says; `then` runs
 * in the same transaction with the stored row (a throw rolls both writes back). The webhook's row is read
 * `for update`: attempts of one endpoint finishing at once on several workers take turns, so each judges the
 * failure count the previous one wrote (without the lock two failures read the same count and one is lost).
 */
export async function recordDeliveryAttempt(
  db: PgDb,
  webhookId: string,
  judge: (current: WebhookRow | undefined) => DeliveryRecord,
): Promise<DeliveryRow> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(webhooks).where(eq(webhooks.id, webhookId)).for("update");
    const { health, delivery, next } = judge(current);
    if (health) await updateWebhookOn(tx, webhookId, health);
    const row = await insertDeliveryOn(tx, delivery);
    if (next) await insertJob(tx, next);
    return row;
  });
}
