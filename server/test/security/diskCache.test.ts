/**
 * Issue 9, item 4: frames, render parts and old exports are evicted by a size cap, oldest first, never what
 * the current timeline needs; an unchanged timeline's export reuses the previous file.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectCache } from "../../src/services/diskCache.js";
import { type Counting, countRuns, details, idle, uploadOk } from "../editing/helpers.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { makeTestVideo } from "../helpers/videos.js";

let dir: string;
let t: TestApp;
let counting: Counting;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-cache-"));
  t = await buildTestApp();
  counting = await countRuns(t);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

async function exportNow(projectId: string) {
  const start = await t.call({ method: "POST", url: "/api/export", payload: { project_id: projectId, format: "mp4" } });
  expect(start.status, start.body).toBe(202);
  await idle(t);
  const status = await t.call({ method: "GET", url: `/api/export/${start.json.export_job_id}` });
  expect(status.json).toMatchObject({ status: "completed" });
  return status.json;
}

const filesUnder = async (sub: string) =>
  (await readdir(path.join(t.dataDir, sub), { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));

describe("cache eviction", () => {
  it("evicts old frames, parts and exports past the cap and keeps what the current timeline needs", async () => {
    const { projectId } = await seedProject(t);
    const clip = await makeTestVideo(dir, { seconds: 2, width: 160, height: 120, fps: 10, audio: false });
    await uploadOk(t, projectId, clip);
    const first = await exportNow(projectId);
    const frame = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 0.5 },
    });
    expect(frame.status, frame.body).toBe(200);
    const [segment] = (await details(t, projectId)).segments;
    const trim = await t.call({
      method: "POST",
      url: `/api/segment/${segment.id}/trim`,
      payload: { new_start_ts: 0.2, new_end_ts: 1.8 },
    });
    expect(trim.status, trim.body).toBe(200);
    const second = await exportNow(projectId);
    expect(await filesUnder("exports")).toHaveLength(2);
    expect(await filesUnder("renders")).toHaveLength(2);
    expect(await filesUnder("frames")).toHaveLength(1);

    // A generous cap evicts nothing.
    expect((await collectCache(t.app.deps, 1024 ** 3)).freedBytes).toBe(0);
    // Past the cap: the old part and the old export go; a fresh frame stays (its link was just handed out).
    expect((await collectCache(t.app.deps, 0)).removed).toEqual({ frames: 0, parts: 1, exports: 1 });
    // A minute later the frame goes too; the current timeline's part and export never do.
    const later = Date.now() + 120_000;
    expect((await collectCache(t.app.deps, 0, later)).removed).toEqual({ frames: 1, parts: 0, exports: 0 });
    expect(await filesUnder("frames")).toEqual([]);
    expect(await filesUnder("renders")).toHaveLength(1);
    expect(await filesUnder("exports")).toHaveLength(1);
    // The first export's link is gone with its file; the current one still plays.
    const gone = await t.call({ method: "GET", url: `/api/export/${first.export_job_id}` });
    expect(gone.json.export_url).toBeNull();
    const current = await t.call({ method: "GET", url: `/api/export/${second.export_job_id}` });
    expect(current.json.export_url).toEqual(expect.any(String));
    const [row] = (await testSql(t, "select path from media where id = (select media_id from exports where id = ?)", [
      second.export_job_id,
    ])) as [{ path: string }];
    expect(existsSync(path.join(t.dataDir, row.path))).toBe(true);

    // Exporting the unchanged timeline again renders nothing and writes nothing.
    counting.reset();
    const third = await exportNow(projectId);
    expect(counting.runs).toEqual([]);
    expect(new URL(third.export_url).pathname).toBe(new URL(current.json.export_url).pathname);
    expect(await filesUnder("exports")).toHaveLength(1);
  });
});
