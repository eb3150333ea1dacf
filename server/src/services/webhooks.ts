import { randomBytes } from "node:crypto";
import type { DailiesEvent, WebhookPayload, WebhookView } from "@dailies/shared";
import { Webhook } from "standardwebhooks";
import type { AuthContext } from "../auth/authenticate.js";
import type { AppDeps } from "../context.js";
import { badRequest, notFound } from "../errors.js";
import type { EventOrigin } from "../events/bus.js";
import { nowIso } from "../ids.js";
import { guardedPost, isDownloadError, parseHttpUrl, resolveAndCheck } from "../net/index.js";
import type { EnqueueInput, JobContext } from "../ports/jobs.js";
import type { Repos } from "../repositories/index.js";
import type { DeliveryRecord, DeliveryRow, WebhookRow } from "../repositories/webhooks.js";

/** How long events gather before their delivery jobs are written. */
const FLUSH_MS = 50;

/** The job kind of one delivery attempt. */
export const WEBHOOK_JOB = "webhook-delivery";

export type { WebhookRow };

export interface WebhookSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  /** Seconds before retry n (n = 1..length); after the last one the message is given up. */
  retryDelays: number[];
  disableFailures: number;
  disableWindowMs: number;
}

export function webhookSettings(config: AppDeps["config"]): WebhookSettings {
  return {
    allowPrivate: config.DAILIES_WEBHOOK_ALLOW_PRIVATE || config.DAILIES_MIRROR_ALLOW_PRIVATE,
    timeoutMs: config.DAILIES_WEBHOOK_TIMEOUT_SECONDS * 1000,
    retryDelays: config.DAILIES_WEBHOOK_RETRY_DELAYS,
    disableFailures: config.DAILIES_WEBHOOK_DISABLE_FAILURES,
    disableWindowMs: config.DAILIES_WEBHOOK_DISABLE_WINDOW_SECONDS * 1000,
  };
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

export const webhookView = (w: WebhookRow): WebhookView => ({
  id: w.id,
  url: w.url,
  description: w.description,
  eventTypes: w.eventTypes,
  enabled: w.enabled,
  disabledAt: w.disabledAt,
  disabledReason: w.disabledReason,
  consecutiveFailures: w.consecutiveFailures,
  secretHint: `${w.secret.slice(0, 10)}…`,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

export const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  messageId: d.messageId,
  eventType: d.eventType,
  attempt: d.attempt,
  status: d.status,
  responseStatus: d.responseStatus,
  durationMs: d.durationMs,
  error: d.error,
  nextAttemptAt: d.nextAttemptAt,
  createdAt: d.createdAt,
});

export async function requireWebhook(repos: Repos, auth: AuthContext, id: string): Promise<WebhookRow> {
  const row = await repos.webhooks.webhookInWorkspace(id, auth.workspaceId);
  if (!row) throw notFound("Webhook");
  return row;
}

/** Refuses at registration what delivery would refuse: loopback and private targets (unless allowed). */
export async function checkWebhookUrl(url: string, settings: WebhookSettings): Promise<void> {
  try {
    const parsed = parseHttpUrl(url);
    await resolveAndCheck(parsed.hostname, { allowPrivate: settings.allowPrivate });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw badRequest("Webhook URL refused", {
      fieldErrors: { url: [reason] },
      ...(isDownloadError(err) && err.code === "forbidden_address" && { hint: "set DAILIES_WEBHOOK_ALLOW_PRIVATE=1" }),
    });
  }
}

/**
 * Turns bus events into delivery jobs, off the request path: the bus listener only queues the event in memory;
 * a batch (every FLUSH_MS) looks up the workspace's endpoints (cached) and enqueues one job per matching endpoint in
 * one transaction. An event published just before a crash may be lost (the bus is in-memory, like SSE).
 */
export class WebhookDispatcher {
  /**
   * Events with the endpoints subscribed when they were published (one registered later gets none of them): read
   * from the cache, or, when the workspace's endpoints are not cached, by a query started at publish time.
   */
  private pending: Array<{ event: DailiesEvent; webhookIds: string[] | Promise<string[]> }> = [];
  private scheduled = false;
  private readonly byWorkspace = new Map<string, WebhookRow[]>();

  constructor(private readonly repos: Repos) {}

  readonly onEvent = (event: DailiesEvent, origin: EventOrigin = "local"): void => {
    // Another process saw the same change first and queues its deliveries; queuing here too would send twice.
    if (origin === "remote" || event.type === "job.progress") return;
    const hooks = this.byWorkspace.get(event.workspaceId);
    const webhookIds = hooks
      ? subscribed(hooks, event)
      : this.endpoints(event.workspaceId).then((all) => subscribed(all, event));
    if (Array.isArray(webhookIds) && webhookIds.length === 0) return;
    this.pending.push({ event, webhookIds });
    if (!this.scheduled) {
      this.scheduled = true;
      // Batched: one small transaction per FLUSH_MS however many events arrived, so a burst of ingests does
      // not add a commit per event-loop turn.
      setTimeout(this.flush, FLUSH_MS).unref();
    }
  };

  /** Call after any change to a workspace's endpoints. */
  invalidate(workspaceId: string): void {
    this.byWorkspace.delete(workspaceId);
  }

  private async endpoints(workspaceId: string): Promise<WebhookRow[]> {
    let hooks = this.byWorkspace.get(workspaceId);
    if (!hooks) {
      hooks = await this.repos.webhooks.enabledWebhooks(workspaceId);
      this.byWorkspace.set(workspaceId, hooks);
    }
    return hooks;
  }

  /**
   * The first attempt of an event is one job for all its endpoints (retries are per endpoint), inserted with a
   * prepared statement and no wake-up call: the worker's poll
   * (250 ms) picks them up. Under an ingest burst this costs a fraction of JobPort.enqueue's per-job query
   * building and worker wake-ups (measured by `pnpm bench webhooks`).
   */
  private readonly flush = async (): Promise<void> => {
    this.scheduled = false;
    const events = this.pending;
    this.pending = [];
    try {
      const deliveries: DeliveryInput[] = [];
      for (const { event, webhookIds } of events) {
        const ids = await webhookIds;
        if (ids.length === 0) continue;
        deliveries.push({
          webhookIds: ids,
          messageId: `msg_${event.id}`,
          payload: {
            type: event.type,
            timestamp: event.timestamp,
            data: { ...event.data, workspaceId: event.workspaceId, projectId: event.projectId },
          },
          attempt: 1,
        });
      }
      if (deliveries.length > 0) await this.repos.webhooks.insertDeliveryJobs(WEBHOOK_JOB, deliveries);
    } catch {
      // The database is closing (shutdown); those events are not delivered.
    }
  };
}

function subscribed(hooks: readonly WebhookRow[], event: DailiesEvent): string[] {
  return hooks.filter((hook) => hook.eventTypes.includes(event.type)).map((hook) => hook.id);
}

interface DeliveryInput {
  /** First attempts: every subscribed endpoint; retries: the one that failed. */
  webhookIds: string[];
  messageId: string;
  payload: WebhookPayload;
  attempt: number;
}

/**
 * A retry's job. Delivery jobs carry no user, workspace or project: they never appear in job lists nor announce
 * job events. No wake: it runs at `runAfter`, found by the worker's poll.
 */
function deliveryJob(
  webhookId: string,
  messageId: string,
  payload: WebhookPayload,
  attempt: number,
  runAfter: string,
): EnqueueInput {
  const input: DeliveryInput = { webhookIds: [webhookId], messageId, payload, attempt };
  return { kind: WEBHOOK_JOB, input: input as unknown as Record<string, unknown>, runAfter };
}

/** Signs and POSTs one message; records the attempt. Never throws for a receiver's failure. */
export async function attemptDelivery(
  deps: AppDeps,
  hook: WebhookRow,
  messageId: string,
  payload: WebhookPayload,
  attempt: number,
  settings: WebhookSettings,
  schedule: { retry: boolean },
): Promise<DeliveryRow> {
  const body = JSON.stringify(payload);
  const sentAt = new Date();
  const signature = new Webhook(hook.secret).sign(messageId, sentAt, body);
  const started = performance.now();
  let responseStatus: number | null = null;
  let error: string | null = null;
  let permanent = false;
  try {
    const res = await guardedPost(hook.url, body, {
      timeoutMs: settings.timeoutMs,
      allowPrivate: settings.allowPrivate,
      headers: {
        "webhook-id": messageId,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": signature,
      },
    });
    responseStatus = res.status;
    if (res.status < 200 || res.status > 299) error = `receiver answered ${res.status}`;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    permanent = isDownloadError(err) && (err.code === "forbidden_address" || err.code === "bad_url");
  }
  const durationMs = Math.round(performance.now() - started);
  const ok = error === null;
  const delaySec = settings.retryDelays[attempt - 1];
  const retry = !ok && !permanent && schedule.retry && delaySec !== undefined;
  const nextAttemptAt = retry ? new Date(Date.now() + delaySec * 1000).toISOString() : null;

  let disabled = false;
  const row = await deps.repos.webhooks.recordDeliveryAttempt(hook.id, (current) => {
    const now = nowIso();
    let health: DeliveryRecord["health"];
    if (current && ok) {
      health = { consecutiveFailures: 0, failingSince: null, updatedAt: now };
    } else if (current) {
      const failures = current.consecutiveFailures + 1;
      const since = current.failingSince ?? now;
      disabled =
        current.enabled &&
        failures >= settings.disableFailures &&
        Date.now() - Date.parse(since) >= settings.disableWindowMs;
      health = {
        consecutiveFailures: failures,
        failingSince: since,
        updatedAt: now,
        ...(disabled && {
          enabled: false,
          disabledAt: now,
          disabledReason: `disabled after ${failures} consecutive failed deliveries (last: ${error})`,
        }),
      };
    }
    const delivery = {
      webhookId: hook.id,
      messageId,
      eventType: payload.type,
      attempt,
      status: ok ? ("succeeded" as const) : ("failed" as const),
      responseStatus,
      durationMs,
      error,
      nextAttemptAt: disabled ? null : nextAttemptAt,
    };
    const next =
      !disabled && nextAttemptAt ? deliveryJob(hook.id, messageId, payload, attempt + 1, nextAttemptAt) : undefined;
    return { health, delivery, ...(next && { next }) };
  });
  if (disabled) deps.webhooks.invalidate(hook.workspaceId);
  return row;
}

/**
 * The job: one attempt per endpoint, in parallel; a failure schedules that endpoint's next attempt as a new job
 * (the retry schedule is the webhook setting's, not the worker's).
 */
export async function webhookDeliveryJob(deps: AppDeps, ctx: JobContext): Promise<unknown> {
  const input = ctx.job.input as unknown as DeliveryInput;
  const settings = webhookSettings(deps.config);
  return Promise.all(
    input.webhookIds.map(async (webhookId) => {
      const hook = await deps.repos.webhooks.webhookById(webhookId);
      if (!hook) return { webhookId, skipped: "webhook deleted" };
      if (!hook.enabled) return { webhookId, skipped: "webhook disabled" };
      const row = await attemptDelivery(deps, hook, input.messageId, input.payload, input.attempt, settings, {
        retry: true,
      });
      return { webhookId, status: row.status, responseStatus: row.responseStatus, nextAttemptAt: row.nextAttemptAt };
    }),
  );
}

export async function listDeliveries(repos: Repos, webhookId: string, limit: number): Promise<DeliveryRow[]> {
  return await repos.webhooks.deliveriesOfWebhook(webhookId, limit);
}
