import type { DailiesEvent } from "@dailies/shared";
import { describe, expect, it } from "vitest";
import { EventBus, type EventOrigin } from "../../src/events/bus.js";
import { decodeRelayed, type EventChannel, encodeRelayed, relayEvents } from "../../src/events/relay.js";

/** A channel like LISTEN/NOTIFY: every listener of every process gets every message, the sender's own too. */
function sharedChannel(): () => EventChannel & { sent: string[] } {
  const listeners = new Set<(message: string) => void>();
  return () => {
    const sent: string[] = [];
    return {
      sent,
      async send(message) {
        sent.push(message);
        for (const listener of [...listeners]) queueMicrotask(() => listener(message));
      },
      async listen(onMessage) {
        listeners.add(onMessage);
        return async () => void listeners.delete(onMessage);
      },
    };
  };
}

const quietLog = { warn: () => {} };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const input = {
  type: "asset.created" as const,
  workspaceId: "ws1",
  projectId: "p1",
  data: { assetVersionId: "av1", versionNumber: 3 },
};

describe("event relay between processes", () => {
  it("delivers an event published in one process to the other, once, marked remote", async () => {
    const connect = sharedChannel();
    const [a, b] = [new EventBus(), new EventBus()];
    await relayEvents(a, connect(), quietLog);
    await relayEvents(b, connect(), quietLog);
    const seenA: [DailiesEvent, EventOrigin][] = [];
    const seenB: [DailiesEvent, EventOrigin][] = [];
    a.subscribe((e, o) => seenA.push([e, o]));
    b.subscribe((e, o) => seenB.push([e, o]));

    a.publish(input);
    await settle();

    expect(seenA.map(([e, o]) => [e.type, o])).toEqual([["asset.created", "local"]]);
    expect(seenB).toHaveLength(1);
    const [event, origin] = seenB[0] ?? [];
    expect(origin).toBe("remote");
    expect(event).toMatchObject(input);
    // The id is this process's own, so a stream reconnecting to process B resumes with B's numbering.
    expect(event?.id.startsWith(`${b.runId}-`)).toBe(true);
  });

  it("does not send relayed events back (no echo loop between processes)", async () => {
    const connect = sharedChannel();
    const [a, b] = [new EventBus(), new EventBus()];
    const channelA = connect();
    const channelB = connect();
    await relayEvents(a, channelA, quietLog);
    await relayEvents(b, channelB, quietLog);
    a.publish(input);
    await settle();
    await settle();
    expect(channelA.sent).toHaveLength(1);
    expect(channelB.sent).toHaveLength(0);
  });

  it("stops relaying when stopped", async () => {
    const connect = sharedChannel();
    const [a, b] = [new EventBus(), new EventBus()];
    const stopA = await relayEvents(a, connect(), quietLog);
    await relayEvents(b, connect(), quietLog);
    const seenB: DailiesEvent[] = [];
    b.subscribe((e) => seenB.push(e));
    await stopA();
    a.publish(input);
    await settle();
    expect(seenB).toEqual([]);
  });

  it("a failing channel never fails the publisher, and is logged", async () => {
    const warnings: string[] = [];
    const bus = new EventBus();
    await relayEvents(
      bus,
      { send: () => Promise.reject(new Error("connection lost")), listen: async () => async () => {} },
      { warn: (_d, message) => warnings.push(message) },
    );
    expect(() => bus.publish(input)).not.toThrow();
    await settle();
    expect(warnings).toEqual(["could not relay an event to other processes"]);
  });

  it("ignores messages that are not relayed events", () => {
    expect(decodeRelayed("not json")).toBeUndefined();
    expect(
      decodeRelayed(JSON.stringify({ from: "x", type: "nope", workspaceId: "w", projectId: null, data: {} })),
    ).toBe(undefined);
    const ok = encodeRelayed("run1", input);
    expect(ok && decodeRelayed(ok)).toEqual({ from: "run1", ...input });
  });

  it("refuses to send a message above PostgreSQL's NOTIFY limit", () => {
    expect(encodeRelayed("run1", { ...input, data: { big: "x".repeat(9000) } })).toBeUndefined();
  });
});
