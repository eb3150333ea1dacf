import type { IngestRequest, IngestResponse } from "@dailies/shared";
import { describe, expect, it, vi } from "vitest";
import { backoffDelay, isRetryable, Outbox, type OutboxItem } from "../src/outbox";

const body = (prompt: string): IngestRequest => ({
  projectId: "proj_1",
  sceneId: "001",
  platformKey: "openai-sora",
  assetType: "VIDEO",
  prompt,
});

const ack = (versionNumber: number): IngestResponse => ({
  ok: true,
  asset: {
    id: `asset_${versionNumber}`,
    versionNumber,
    platformKey: "openai-sora",
    platformLabel: "OpenAI Sora",
    assetType: "VIDEO",
    status: "DRAFT",
    rightsState: "UNKNOWN",
    shotId: null,
    sceneId: "001",
    projectId: "proj_1",
    promptPackageId: null,
    externalAssetId: null,
    mirrorStatus: "none",
    createdAt: "2026-02-14T12:00:00.000Z",
  },
});

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
  ) {
    super(error);
  }
}

function setup(send: (body: IngestRequest, key: string) => Promise<IngestResponse>) {
  let stored: OutboxItem[] = [];
  let clock = 1_000_000;
  let keys = 0;
  const wakes: (number | undefined)[] = [];
  const filed: string[] = [];
  const sendSpy = vi.fn(send);
  const outbox = new Outbox({
    storage: {
      read: async () => structuredClone(stored),
      write: async (items) => {
        stored = structuredClone(items);
      },
    },
    send: sendSpy,
    scheduleWake: (at) => {
      wakes.push(at);
    },
    onFiled: (item) => {
      filed.push(item.captureKey);
    },
    now: () => clock,
    newKey: () => `key-${++keys}`,
  });
  return {
    outbox,
    send: sendSpy,
    wakes,
    filed,
    stored: () => stored,
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
}

const entry = (n: number) => ({ captureKey: `openai-sora:gen_${n}`, label: `prompt ${n}`, body: body(`prompt ${n}`) });

describe("outbox", () => {
  it("stores the item with its Idempotency-Key before sending, and removes it on the server's 200", async () => {
    let seenInStorage: OutboxItem[] = [];
    const t = setup(async (_body, key) => {
      seenInStorage = t.stored();
      expect(key).toBe("key-1");
      return ack(1);
    });
    const results = await t.outbox.submit([entry(1)]);

    expect(seenInStorage).toHaveLength(1);
    expect(seenInStorage[0]).toMatchObject({ id: "key-1", captureKey: "openai-sora:gen_1", state: "pending" });
    expect(results.map((r) => r.outcome)).toEqual(["filed"]);
    expect(t.stored()).toEqual([]);
    expect(t.filed).toEqual(["openai-sora:gen_1"]);
    expect(t.wakes.at(-1)).toBeUndefined();
  });

  it("keeps the item after a network error and retries it with backoff and the same key", async () => {
    let online = false;
    const t = setup(async () => {
      if (!online) throw new ApiError(0, "Server unreachable: fetch failed");
      return ack(1);
    });
    const [first] = await t.outbox.submit([entry(1)]);
    expect(first?.outcome).toBe("waiting");
    expect(t.stored()).toHaveLength(1);
    expect(t.stored()[0]).toMatchObject({ id: "key-1", attempts: 1, state: "pending", lastStatus: 0 });
    expect(t.stored()[0]?.nextAttemptAt).toBe(t.now() + 2_000);
    expect(t.wakes.at(-1)).toBe(t.now() + 2_000);

    // Not due yet: nothing is sent.
    await t.outbox.flush();
    expect(t.send).toHaveBeenCalledTimes(1);

    // Due, still offline: the delay doubles.
    t.advance(2_000);
    await t.outbox.flush();
    expect(t.send).toHaveBeenCalledTimes(2);
    expect(t.stored()[0]).toMatchObject({ attempts: 2, nextAttemptAt: t.now() + 4_000 });

    online = true;
    t.advance(4_000);
    const results = await t.outbox.flush();
    expect(results.map((r) => r.outcome)).toEqual(["filed"]);
    expect(t.send.mock.calls.map(([, key]) => key)).toEqual(["key-1", "key-1", "key-1"]);
    expect(t.stored()).toEqual([]);
  });

  it.each([408, 429, 500, 503])("retries HTTP %i", async (status) => {
    const t = setup(async () => {
      throw new ApiError(status, "busy");
    });
    const [result] = await t.outbox.submit([entry(1)]);
    expect(result?.outcome).toBe("waiting");
    expect(t.stored()[0]?.state).toBe("pending");
  });

  it.each([
    [400, "Invalid payload (prompt: Required)"],
    [401, "Unauthorized"],
    [404, "Scene not found"],
  ])("marks HTTP %i failed with the server's message and leaves it until retried", async (status, message) => {
    let accept = false;
    const t = setup(async () => {
      if (!accept) throw new ApiError(status, message);
      return ack(2);
    });
    const [result] = await t.outbox.submit([entry(1)]);
    expect(result?.outcome).toBe("failed");
    expect(t.stored()[0]).toMatchObject({ state: "failed", lastError: message, lastStatus: status });

    // Failed items are not retried automatically, whatever the time.
    t.advance(24 * 3600_000);
    await t.outbox.flush();
    expect(t.send).toHaveBeenCalledTimes(1);

    accept = true;
    const retried = await t.outbox.retry("key-1");
    expect(retried.map((r) => r.outcome)).toEqual(["filed"]);
    expect(t.send.mock.calls.map(([, key]) => key)).toEqual(["key-1", "key-1"]);
    expect(t.stored()).toEqual([]);
  });

  it("sends in capture order and one failure does not hold back the others", async () => {
    const t = setup(async (b) => {
      if (b.prompt === "prompt 2") throw new ApiError(404, "Scene not found");
      return ack(1);
    });
    const results = await t.outbox.submit([entry(1), entry(2), entry(3)]);
    expect(results.map((r) => r.outcome)).toEqual(["filed", "failed", "filed"]);
    expect(t.send.mock.calls.map(([b]) => b.prompt)).toEqual(["prompt 1", "prompt 2", "prompt 3"]);
    expect(t.stored().map((i) => i.captureKey)).toEqual(["openai-sora:gen_2"]);
  });

  it("never sends the same item twice at once (alarm and popup flushing together)", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const t = setup(async () => {
      await gate;
      return ack(1);
    });
    await t.outbox.enqueue([entry(1), entry(2)]);
    const a = t.outbox.flush();
    const b = t.outbox.flush();
    await new Promise((r) => setTimeout(r, 10));
    release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.length + rb.length).toBe(2);
    expect(t.send).toHaveBeenCalledTimes(2);
  });

  it("discards an item", async () => {
    const t = setup(async () => {
      throw new ApiError(400, "bad");
    });
    await t.outbox.submit([entry(1)]);
    await t.outbox.discard("key-1");
    expect(t.stored()).toEqual([]);
  });

  it("backs off exponentially up to a cap", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffDelay(40)).toBe(10 * 60_000);
    expect([0, 408, 429, 500, 502].every(isRetryable)).toBe(true);
    expect([400, 401, 403, 404, 409, 413].some(isRetryable)).toBe(false);
  });
});
