import type { DailiesEvent } from "@dailies/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBus } from "../../src/events/bus.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";

describe("EventBus", () => {
  it("numbers events and replays what a reconnecting client missed", () => {
    const bus = new EventBus(3);
    const seen: DailiesEvent[] = [];
    const stop = bus.subscribe((e) => seen.push(e));
    const first = bus.publish({ type: "job.completed", workspaceId: "w", projectId: null, data: {} });
    bus.publish({ type: "job.failed", workspaceId: "w", projectId: null, data: {} });
    stop();
    bus.publish({ type: "job.progress", workspaceId: "w", projectId: null, data: {} });
    expect(seen.map((e) => e.type)).toEqual(["job.completed", "job.failed"]);
    expect(bus.since(first.id)?.map((e) => e.type)).toEqual(["job.failed", "job.progress"]);
    expect(bus.since("otherrun-1")).toBeUndefined();
  });

  it("says 'refetch' when the gap is older than the buffer", () => {
    const bus = new EventBus(2);
    const first = bus.publish({ type: "job.completed", workspaceId: "w", projectId: null, data: {} });
    for (let i = 0; i < 3; i++) bus.publish({ type: "job.completed", workspaceId: "w", projectId: null, data: {} });
    expect(bus.since(first.id)).toBeUndefined();
  });

  it("keeps publishing when a subscriber throws", () => {
    const bus = new EventBus();
    bus.subscribe(() => {
      throw new Error("closed stream");
    });
    expect(() => bus.publish({ type: "job.completed", workspaceId: "w", projectId: null, data: {} })).not.toThrow();
  });
});

describe("events published by the server", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it("announces a new version after the ingest and a selection change, in the project's workspace", async () => {
    const { projectId } = await seedProject(t);
    const seen: DailiesEvent[] = [];
    const stop = t.app.deps.events.subscribe((e) => seen.push(e));
    const ingest = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId, sceneId: "001", assetType: "VIDEO", platformKey: "sora", prompt: "a red fox" },
    });
    expect(ingest.status).toBe(200);
    const assetId = ingest.json.asset.id;
    await t.call({ method: "PATCH", url: "/api/extension/asset-update", payload: { assetId, selected: true } });
    stop();
    const me = await t.call({ method: "GET", url: "/api/me" });
    expect(seen.map((e) => e.type)).toEqual(["asset.created", "asset.updated"]);
    expect(seen[0]).toMatchObject({
      projectId,
      data: { assetVersionId: assetId, sceneId: "001", versionNumber: 1, mirrorStatus: "none" },
    });
    expect(seen[1]).toMatchObject({ data: { assetVersionId: assetId, selected: true } });
    expect(me.status).toBe(200);
    expect(JSON.stringify(me.json)).toContain(seen[0]!.workspaceId);
  });
});
