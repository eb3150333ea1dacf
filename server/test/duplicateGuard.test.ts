/**
 * The duplicate guard (a re-send without Idempotency-Key) keeps a small record per filed capture and rebuilds
 * the first reply from the identical body: the answer must stay the first reply exactly (as when the whole reply
 * was stored), whatever happened to the version since. compat.test.ts covers the rule itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";

let t: TestApp;
let projectId: string;

const ingest = (payload: Record<string, unknown>, query = "") =>
  t.call({ method: "POST", url: `/api/extension/ingest${query}`, payload });
let take = 0;
const capture = (extra: Record<string, unknown> = {}) => ({
  projectId,
  sceneId: "001",
  platformKey: "runway",
  assetType: "VIDEO",
  prompt: "Rain on a tin roof",
  outputUrl: `https://cdn.example.com/gen/${++take}.mp4`,
  ...extra,
});
const guardRecords = async () =>
  (await testSql(
    t,
    'select key, length(cast(response as text)) as bytes, body_hash as "bodyHash" from idempotency_keys where route = ?',
    ["ingest-body"],
  )) as Array<{ key: string; bytes: number; bodyHash: number | null }>;

beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
  ({ projectId } = await seedProject(t, ["001"]));
});
afterAll(() => t.close());

describe("duplicate guard record", () => {
  it("answers the first reply, not the version's state since (selection, platform label, prompt package)", async () => {
    const body = capture({
      selected: true,
      platformLabel: "Runway Gen-4",
      createPromptPackage: true,
      rightsState: "COMMERCIAL_ALLOWED",
      thumbnailUrl: "blob:https://app.runwayml.com/1234",
    });
    const first = await ingest(body);
    expect(first.status, first.body).toBe(200);
    expect(first.json.asset).toMatchObject({
      status: "SELECTED",
      rightsState: "COMMERCIAL_ALLOWED",
      mirrorStatus: "pending",
    });
    expect(first.json.asset.promptPackageId).toEqual(expect.any(String));
    expect(first.json.warnings).toHaveLength(1);
    // Another take becomes the selected one: the first is GENERATED now.
    const other = await ingest(capture({ selected: true }));
    expect((await ingest(body)).json).toEqual({ ...first.json, duplicate: true });
    const current = await t.call({ method: "GET", url: `/api/asset-version/${first.json.asset.id}` });
    expect(current.json).toMatchObject({ status: "GENERATED", selected: false });
    expect(other.json.asset.id).not.toBe(first.json.asset.id);
  });

  it("files a body again when its version was deleted, and then answers the new version", async () => {
    const body = capture({ assetType: "IMAGE" });
    const first = await ingest(body);
    await testSql(t, "delete from asset_versions where id = ?", [first.json.asset.id]);
    const second = await ingest(body);
    expect(second.json).not.toHaveProperty("duplicate");
    expect(second.json.asset.id).not.toBe(first.json.asset.id);
    expect((await ingest(body)).json).toEqual({ ...second.json, duplicate: true });
  });

  it("keeps a record of ~200 bytes keyed by the version, only for guarded captures", async () => {
    const before = (await guardRecords()).length;
    const filed = await ingest(capture({ assetType: "AUDIO", prompt: "x".repeat(2000), metadata: { seed: 9 } }));
    await ingest(capture({ assetType: "AUDIO" }), "?allowDuplicate=true");
    await ingest({ projectId, sceneId: "001", platformKey: "runway", assetType: "AUDIO", prompt: "a note" });
    const records = await guardRecords();
    expect(records).toHaveLength(before + 1);
    const record = records.find((r) => r.key === filed.json.asset.id);
    expect(record?.bytes).toBeLessThan(250);
    expect(record?.bodyHash).toEqual(expect.any(Number));
  });

  it("tells apart bodies whose hashes share the indexed prefix", async () => {
    const body = capture({ assetType: "MUSIC" });
    const first = await ingest(body);
    const later = await ingest(capture({ assetType: "MUSIC" }));
    // Every record, the newer one of another body included, now carries this body's 48-bit prefix.
    await testSql(
      t,
      "update idempotency_keys set body_hash = (select body_hash from idempotency_keys where key = ?) where route = 'ingest-body'",
      [first.json.asset.id],
    );
    expect((await ingest(body)).json).toEqual({ ...first.json, duplicate: true });
    expect(later.json.asset.id).not.toBe(first.json.asset.id);
  });
});
