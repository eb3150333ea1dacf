import type { DailiesEvent } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { backoffMs, type EventSourceLike, EventStreamClient } from "../src/lib/eventStream";

/** A scripted EventSource: the test opens, fails and feeds it like a server would. */
class FakeSource implements EventSourceLike {
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  closed = false;
  private handlers = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (ev: MessageEvent) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), fn]);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  emit(type: string, id: string, data: unknown) {
    for (const fn of this.handlers.get(type) ?? [])
      fn(new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id }));
  }
  /** The browser gave up (a refused reconnect): readyState CLOSED then error. */
  fail() {
    this.readyState = 2;
    this.onerror?.(new Event("error"));
  }
  /** A dropped connection the browser retries by itself. */
  drop() {
    this.readyState = 0;
    this.onerror?.(new Event("error"));
  }
}

function setup() {
  const sources: FakeSource[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: DailiesEvent[] = [];
  const statuses: string[] = [];
  let resyncs = 0;
  const client = new EventStreamClient({
    url: "/api/events",
    open: (url) => {
      const s = new FakeSource(url);
      sources.push(s);
      return s;
    },
    onEvent: (e) => events.push(e),
    onResync: () => resyncs++,
    onStatus: (s) => statuses.push(s),
    schedule: (fn, ms) => timers.push({ fn, ms }),
    cancel: () => undefined,
  });
  return { client, sources, timers, events, statuses, resyncs: () => resyncs };
}

const event = (id: string): DailiesEvent => ({
  id,
  type: "asset.created",
  timestamp: "2026-11-30T10:00:00.000Z",
  workspaceId: "ws_1",
  projectId: "proj_1",
  data: { assetVersionId: "av_1" },
});

describe("event stream client", () => {
  it("delivers parsed events and remembers the last id", () => {
    const { client, sources, events } = setup();
    client.start();
    sources[0]!.open();
    sources[0]!.emit("ready", "run1-0", { workspaceId: "ws_1" });
    sources[0]!.emit("asset.created", "run1-1", event("run1-1"));
    sources[0]!.emit("asset.created", "run1-2", { not: "an event" });
    expect(events.map((e) => e.id)).toEqual(["run1-1"]);
    expect(client.lastEventId).toBe("run1-2");
    expect(client.status).toBe("open");
  });

  it("lets the browser retry a dropped connection by itself", () => {
    const { client, sources, timers } = setup();
    client.start();
    sources[0]!.open();
    sources[0]!.drop();
    expect(client.status).toBe("reconnecting");
    expect(timers).toHaveLength(0);
    expect(sources).toHaveLength(1);
  });

  it("reopens after the browser gives up (server restart), with the last id, backing off", () => {
    const { client, sources, timers, resyncs } = setup();
    client.start();
    sources[0]!.open();
    sources[0]!.emit("ready", "run1-7", {});
    sources[0]!.fail();
    expect(sources[0]!.closed).toBe(true);
    expect(timers[0]!.ms).toBe(500);
    timers[0]!.fn();
    expect(sources[1]!.url).toBe("/api/events?lastEventId=run1-7");
    sources[1]!.fail(); // still down
    expect(timers[1]!.ms).toBe(1000);
    timers[1]!.fn();
    sources[2]!.open(); // back up: a new run cannot replay
    sources[2]!.emit("resync", "run2-0", {});
    expect(resyncs()).toBe(1);
    expect(client.status).toBe("open");
    expect(client.lastEventId).toBe("run2-0");
    // A later failure starts the backoff from the beginning again.
    sources[2]!.fail();
    expect(timers[2]!.ms).toBe(500);
  });

  it("stops for good: no reconnect after stop()", () => {
    const { client, sources, timers } = setup();
    client.start();
    client.stop();
    sources[0]!.fail();
    expect(timers).toHaveLength(0);
    expect(client.status).toBe("stopped");
  });

  it("backs off up to 10 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(backoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });
});
