import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver speaking plain HTTP; `answer` decides each response (a never-resolving one hangs). */
class Receiver {
  received: Received[] = [];
  answer: (r: Received) => Promise<number> | number = () => 204;
  private server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const r = { path: req.url ?? "", headers: req.headers, body };
      this.received.push(r);
      const status = await this.answer(r);
      res.writeHead(status).end("thanks");
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((ok) => this.server.listen(0, "127.0.0.1", ok));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  on(path: string) {
    return this.received.filter((r) => r.path === path);
  }
  async stop() {
    this.server.closeAllConnections();
    await new Promise((ok) => this.server.close(ok));
  }
}

async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let t: TestApp;
let receiver: Receiver;
let base: string;
let projectId: string;

const ingest = (prompt: string) =>
  t.call({
    method: "POST",
    url: "/api/extension/ingest",
    payload: { projectId, sceneId: "001", platformKey: "runway", assetType: "IMAGE", prompt },
  });
const register = async (path: string, eventTypes: string[], token?: string) => {
  const res = await t.call({
    method: "POST",
    url: "/api/webhooks",
    payload: { url: `${base}${path}`, eventTypes },
    token,
  });
  expect(res.status, res.body).toBe(201);
  return res.json as { webhook: { id: string }; secret: string };
};

beforeAll(async () => {
  receiver = new Receiver();
  base = await receiver.start();
  t = await buildTestApp({
    DAILIES_WEBHOOK_ALLOW_PRIVATE: "1",
    DAILIES_WEBHOOK_RETRY_DELAYS: "0.1,0.1,0.1",
    DAILIES_WEBHOOK_DISABLE_FAILURES: "3",
    DAILIES_WEBHOOK_DISABLE_WINDOW_SECONDS: "0",
    DAILIES_WEBHOOK_TIMEOUT_SECONDS: "3",
  });
  ({ projectId } = await seedProject(t, ["001"]));
});
afterAll(async () => {
  await t.close();
  await receiver.stop();
});

