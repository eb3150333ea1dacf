import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneExpiredRecords } from "../src/services/retention.js";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";

// Idempotency records are kept as long as a request can use them, then pruned (services/retention.ts).
let t: TestApp;
let projectId: string;
const HOUR = 3600 * 1000;

beforeAll(async () => {
  // Mirror jobs of the guarded capture must not run against the network in this test.
  t = await buildTestApp({}, { startWorker: false });
  ({ projectId } = await seedProject(t));
});
afterAll(() => t.close());

const body = (prompt: string, extra: Record<string, unknown> = {}) => ({
  projectId,
  sceneId: "001",
  platformKey: "openai-sora",
  assetType: "VIDEO",
  prompt,
  ...extra,
});
const ingest = (payload: object, headers: Record<string, string> = {}) =>
  t.call({ method: "POST", url: "/api/extension/ingest", payload, headers });
const rows = async () =>
  (await testSql(t, "select route, key from idempotency_keys order by route")) as {
    route: string;
    key: string;
  }[];
const age = (ms: number) =>
  testSql(t, "update idempotency_keys set created_at = ?", [new Date(Date.now() - ms).toISOString()]);

describe("pruning idempotency records", () => {
  it("keeps what a request can still use and forgets the rest", async () => {
    const keyed = await ingest(body("keyed take"), { "idempotency-key": "retry-1" });
    expect(keyed.status, keyed.body).toBe(200);
    const guarded = await ingest(body("guarded take", { outputUrl: "http://127.0.0.1:9/take.mp4" }));
    expect(guarded.status, guarded.body).toBe(200);
    // The duplicate guard keeps no record of its own (its hash is on the version): only the key's answer.
    expect((await rows()).map((r) => r.route)).toEqual(["ingest"]);

    // Within its retention nothing goes; the key's answer stays for DAILIES_IDEMPOTENCY_DAYS (30).
    expect(await pruneExpiredRecords(t.app.deps)).toEqual({ keys: 0 });
    await age(29 * 24 * HOUR);
    expect(await pruneExpiredRecords(t.app.deps)).toEqual({ keys: 0 });
    const replay = await ingest(body("keyed take"), { "idempotency-key": "retry-1" });
    expect(replay.json.asset.id).toBe(keyed.json.asset.id);

    await age(31 * 24 * HOUR);
    expect(await pruneExpiredRecords(t.app.deps)).toEqual({ keys: 1 });
    expect(await rows()).toEqual([]);
    // A key past its retention files anew.
    const late = await ingest(body("keyed take"), { "idempotency-key": "retry-1" });
    expect(late.status).toBe(200);
    expect(late.json.asset.id).not.toBe(keyed.json.asset.id);
  });

  it("follows DAILIES_IDEMPOTENCY_DAYS", async () => {
    const short = await buildTestApp({ DAILIES_IDEMPOTENCY_DAYS: "2" }, { startWorker: false });
    try {
      const { projectId: p } = await seedProject(short);
      await short.call({
        method: "POST",
        url: "/api/extension/ingest",
        payload: { ...body("x"), projectId: p },
        headers: { "idempotency-key": "k" },
      });
      await testSql(short, "update idempotency_keys set created_at = ?", [
        new Date(Date.now() - 3 * 24 * HOUR).toISOString(),
      ]);
      expect(await pruneExpiredRecords(short.app.deps)).toEqual({ keys: 1 });
    } finally {
      await short.close();
    }
  });
});
