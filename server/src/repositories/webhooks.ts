import { and, asc, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { webhookDeliveries, webhooks } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export function webhooksOfWorkspace(db: Db, workspaceId: string): WebhookRow[] {
  return db.select().from(webhooks).where(eq(webhooks.workspaceId, workspaceId)).orderBy(asc(webhooks.createdAt)).all();
}

/** An endpoint of the workspace; another workspace's id is undefined (answered as 404). */
export function webhookInWorkspace(db: Db, id: string, workspaceId: string): WebhookRow | undefined {
  return db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.workspaceId, workspaceId)))
    .get();
}

export function insertWebhook(db: Db, values: Omit<typeof webhooks.$inferInsert, "id">): WebhookRow {
  return db
    .insert(webhooks)
    .values({ id: newId("wh"), ...values })
    .returning()
    .get();
}

export function updateWebhook(db: Db, id: string, set: Partial<typeof webhooks.$inferInsert>): WebhookRow {
  return db
    .update(webhooks)
    .set({ ...set, updatedAt: nowIso() })
    .where(eq(webhooks.id, id))
    .returning()
    .get()!;
}

export function deleteWebhook(db: Db, id: string): void {
  db.delete(webhooks).where(eq(webhooks.id, id)).run();
}

export function deliveriesOfWebhook(db: Db, webhookId: string, limit: number): DeliveryRow[] {
  return db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.attempt))
    .limit(limit)
    .all();
}
