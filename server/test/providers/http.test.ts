import { afterEach, describe, expect, it } from "vitest";
import { backoffMs, createHttpClient, retryAfterMs, retryInfoMs, upstreamMessage } from "../../src/providers/http.js";
import { ProviderError } from "../../src/providers/types.js";
import { describeWait, withWaitReporter } from "../../src/providers/waits.js";
import { type FakeServer, type Handler, sequence, startFakeServer } from "./fakeServer.js";

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler, retry: Parameters<typeof createHttpClient>[0]["retry"] = {}) {
  server = await startFakeServer(handler);
  const waits: number[] = [];
  const http = createHttpClient({
    provider: "acme",
    authHeaders: { authorization: "Bearer k" },
    authOrigin: server.url,
    retry: {
      maxTries: 3,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...retry,
    },
  });
  return { http, waits, server };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("createHttpClient", () => {
  it("backs off exponentially with jitter between retries of a 5xx", async () => {
    const { http, waits, server } = await setup(sequence({ status: 503, json: { error: "busy" } }));
    const error = await failure(http.getJson(`${server.url}/x`));
    expect(error.kind).toBe("upstream");
    expect(error.status).toBe(503);
    expect(error.message).toBe("acme failed with 503 after 3 tries: busy");
    // attempt 1: 100 ms step → 50 + 0.5·50; attempt 2: 200 ms step → 100 + 0.5·100
    expect(waits).toEqual([75, 150]);
  });

  it("waits at least as long as Retry-After says", async () => {
    const { http, waits, server } = await setup(
      sequence(
        { status: 429, headers: { "retry-after": "2" } },
        { status: 503, headers: { "retry-after": "7" } },
        { json: { ok: true } },
      ),
    );
    await expect(http.getJson(`${server.url}/x`)).resolves.toEqual({ ok: true });
    expect(waits).toEqual([2000, 7000]);
  });

  it("fails at once, rate limited, when asked to wait longer than maxDelayMs (a retry sooner would be refused)", async () => {
    const { http, waits, server } = await setup(sequence({ status: 429, headers: { "retry-after": "3600" } }));
    const error = await failure(http.getJson(`${server.url}/x`));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.message).toBe(
      "acme rate limited (429) and asked to wait 3600 s, longer than the 10 s Dailies waits (DAILIES_PROVIDER_MAX_WAIT_SECONDS)",
    );
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it("honours Google's RetryInfo in a 429 body and says it is waiting", async () => {
    const body = {
      error: {
        code: 429,
        message: "You exceeded your current quota.",
        status: "RESOURCE_EXHAUSTED",
        details: [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaMetric: "x" }] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "26s" },
        ],
      },
    };
    const { http, waits, server } = await setup(sequence({ status: 429, json: body }, { json: { ok: true } }), {
      maxDelayMs: 60_000,
    });
    const seen: (string | null)[] = [];
    const before = Date.now();
    await expect(
      withWaitReporter(
        (wait) => seen.push(wait ? `${wait.provider} ${wait.reason} ${wait.until.getTime() - before >= 26_000}` : null),
        () => http.postJson(`${server.url}/x`, {}),
      ),
    ).resolves.toEqual({ ok: true });
    expect(waits).toEqual([26_000]);
    expect(seen).toEqual(["acme rate limited true", null]);
    expect(retryInfoMs(body)).toBe(26_000);
    expect(
      retryInfoMs({
        error: { details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "0.5s" }] },
      }),
    ).toBe(500);
    expect(retryInfoMs({ error: { details: [{ reason: "API_KEY_INVALID" }] } })).toBeUndefined();
  });

  it("retries a create (idempotent: false) on 429 only: never on a 5xx or a lost connection", async () => {
    const { http, server } = await setup(
      sequence(
        { status: 429, json: { detail: "slow down" } },
        { status: 500, json: { detail: "boom" } },
        { json: { ok: true } },
      ),
    );
    const error = await failure(http.postJson(`${server.url}/x`, {}, { idempotent: false }));
    expect(error).toMatchObject({ kind: "upstream", status: 500 });
    expect(server.requests).toHaveLength(2);

    const gone = createHttpClient({ provider: "acme", retry: { maxTries: 3, sleep: async () => {} } });
    const closed = await startFakeServer(() => ({ body: "" }));
    await closed.close();
    const lost = await failure(gone.postJson(`${closed.url}/x`, {}, { idempotent: false }));
    expect(lost.message).toMatch(/^acme could not be reached after 1 try/);
  });

  it("does not retry a 400 and keeps the upstream message", async () => {
    const { http, server } = await setup(sequence({ status: 422, json: { detail: "prompt is required" } }));
    const error = await failure(http.postJson(`${server.url}/x`, {}));
    expect(error.kind).toBe("bad_request");
    expect(error.message).toBe("acme rejected the request (422): prompt is required");
    expect(server.requests).toHaveLength(1);
  });

  it("maps 403 to an auth error", async () => {
    const { http } = await setup(sequence({ status: 403, body: "Forbidden" }));
    const error = await failure(http.getJson(`${server?.url}/x`));
    expect(error.kind).toBe("auth");
    expect(error.message).toBe("acme rejected the API key (403): Forbidden");
  });

  it("lets a provider classify an error body, which also stops the retries", async () => {
    server = await startFakeServer(sequence({ status: 429, json: { error: { code: "insufficient_quota" } } }));
    const http = createHttpClient({
      provider: "acme",
      retry: { maxTries: 3, baseDelayMs: 1 },
      classifyError: (status, body) =>
        status === 429 && (body as { error?: { code?: string } }).error?.code === "insufficient_quota"
          ? "auth"
          : undefined,
    });
    const error = await failure(http.getJson(`${server.url}/x`));
    expect(error.kind).toBe("auth");
    expect(server.requests).toHaveLength(1);
  });

  it("retries network errors and reports an unreachable host", async () => {
    let attempts = 0;
    const http = createHttpClient({
      provider: "acme",
      retry: { maxTries: 3, baseDelayMs: 1 },
      fetch: async () => {
        attempts++;
        throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") });
      },
    });
    const error = await failure(http.getJson("http://127.0.0.1:9/x"));
    expect(error.kind).toBe("upstream");
    expect(error.message).toBe(
      "acme could not be reached after 3 tries: fetch failed (connect ECONNREFUSED 127.0.0.1:9)",
    );
    expect(attempts).toBe(3);
  });

  it("recovers when a network error is followed by an answer", async () => {
    let attempts = 0;
    const http = createHttpClient({
      provider: "acme",
      retry: { maxTries: 3, baseDelayMs: 1 },
      fetch: async () => {
        attempts++;
        if (attempts === 1) throw new TypeError("fetch failed");
        return new Response('{"ok":1}', { status: 200 });
      },
    });
    await expect(http.getJson("http://example.invalid/x")).resolves.toEqual({ ok: 1 });
  });

  it("times out a slow answer without retrying it", async () => {
    // Generous margins: on a loaded machine a 30 ms limit can pass before the request even reaches the server.
    const { http, server } = await setup(
      () => new Promise((resolve) => setTimeout(() => resolve({ json: {} }), 3000)),
      {
        timeoutMs: 400,
      },
    );
    const error = await failure(http.getJson(`${server.url}/slow`));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("acme timed out: no answer within 0.4 s");
    expect(server.requests).toHaveLength(1);
  });

  it("sends auth headers to its own origin only", async () => {
    const other = await startFakeServer(() => ({ body: "x" }));
    try {
      const { http, server } = await setup(() => ({ body: "y" }));
      await http.getBytes(`${server.url}/a`);
      await http.getBytes(`${other.url}/b`);
      expect(server.requests[0]?.headers.authorization).toBe("Bearer k");
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe("http helpers", () => {
  it("reads Retry-After as seconds, as an HTTP date, and retry-after-ms", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "1.5" }), now)).toBe(1500);
    expect(retryAfterMs(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:07 GMT" }), now)).toBe(7000);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  it("keeps backoff within [step/2, step]", () => {
    expect(backoffMs(1, 100, () => 0)).toBe(50);
    expect(backoffMs(3, 100, () => 1)).toBe(400);
  });

  it("pulls the human message out of each provider's error body", () => {
    expect(upstreamMessage('{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}')).toBe("slow");
    expect(upstreamMessage('{"detail":"Invalid version","status":422}')).toBe("Invalid version");
    expect(upstreamMessage('{"error":"model not found"}')).toBe("model not found");
    expect(upstreamMessage("  bad\n gateway ")).toBe("bad gateway");
    expect(upstreamMessage("x".repeat(400))).toHaveLength(301);
  });
});

describe("describeWait", () => {
  it("says what a job waits for, in UTC", () => {
    const until = new Date("2026-11-30T19:42:07.400Z");
    expect(describeWait({ provider: "gemini", until, reason: "rate limited" })).toBe(
      "waiting for gemini quota until 19:42:07 UTC (rate limited)",
    );
    expect(describeWait({ provider: "claude", until, reason: "answered 529" })).toBe(
      "waiting to retry claude until 19:42:07 UTC (answered 529)",
    );
  });
});
