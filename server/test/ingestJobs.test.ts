// Every capture with URLs is filed with exactly one pending mirror job naming its version, also when a burst of
// captures is filed in one group commit (on SQLite the batch's jobs go in as multi-row inserts of up to 32 rows
// before the commit: db/writeBatcher.ts, repositories/batchedJobs.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIRROR_JOB } from "../src/services/mirror.js";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";

let t: TestApp;
let projectId: string;
beforeAll(async () => {
  // No worker: the jobs stay pending, as filed.
  t = await buildTestApp({}, { startWorker: false });
  ({ projectId } = await seedProject(t, ["001"]));
});
afterAll(() => t.close());

const capture = (i: number, urls: boolean) => ({
  projectId,
  sceneId: "001",
  platformKey: "openai-sora",
  assetType: "VIDEO",
  prompt: `take ${i}`,
  externalAssetId: `gen_${i}`,
  ...(urls && { outputUrl: `https://cdn.example.com/v/${i}.mp4`, thumbnailUrl: `https://cdn.example.com/t/${i}.jpg` }),
});

describe("mirror jobs of a burst of captures", () => {
  it("files one pending mirror job per capture with URLs, none for the others, and none for a refused one", async () => {
    const sent = Array.from({ length: 75 }, (_, i) => capture(i, i % 5 !== 0));
    const refused = { ...capture(999, true), platformId: "plat_missing", platformKey: undefined };
    const replies = await Promise.all(
      [...sent, refused].map((payload) => t.call({ method: "POST", url: "/api/extension/ingest", payload })),
    );
    expect(replies.slice(0, -1).map((r) => r.status)).toEqual(sent.map(() => 200));
    expect(replies.at(-1)!.status).toBe(404);
    const withUrls = replies
      .slice(0, -1)
      .filter((_, i) => i % 5 !== 0)
      .map((r) => r.json.asset.id as string);
    expect(withUrls).toHaveLength(60);

    const jobs = (await testSql(t, 'select kind, status, input, user_id as "userId" from jobs')) as {
      kind: string;
      status: string;
      input: string;
      userId: string;
    }[];
    expect(jobs.every((j) => j.kind === MIRROR_JOB && j.status === "pending" && j.userId)).toBe(true);
    const named = jobs.map((j) => (JSON.parse(j.input) as { assetVersionId: string }).assetVersionId).sort();
    expect(named).toEqual([...withUrls].sort());
    const pending = (await testSql(t, "select id from asset_versions where mirror_status = 'pending'")) as {
      id: string;
    }[];
    expect(pending.map((v) => v.id).sort()).toEqual([...withUrls].sort());
  });

  it("refuses a foreign project, an unknown scene and a shot of another scene inside the burst, alone", async () => {
    const { projectId: foreign } = await seedProject(t, ["001"], t.other.token);
    const scene = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/scenes`,
      payload: { sceneId: "002" },
    });
    expect(scene.status).toBe(201);
    const otherShot = await t.call({
      method: "POST",
      url: `/api/scene/${scene.json.id}/shots`,
      payload: { shotCode: "A" },
    });
    expect(otherShot.status).toBe(201);
    const before = (await testSql(t, "select count(*) as n from asset_versions")) as { n: number | string }[];
    const burst = [
      capture(1001, true),
      { ...capture(1002, true), projectId: foreign },
      { ...capture(1003, true), sceneId: "404" },
      { ...capture(1004, true), shotId: otherShot.json.id as string },
      capture(1005, true),
    ];
    const replies = await Promise.all(
      burst.map((payload) => t.call({ method: "POST", url: "/api/extension/ingest", payload })),
    );
    expect(replies.map((r) => [r.status, r.json.error ?? null])).toEqual([
      [200, null],
      [404, "Project not found"],
      [404, "Scene not found"],
      [404, "Shot not found"],
      [200, null],
    ]);
    const after = (await testSql(t, "select count(*) as n from asset_versions")) as { n: number | string }[];
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(2);
    const jobs = (await testSql(t, "select input from jobs")) as { input: string }[];
    const named = new Set(jobs.map((j) => (JSON.parse(j.input) as { assetVersionId: string }).assetVersionId));
    expect(replies.filter((r) => r.status === 200).every((r) => named.has(r.json.asset.id))).toBe(true);
    expect(named.size).toBe(jobs.length);
  });
});
