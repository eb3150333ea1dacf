import { and, asc, desc, eq } from "drizzle-orm";
import type { Db, DbHandle } from "../db/client.js";
import { prepared } from "../db/prepared.js";
import { webhookDeliveries, webhooks } from "../db/schema.js";
import { newId, nowIso } from "../ids.js";
import { type EnqueueInput, insertJob } from "./jobs.js";

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
    .set({ updatedAt: nowIso(), ...set })
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

export function webhookById(db: Db, id: string): WebhookRow | undefined {
  return db.select().from(webhooks).where(eq(webhooks.id, id)).get();
}

/** The workspace's enabled endpoints (the dispatcher caches them per workspace). */
export function enabledWebhooks(db: Db, workspaceId: string): WebhookRow[] {
  return prepared(db, "webhooks.enabledByWorkspace", () =>
    (db as DbHandle).$client.prepare<[string], { id: string }>(
      "select id from webhooks where workspace_id = ? and enabled = 1",
    ),
  )
    .all(workspaceId)
    .map(({ id }) => webhookById(db, id))
    .filter((row): row is WebhookRow => !!row);
}

/**
 * Inserts first-attempt delivery jobs in one transaction with a prepared statement and no wake-up call: the
 * worker's poll picks them up (cheaper under an ingest burst than the queue's enqueue, `pnpm bench webhooks`).
 */
export function insertDeliveryJobs(db: Db, kind: string, inputs: unknown[]): void {
  const insert = prepared(db, "webhooks.enqueueFirst", () =>
    (db as DbHandle).$client.prepare<[string, string, string]>("insert into jobs (id, kind, input) values (?, ?, ?)"),
  );
  (db as DbHandle).$client.transaction(() => {
    for (const input of inputs) insert.run(newId("job"), kind, JSON.stringify(input));
  })();
}

export function insertDelivery(db: Db, values: Omit<typeof webhookDeliveries.$inferInsert, "id">): DeliveryRow {
  return db
    .insert(webhookDeliveries)
    .values({ id: newId("whdel"), ...values })
    .returning()
    .get();
}

/** What a delivery attempt records: the webhook's new health (nothing when it was deleted) and the attempt row. */
export interface DeliveryRecord {
  health?: Partial<typeof webhooks.$inferInsert>;
  delivery: Omit<typeof webhookDeliveries.$inferInsert, "id">;
  /** The next attempt's job, queued in the same transaction (so it is never lost nor doubled). */
  next?: EnqueueInput;
}

/**
 * Records one delivery attempt in one transaction: `judge` decides from the webhook as it is inside the
 * transaction (undefined: deleted meanwhile) what its health becomes and what the attempt row says; `then` runs
 * in the same transaction with the stored row, so a next attempt queued there is never lost nor doubled.
 */
export function recordDeliveryAttempt(
  db: Db,
  webhookId: string,
  judge: (current: WebhookRow | undefined) => DeliveryRecord,
): DeliveryRow {
  return db.transaction((tx) => {
    const { health, delivery, next } = judge(webhookById(tx, webhookId));
    if (health) updateWebhook(tx, webhookId, health);
    const row = insertDelivery(tx, delivery);
    if (next) insertJob(tx, next);
    return row;
  });
}
