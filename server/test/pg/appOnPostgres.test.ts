// The server itself on PostgreSQL (issue 15): the same routes as on SQLite, through the same repositories.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, ingestCapture, seedProject, type TestApp } from "../helpers/app.js";
import { useTestDatabase } from "../support/testDatabase.js";

const database = useTestDatabase();
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ DAILIES_DATABASE_URL: database.url });
});
afterAll(async () => {
  await t?.close();
});

describe("the server on PostgreSQL", () => {
  it("says so in its health details and keeps no SQLite file", async () => {
    const health = await t.call({ method: "GET", url: "/api/health" });
    expect(health.status, health.body).toBe(200);
    expect(health.json.details.database).toMatchObject({ ok: true });
    expect(t.app.deps.repos).toBeDefined();
    expect(() => t.app.deps.db.$client).toThrow(/PostgreSQL/);
  });

  it("numbers 200 concurrent captures of one scene 1..200, without a gap or a duplicate", async () => {
    const { projectId } = await seedProject(t);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ingestCapture(t, projectId, { prompt: `take ${i}` })),
    );
    const failed = results.filter((r) => r.status !== 200).map((r) => r.body);
    expect(failed).toEqual([]);
    const numbers = results.map((r) => r.json.asset.versionNumber as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const listed = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&limit=100`,
    });
    expect(listed.status, listed.body).toBe(200);
    // Newest first: the last number filed leads.
    expect(listed.json.assets[0].versionNumber).toBe(200);
  });

  it("answers an Idempotency-Key's retry from the first answer, and a re-sent body as a duplicate", async () => {
    const { projectId } = await seedProject(t);
    const body = { projectId, sceneId: "001", platformKey: "openai-sora", assetType: "VIDEO", prompt: "p" };
    const headers = { "idempotency-key": "retry-1" };
    const [a, b] = await Promise.all([
      t.call({ method: "POST", url: "/api/extension/ingest", payload: body, headers }),
      t.call({ method: "POST", url: "/api/extension/ingest", payload: body, headers }),
    ]);
    expect(a.json.asset.id).toBe(b.json.asset.id);
    const withUrl = { ...body, outputUrl: "https://cdn.example/v.mp4" };
    const first = await t.call({ method: "POST", url: "/api/extension/ingest", payload: withUrl });
    const again = await t.call({ method: "POST", url: "/api/extension/ingest", payload: withUrl });
    expect(again.json).toMatchObject({ duplicate: true, asset: { id: first.json.asset.id } });
  });

  it("keeps each user's projects their own (404 for another's)", async () => {
    const { projectId } = await seedProject(t);
    const theirs = await t.call({ method: "GET", url: `/api/project/${projectId}`, token: t.other.token });
    expect(theirs.status).toBe(404);
    const listed = await t.call({ method: "GET", url: "/api/project", token: t.other.token });
    expect(listed.json.projects).toEqual([]);
  });

  it("runs a job through the PostgreSQL queue: a failed mirror is retried as asked and ends failed with its reason", async () => {
    const { projectId } = await seedProject(t);
    const filed = await ingestCapture(t, projectId, { outputUrl: "http://127.0.0.1:9/v.mp4" });
    expect(filed.status, filed.body).toBe(200);
    await t.app.deps.worker.idle(30_000);
    const asset = await t.call({ method: "GET", url: `/api/asset-version/${filed.json.asset.id}` });
    expect(asset.json.mirrorStatus).toBe("failed");
    expect(asset.json.mirrorError).toMatch(/DAILIES_MIRROR_ALLOW_PRIVATE/);
  });
});
