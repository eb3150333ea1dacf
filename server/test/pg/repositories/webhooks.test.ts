import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import * as jobs from "../../../src/repositories/pg/jobs.js";
import * as users from "../../../src/repositories/pg/users.js";
import * as webhooks from "../../../src/repositories/pg/webhooks.js";
import * as workspaces from "../../../src/repositories/pg/workspaces.js";
import type { DeliveryRecord, WebhookRow } from "../../../src/repositories/webhooks.js";
import { describeOnBoth } from "../../support/bothBackends.js";

const unique = () => randomBytes(5).toString("hex");

describeOnBoth("webhooks repository", { webhooks, users, workspaces, jobs }, (backend) => {
  const repos = () => backend().repos;
  /** A user and a shared workspace of theirs. */
  const setup = async () => {
    const user = await repos().users.createUser({ name: `hook-${unique()}` });
    const ws = await repos().workspaces.insertWorkspace(user.id, "Hooks", false);
    return { user, ws };
  };
  const hook = (workspaceId: string, userId: string, extra: Partial<WebhookRow> = {}) =>
    repos().webhooks.insertWebhook({
      workspaceId,
      url: `https://example.com/${unique()}`,
      eventTypes: ["asset.created", "job.completed"],
      secret: `whsec_${unique()}`,
      createdBy: userId,
      ...extra,
    });
  const delivery = (webhookId: string, attempt: number, status: "succeeded" | "failed" = "failed") => ({
    webhookId,
    messageId: `msg_${unique()}`,
    eventType: "asset.created",
    attempt,
    status,
    responseStatus: status === "failed" ? 500 : 200,
    durationMs: 12,
    error: status === "failed" ? "receiver answered 500" : null,
    nextAttemptAt: null,
  });

  it("stores, lists (by creation), finds within the workspace only, updates and deletes endpoints", async () => {
    const { user, ws } = await setup();
    const other = await setup();
    const a = await hook(ws.id, user.id, { description: "first" });
    const b = await hook(ws.id, user.id);
    expect(a).toMatchObject({
      workspaceId: ws.id,
      description: "first",
      eventTypes: ["asset.created", "job.completed"],
      enabled: true,
      disabledAt: null,
      consecutiveFailures: 0,
      createdBy: user.id,
    });
    await backend().exec(`update webhooks set created_at = '2026-01-02T00:00:00.000Z' where id = '${a.id}'`);
    await backend().exec(`update webhooks set created_at = '2026-01-01T00:00:00.000Z' where id = '${b.id}'`);
    expect((await repos().webhooks.webhooksOfWorkspace(ws.id)).map((h) => h.id)).toEqual([b.id, a.id]);
    expect(await repos().webhooks.webhooksOfWorkspace(other.ws.id)).toEqual([]);
    expect(await repos().webhooks.webhookInWorkspace(a.id, ws.id)).toMatchObject({ id: a.id, url: a.url });
    expect(await repos().webhooks.webhookInWorkspace(a.id, other.ws.id)).toBeUndefined();
    expect(await repos().webhooks.webhookById("wh_missing")).toBeUndefined();

    const updated = await repos().webhooks.updateWebhook(a.id, {
      enabled: false,
      disabledReason: "by hand",
      eventTypes: ["job.failed"],
    });
    expect(updated).toMatchObject({ id: a.id, enabled: false, disabledReason: "by hand", eventTypes: ["job.failed"] });
    expect(updated.updatedAt >= a.updatedAt).toBe(true);
    expect(await repos().webhooks.webhookById(a.id)).toEqual(updated);
    expect(await repos().webhooks.updateWebhook("wh_missing", { enabled: false })).toBeUndefined();

    expect((await repos().webhooks.enabledWebhooks(ws.id)).map((h) => h.id)).toEqual([b.id]);
    await repos().webhooks.deleteWebhook(b.id);
    expect(await repos().webhooks.webhookById(b.id)).toBeUndefined();
    expect(await repos().webhooks.enabledWebhooks(ws.id)).toEqual([]);
  });

  it("enabledWebhooks returns whole rows of the workspace's enabled endpoints", async () => {
    const { user, ws } = await setup();
    const made = [await hook(ws.id, user.id), await hook(ws.id, user.id), await hook(ws.id, user.id)];
    await hook(ws.id, user.id, { enabled: false });
    const enabled = await repos().webhooks.enabledWebhooks(ws.id);
    const byId = (x: WebhookRow, y: WebhookRow) => x.id.localeCompare(y.id);
    expect([...enabled].sort(byId)).toEqual([...made].sort(byId));
  });

  it("keeps a delivery log, newest first then highest attempt, limited; deleting the endpoint deletes it", async () => {
    const { user, ws } = await setup();
    const h = await hook(ws.id, user.id);
    const first = await repos().webhooks.insertDelivery({
      ...delivery(h.id, 1),
      nextAttemptAt: "2026-05-01T00:00:00.000Z",
    });
    const second = await repos().webhooks.insertDelivery(delivery(h.id, 2, "succeeded"));
    const third = await repos().webhooks.insertDelivery(delivery(h.id, 1));
    expect(first).toMatchObject({ webhookId: h.id, attempt: 1, status: "failed", responseStatus: 500, durationMs: 12 });
    expect(first.nextAttemptAt).toBe("2026-05-01T00:00:00.000Z");
    await backend().exec(
      `update webhook_deliveries set created_at = '2026-01-01T00:00:00.000Z' where id in ('${first.id}', '${second.id}')`,
    );
    await backend().exec(
      `update webhook_deliveries set created_at = '2026-01-02T00:00:00.000Z' where id = '${third.id}'`,
    );
    expect((await repos().webhooks.deliveriesOfWebhook(h.id, 10)).map((d) => d.id)).toEqual([
      third.id,
      second.id,
      first.id,
    ]);
    expect((await repos().webhooks.deliveriesOfWebhook(h.id, 2)).map((d) => d.id)).toEqual([third.id, second.id]);
    await repos().webhooks.deleteWebhook(h.id);
    expect(await repos().webhooks.deliveriesOfWebhook(h.id, 10)).toEqual([]);
  });

  it("queues first-attempt delivery jobs with their JSON input, all or none", async () => {
    const { user, ws } = await setup();
    const h = await hook(ws.id, user.id);
    const kind = `webhook.test.${unique()}`;
    const inputs = [
      { webhookIds: [h.id], messageId: "m1", payload: { type: "asset.created", data: { n: 1, ok: true } } },
      { webhookIds: [h.id], messageId: "m2", payload: { type: "asset.created", data: { list: [1, "two"] } } },
    ];
    await repos().webhooks.insertDeliveryJobs(kind, inputs);
    await repos().webhooks.insertDeliveryJobs(kind, []);
    // Read the jobs back through a table this area can list: each job's input text into a delivery row.
    await backend().exec(
      `insert into webhook_deliveries (id, webhook_id, message_id, event_type, attempt, status, duration_ms, error)
       select id, '${h.id}', id, kind, 1, 'failed', 0, cast(input as text) from jobs where kind = '${kind}'`,
    );
    const rows = await repos().webhooks.deliveriesOfWebhook(h.id, 10);
    expect(rows.every((r) => r.messageId.startsWith("job_") && r.eventType === kind)).toBe(true);
    const stored = rows.map((r) => JSON.parse(r.error!)).sort((x, y) => x.messageId.localeCompare(y.messageId));
    expect(stored).toEqual(inputs);
  });

  it("records an attempt as one unit of work; a throwing `then` rolls back the health change and the row", async () => {
    const { user, ws } = await setup();
    const h = await hook(ws.id, user.id);
    const seen: (WebhookRow | undefined)[] = [];
    const failing = (current: WebhookRow | undefined): DeliveryRecord => {
      seen.push(current);
      return {
        health: {
          consecutiveFailures: (current?.consecutiveFailures ?? 0) + 1,
          failingSince: "2026-01-01T00:00:00.000Z",
        },
        delivery: delivery(h.id, 1),
      };
    };
    const row = await repos().webhooks.recordDeliveryAttempt(h.id, failing);
    expect(seen[0]).toEqual(h);
    expect(row).toMatchObject({ webhookId: h.id, status: "failed", attempt: 1 });
    expect(await repos().webhooks.webhookById(h.id)).toMatchObject({
      consecutiveFailures: 1,
      failingSince: "2026-01-01T00:00:00.000Z",
    });

    // The next attempt's job is queued in the same unit of work; when it cannot be written (its id is taken),
    // neither the health change nor the attempt's row is.
    const nextId = `job_${unique()}`;
    const retrying = (current: WebhookRow | undefined) => ({
      ...failing(current),
      next: { id: nextId, kind: "webhook-delivery", input: { attempt: 2 }, runAfter: "2026-01-01T00:01:00.000Z" },
    });
    const second = await repos().webhooks.recordDeliveryAttempt(h.id, retrying);
    expect(await repos().jobs.jobById(nextId)).toMatchObject({ kind: "webhook-delivery", status: "pending" });
    expect((await repos().webhooks.webhookById(h.id))?.consecutiveFailures).toBe(2);
    await expect(repos().webhooks.recordDeliveryAttempt(h.id, retrying)).rejects.toThrow();
    expect((await repos().webhooks.webhookById(h.id))?.consecutiveFailures).toBe(2);
    expect((await repos().webhooks.deliveriesOfWebhook(h.id, 10)).map((d) => d.id).sort()).toEqual(
      [row.id, second.id].sort(),
    );
    const boom = new Error("judge refused");

    // A judge that throws refuses the attempt just the same.
    await expect(
      repos().webhooks.recordDeliveryAttempt(h.id, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await repos().webhooks.deliveriesOfWebhook(h.id, 10)).toHaveLength(2);

    // An endpoint deleted meanwhile is judged as undefined; no health is written.
    const gone: (WebhookRow | undefined)[] = [];
    const other = await hook(ws.id, user.id);
    await expect(
      repos().webhooks.recordDeliveryAttempt("wh_deleted", (current) => {
        gone.push(current);
        return { delivery: delivery(other.id, 3) };
      }),
    ).resolves.toMatchObject({ webhookId: other.id, attempt: 3 });
    expect(gone).toEqual([undefined]);
  });

  it("20 attempts of one endpoint recorded at once each count: 20 consecutive failures, 20 rows", async () => {
    const { user, ws } = await setup();
    const h = await hook(ws.id, user.id);
    const rows = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        repos().webhooks.recordDeliveryAttempt(h.id, (current) => ({
          health: { consecutiveFailures: current!.consecutiveFailures + 1 },
          delivery: delivery(h.id, i + 1),
        })),
      ),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(20);
    expect((await repos().webhooks.webhookById(h.id))?.consecutiveFailures).toBe(20);
    expect(await repos().webhooks.deliveriesOfWebhook(h.id, 50)).toHaveLength(20);
  });
});
