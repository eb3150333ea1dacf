import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
});
afterAll(() => t.close());

describe("smoke", () => {
  it("ingests", async () => {
    const { projectId } = await seedProject(t);
    const res = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId, sceneId: "001", platformKey: "openai-sora", assetType: "VIDEO", prompt: "a ship" },
    });
    expect(res.status, res.body).toBe(200);
    expect(res.json.asset.versionNumber).toBe(1);
    const doc = await t.call({ method: "GET", url: "/openapi.json", token: null });
    expect(doc.status, doc.body.slice(0, 500)).toBe(200);
  });
});
