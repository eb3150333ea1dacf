import { z } from "zod";
import { httpUrlSchema, isoDateSchema, textSchema } from "./common.js";
import { dailiesEventTypes } from "./events.js";

/** Events a webhook can subscribe to: every announced event but job.progress (many per second per job). */
export const webhookEventTypes = dailiesEventTypes.filter((t) => t !== "job.progress") as Exclude<
  (typeof dailiesEventTypes)[number],
  "job.progress"
>[];
export const webhookEventTypeSchema = z.enum(webhookEventTypes as [string, ...string[]]);

/**
 * The JSON body POSTed to a webhook (Standard Webhooks). `data` carries the event's fields plus workspaceId and
 * projectId. The headers webhook-id (same across retries of one message), webhook-timestamp and
 * webhook-signature (`v1,<base64 HMAC-SHA256>`) let the receiver verify it with the endpoint's `whsec_` secret.
 */
export const webhookPayloadSchema = z.object({
  type: textSchema().describe("Event type, e.g. asset.created; webhook.test for POST /api/webhooks/:id/test"),
  timestamp: isoDateSchema,
  data: z.record(textSchema(), z.unknown()),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export const webhookSchema = z.object({
  id: textSchema(),
  url: textSchema(),
  description: textSchema().nullable(),
  eventTypes: z.array(textSchema()),
  enabled: z.boolean(),
  disabledAt: isoDateSchema.nullable().describe("When the endpoint was disabled (by a user or after failures)"),
  disabledReason: textSchema().nullable(),
  consecutiveFailures: z.number().int().describe("Failed attempts since the last successful delivery"),
  secretHint: textSchema().describe("The first characters of the secret, to tell secrets apart"),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
});
export type WebhookView = z.infer<typeof webhookSchema>;

export const webhookCreateSchema = z.object({
  url: httpUrlSchema,
  eventTypes: z.array(webhookEventTypeSchema).min(1).max(32),
  description: textSchema().max(500).optional(),
});
export const webhookUpdateSchema = z.object({
  url: httpUrlSchema.optional(),
  eventTypes: z.array(webhookEventTypeSchema).min(1).max(32).optional(),
  description: textSchema().max(500).nullable().optional(),
  enabled: z.boolean().optional().describe("true re-enables a disabled endpoint and clears its failure count"),
  rotateSecret: z.boolean().optional().describe("true replaces the secret; the new one is in the response, once"),
});
export const webhookWithSecretSchema = z.object({
  webhook: webhookSchema,
  secret: textSchema().optional().describe("whsec_… signing secret; shown only when created or rotated"),
});
export const webhooksResponseSchema = z.object({ webhooks: z.array(webhookSchema) });

export const webhookDeliverySchema = z.object({
  id: textSchema(),
  messageId: textSchema().describe("The webhook-id header; the same for every attempt of one message"),
  eventType: textSchema(),
  attempt: z.number().int(),
  status: z.enum(["succeeded", "failed"]),
  responseStatus: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: textSchema().nullable(),
  nextAttemptAt: isoDateSchema.nullable().describe("When the next retry is due (null: delivered or given up)"),
  createdAt: isoDateSchema,
});
export const webhookDeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const webhookDeliveriesResponseSchema = z.object({ deliveries: z.array(webhookDeliverySchema) });
export const webhookTestResponseSchema = z.object({ delivery: webhookDeliverySchema });
