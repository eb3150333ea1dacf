import {
  errorSchema,
  idParamsSchema,
  okSchema,
  webhookCreateSchema,
  webhookDeliveriesQuerySchema,
  webhookDeliveriesResponseSchema,
  webhooksResponseSchema,
  webhookTestResponseSchema,
  webhookUpdateSchema,
  webhookWithSecretSchema,
} from "@dailies/shared";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { newId, nowIso } from "../ids.js";
import {
  attemptDelivery,
  checkWebhookUrl,
  deliveryView,
  listDeliveries,
  newSecret,
  requireWebhook,
  webhookSettings,
  webhookView,
} from "../services/webhooks.js";

const tags = ["webhooks"];
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

const ABOUT =
  "Webhooks of the active workspace, signed per the Standard Webhooks specification: every POST carries " +
  "webhook-id (the same across retries of one message), webhook-timestamp and webhook-signature " +
  "(`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the endpoint's whsec_ secret). The body is " +
  "`{type, timestamp, data}`. Deliveries run on the job queue, never in the request that caused the event: " +
  "10 s timeout, a non-2xx answer or network error is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and " +
  "10 h (DAILIES_WEBHOOK_RETRY_DELAYS), and an endpoint failing DAILIES_WEBHOOK_DISABLE_FAILURES times in a " +
  "row for DAILIES_WEBHOOK_DISABLE_WINDOW_SECONDS is disabled (enabled:false, disabledAt, disabledReason). " +
  "Loopback and private addresses are refused unless DAILIES_WEBHOOK_ALLOW_PRIVATE=1 or DAILIES_MIRROR_ALLOW_PRIVATE=1.";

export async function webhookRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const deps = app.deps;
  const { repos } = deps;
  const settings = webhookSettings(deps.config);

  r.get(
    "/api/webhooks",
    {
      schema: {
        tags,
        summary: "List the workspace's webhook endpoints",
        description: ABOUT,
        response: { 200: webhooksResponseSchema, 401: errorSchema },
      },
    },
    async (request) => ({
      webhooks: (await repos.webhooks.webhooksOfWorkspace(request.auth.workspaceId)).map(webhookView),
    }),
  );

  r.post(
    "/api/webhooks",
    {
      schema: {
        tags,
        summary: "Register an endpoint; the response shows its secret once",
        description: ABOUT,
        body: webhookCreateSchema,
        response: { 201: webhookWithSecretSchema, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      await checkWebhookUrl(b.url, settings);
      const secret = newSecret();
      const row = await repos.webhooks.insertWebhook({
        workspaceId: request.auth.workspaceId,
        url: b.url,
        description: b.description ?? null,
        eventTypes: [...new Set(b.eventTypes)],
        secret,
        createdBy: request.auth.user.id,
      });
      deps.webhooks.invalidate(row.workspaceId);
      return reply.code(201).send({ webhook: webhookView(row), secret });
    },
  );

  r.patch(
    "/api/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Change url, event types or description; re-enable; rotate the secret",
        params: idParamsSchema,
        body: webhookUpdateSchema,
        response: { 200: webhookWithSecretSchema, ...errors },
      },
    },
    async (request) => {
      const hook = await requireWebhook(repos, request.auth, request.params.id);
      const b = request.body;
      if (b.url !== undefined) await checkWebhookUrl(b.url, settings);
      const secret = b.rotateSecret ? newSecret() : undefined;
      const row = await repos.webhooks.updateWebhook(hook.id, {
        ...(b.url !== undefined && { url: b.url }),
        ...(b.eventTypes !== undefined && { eventTypes: [...new Set(b.eventTypes)] }),
        ...(b.description !== undefined && { description: b.description }),
        ...(b.enabled === true && {
          enabled: true,
          disabledAt: null,
          disabledReason: null,
          consecutiveFailures: 0,
          failingSince: null,
        }),
        ...(b.enabled === false &&
          hook.enabled && { enabled: false, disabledAt: nowIso(), disabledReason: "disabled by a user" }),
        ...(secret && { secret }),
      });
      deps.webhooks.invalidate(row.workspaceId);
      return secret ? { webhook: webhookView(row), secret } : { webhook: webhookView(row) };
    },
  );

  r.delete(
    "/api/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Delete an endpoint (pending retries are dropped)",
        params: idParamsSchema,
        response: { 200: okSchema, ...errors },
      },
    },
    async (request) => {
      const hook = await requireWebhook(repos, request.auth, request.params.id);
      await repos.webhooks.deleteWebhook(hook.id);
      deps.webhooks.invalidate(hook.workspaceId);
      return { ok: true as const };
    },
  );

  r.post(
    "/api/webhooks/:id/test",
    {
      schema: {
        tags,
        summary: "Send a signed webhook.test message now and answer how it went",
        description:
          "Delivered at once (not queued, not retried), even to a disabled endpoint, so a fixed receiver can be checked before re-enabling it. The attempt is recorded in the deliveries and counts like any other (a success clears the failure count).",
        params: idParamsSchema,
        response: { 200: webhookTestResponseSchema, ...errors },
      },
    },
    async (request) => {
      const hook = await requireWebhook(repos, request.auth, request.params.id);
      const row = await attemptDelivery(
        deps,
        hook,
        `msg_${newId("test")}`,
        {
          type: "webhook.test",
          timestamp: nowIso(),
          data: { webhookId: hook.id, workspaceId: hook.workspaceId },
        },
        1,
        settings,
        { retry: false },
      );
      return { delivery: deliveryView(row) };
    },
  );

  r.get(
    "/api/webhooks/:id/deliveries",
    {
      schema: {
        tags,
        summary: "Last delivery attempts, newest first",
        params: idParamsSchema,
        querystring: webhookDeliveriesQuerySchema,
        response: { 200: webhookDeliveriesResponseSchema, ...errors },
      },
    },
    async (request) => {
      const hook = await requireWebhook(repos, request.auth, request.params.id);
      return { deliveries: (await listDeliveries(repos, hook.id, request.query.limit)).map(deliveryView) };
    },
  );
}