describe("webhooks", () => {
  it("delivers asset.created once, signed so standardwebhooks verifies it; a wrong secret fails", async () => {
    const { webhook, secret } = await register("/created", ["asset.created"]);
    expect(secret).toMatch(/^whsec_/);
    const listed = await t.call({ method: "GET", url: "/api/webhooks" });
    expect(listed.json.webhooks).toEqual([expect.objectContaining({ id: webhook.id, enabled: true })]);
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const filed = await ingest("a signed capture");
    const [got] = await waitFor(() => receiver.on("/created").length > 0 && receiver.on("/created"), "delivery");
    const verified = new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(verified.type).toBe("asset.created");
    expect(Date.parse(verified.timestamp)).not.toBeNaN();
    expect(verified.data).toMatchObject({
      assetVersionId: filed.json.asset.id,
      projectId,
      sceneId: "001",
      assetType: "IMAGE",
    });
    expect(() =>
      new Webhook(`whsec_${Buffer.from("x".repeat(24)).toString("base64")}`).verify(
        got!.body,
        got!.headers as Record<string, string>,
      ),
    ).toThrow(WebhookVerificationError);
    const tampered = got!.body.replace('"IMAGE"', '"VIDEO"');
    expect(tampered).not.toBe(got!.body);
    expect(() => new Webhook(secret).verify(tampered, got!.headers as Record<string, string>)).toThrow(
      WebhookVerificationError,
    );

    await t.app.deps.worker.idle();
    expect(receiver.on("/created")).toHaveLength(1);
    const deliveries = await t.call({ method: "GET", url: `/api/webhooks/${webhook.id}/deliveries` });
    expect(deliveries.json.deliveries).toEqual([
      expect.objectContaining({ eventType: "asset.created", status: "succeeded", responseStatus: 204, attempt: 1 }),
    ]);
    await t.call({ method: "DELETE", url: `/api/webhooks/${webhook.id}` });
  });

  it("delivers job.completed for a project's job, and never announces its own deliveries", async () => {
    const { webhook, secret } = await register("/jobs", ["job.completed", "job.failed"]);
    const started = await t.call({
      method: "POST",
      url: "/api/claude/stories",
      payload: { topic: "A kite over the sea", maxMinutes: 1, projectId, provider: "local" },
    });
    expect(started.status, started.body).toBe(202);
    const [got] = await waitFor(() => receiver.on("/jobs").length > 0 && receiver.on("/jobs"), "job.completed");
    const event = new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event.type).toBe("job.completed");
    expect(event.data).toMatchObject({ jobId: started.json.jobId, status: "completed", projectId });
    await t.app.deps.worker.idle();
    // The delivery job itself completed too, but carries no workspace: no job.completed about it.
    expect(receiver.on("/jobs")).toHaveLength(1);
    await t.call({ method: "DELETE", url: `/api/webhooks/${webhook.id}` });
  });

  it("filters by event type", async () => {
    const { webhook } = await register("/exports-only", ["export.completed"]);
    await ingest("not for the export hook");
    await t.app.deps.worker.idle();
    expect(receiver.on("/exports-only")).toHaveLength(0);
    await t.call({ method: "DELETE", url: `/api/webhooks/${webhook.id}` });
  });

  it("retries a receiver that is down and delivers the same message when it is back", async () => {
    const { webhook, secret } = await register("/flaky", ["asset.created"]);
    let calls = 0;
    receiver.answer = (r) => (r.path === "/flaky" && ++calls <= 2 ? 503 : 204);
    await ingest("retry me");
    await waitFor(() => receiver.on("/flaky").length >= 3, "third attempt");
    await t.app.deps.worker.idle();
    receiver.answer = () => 204;
    const attempts = receiver.on("/flaky");
    // 3 unless a loaded machine made an attempt miss its time limit (then one more retry)
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(new Set(attempts.map((a) => a.headers["webhook-id"])).size).toBe(1);
    const last = attempts.at(-1)!;
    expect(new Webhook(secret).verify(last.body, last.headers as Record<string, string>)).toBeTruthy();
    const log = (await t.call({ method: "GET", url: `/api/webhooks/${webhook.id}/deliveries` })).json.deliveries;
    expect(log.map((d: { attempt: number }) => d.attempt)).toEqual(attempts.map((_, i) => attempts.length - i));
    expect(log[0]).toMatchObject({ status: "succeeded", responseStatus: 204, nextAttemptAt: null });
    const first = log.at(-1);
    expect(first).toMatchObject({ status: "failed", responseStatus: 503, error: "receiver answered 503" });
    expect(first.nextAttemptAt).not.toBeNull();
    const after = (await t.call({ method: "GET", url: "/api/webhooks" })).json.webhooks[0];
    expect(after).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    await t.call({ method: "DELETE", url: `/api/webhooks/${webhook.id}` });
  });

  it("disables an endpoint after repeated failures, visibly, and re-enables on request", async () => {
    const { webhook } = await register("/dead", ["asset.created"]);
    receiver.answer = (r) => (r.path === "/dead" ? 500 : 204);
    await ingest("nobody home");
    const view = await waitFor(async () => {
      const [row] = (await testSql(t, "select enabled from webhooks where id = ?", [webhook.id])) as [
        {
          enabled: number;
        },
      ];
      return row.enabled === 0 && row;
    }, "disabled");
    expect(view.enabled).toBe(0);
    await t.app.deps.worker.idle();
    expect(receiver.on("/dead")).toHaveLength(3);
    const listed = (await t.call({ method: "GET", url: "/api/webhooks" })).json.webhooks.find(
      (w: { id: string }) => w.id === webhook.id,
    );
    expect(listed).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(listed.disabledReason).toContain("3 consecutive failed deliveries");
    expect(listed.disabledAt).not.toBeNull();
    // A disabled endpoint receives nothing new.
    await ingest("still nobody");
    await t.app.deps.worker.idle();
    expect(receiver.on("/dead")).toHaveLength(3);
    // The test route checks a fixed receiver; re-enabling clears the failures.
    receiver.answer = () => 204;
    const test = await t.call({ method: "POST", url: `/api/webhooks/${webhook.id}/test` });
    expect(test.json.delivery).toMatchObject({ eventType: "webhook.test", status: "succeeded", responseStatus: 204 });
    const enabled = await t.call({ method: "PATCH", url: `/api/webhooks/${webhook.id}`, payload: { enabled: true } });
    expect(enabled.json.webhook).toMatchObject({ enabled: true, disabledAt: null, consecutiveFailures: 0 });
    await t.call({ method: "DELETE", url: `/api/webhooks/${webhook.id}` });
  });

  it("a receiver that never answers times out and never holds up an ingest", async () => {
    const { webhook } = await register("/hang", ["asset.created"]);
    const release: Array<() => void> = [];
    receiver.answer = (r) => (r.path === "/hang" ? new Promise((ok) => release.push(() => ok(204))) : 204);
    // Every ingest completes while the receiver holds its requests open.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ingest(`hang ${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const failed = await waitFor(
      async () =>
        (
          (await testSql(t, "select error from webhook_deliveries where webhook_id = ? and status = 'failed'", [
            webhook.id,
          ])) as { error: string }[]
        )[0],
      "a timed-out attempt",
    );
    expect(failed.error).toContain("no answer within 3 s");
    await t.call({ method: "DELETE", url: `/api/webhooks/${webhook.id}` });
    for (const r of release) r();
    receiver.answer = () => 204;
    await t.app.deps.worker.idle();
  });

  it("rotates the secret, validates input, and keeps other users out", async () => {
    const { webhook, secret } = await register("/rotate", ["asset.updated", "job.completed"]);
    const rotated = await t.call({
      method: "PATCH",
      url: `/api/webhooks/${webhook.id}`,
      payload: { rotateSecret: true },
    });
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(secret);
    const test = await t.call({ method: "POST", url: `/api/webhooks/${webhook.id}/test` });
    expect(test.json.delivery.status).toBe("succeeded");
    const got = receiver.on("/rotate").at(-1)!;
    expect(new Webhook(rotated.json.secret).verify(got.body, got.headers as Record<string, string>)).toMatchObject({
      type: "webhook.test",
    });
    const bad = await t.call({
      method: "POST",
      url: "/api/webhooks",
      payload: { url: "ftp://x", eventTypes: ["asset.nope", "job.progress"] },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.details.fieldErrors).sort()).toEqual(["eventTypes.0", "eventTypes.1", "url"]);
    for (const [method, url] of [
      ["PATCH", `/api/webhooks/${webhook.id}`],
      ["DELETE", `/api/webhooks/${webhook.id}`],
      ["POST", `/api/webhooks/${webhook.id}/test`],
      ["GET", `/api/webhooks/${webhook.id}/deliveries`],
    ] as const) {
      const res = await t.call({ method, url, token: t.other.token, payload: method === "PATCH" ? {} : undefined });
      expect(res.status, `${method} ${url}`).toBe(404);
    }
    expect((await t.call({ method: "GET", url: "/api/webhooks", token: t.other.token })).json.webhooks).toEqual([]);
  });
});

describe("webhook address guard", () => {
  it("refuses loopback and private targets without the setting", async () => {
    const strict = await buildTestApp({});
    try {
      for (const url of [`${base}/x`, "http://localhost:9/x", "http://10.0.0.5/x", "http://[::1]:8080/x"]) {
        const res = await strict.call({
          method: "POST",
          url: "/api/webhooks",
          payload: { url, eventTypes: ["asset.created"] },
        });
        expect(res.status, url).toBe(400);
        expect(res.json.error).toBe("Webhook URL refused");
        expect(res.json.details.hint).toContain("DAILIES_WEBHOOK_ALLOW_PRIVATE");
      }
    } finally {
      await strict.close();
    }
  });
});
