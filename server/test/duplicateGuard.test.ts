/**
 * The duplicate guard (a re-send without Idempotency-Key) keeps the body's hash on the version it filed and
 * rebuilds the first reply from the identical body and that version: the answer must stay the first reply
 * (as when the whole reply was stored), whatever happened to the version's selection since. compat.test.ts covers
 * the rule itself.
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
const bodyHashes = async () =>
  (await testSql(t, 'select id, body_sha256 as "sha256" from asset_versions where body_sha256 is not null')) as Array<{
    id: string;
    sha256: string;
  }>;

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

  it("keeps the body's hash on the version, only for guarded captures, and no record of its own", async () => {
    const before = (await bodyHashes()).length;
    const filed = await ingest(capture({ assetType: "AUDIO", prompt: "x".repeat(2000), metadata: { seed: 9 } }));
    await ingest(capture({ assetType: "AUDIO" }), "?allowDuplicate=true");
    await ingest({ projectId, sceneId: "001", platformKey: "runway", assetType: "AUDIO", prompt: "a note" });
    const hashes = await bodyHashes();
    expect(hashes).toHaveLength(before + 1);
    expect(hashes.find((r) => r.id === filed.json.asset.id)?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await testSql(t, "select key from idempotency_keys")).toEqual([]);
  });

  it("compares the full hash: a version whose hash shares only the first 48 bits is another body", async () => {
    const body = capture({ assetType: "MUSIC" });
    const first = await ingest(body);
    expect((await ingest(body)).json).toEqual({ ...first.json, duplicate: true });
    await testSql(t, "update asset_versions set body_sha256 = substr(body_sha256, 1, 12) || ? where id = ?", [
      "f".repeat(52),
      first.json.asset.id,
    ]);
    const again = await ingest(body);
    expect(again.json).not.toHaveProperty("duplicate");
    expect(again.json.asset.id).not.toBe(first.json.asset.id);
  });
});
