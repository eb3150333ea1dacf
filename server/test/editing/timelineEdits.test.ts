/**
 * The web editor's routes: reorder, restore a snapshot (undo/redo), the project's exports and the
 * workspace's jobs with retry — on real uploads of tiny generated clips.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { type Clips, details, idle, makeClips, uploadOk } from "./helpers.js";

let dir: string;
let clips: Clips;
let t: TestApp;
let projectId: string;

interface Seg {
  id: string;
  start_ts: number;
  end_ts: number;
  timeline_start: number | null;
}
const post = (url: string, payload: object, token?: string) => t.call({ method: "POST", url, payload, token });
const snap = (segs: Seg[]) => segs.map((s) => ({ id: s.id, start_ts: s.start_ts, end_ts: s.end_ts }));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-editor-routes-"));
  clips = await makeClips(dir);
  t = await buildTestApp();
  ({ projectId } = await seedProject(t));
  const a = await uploadOk(t, projectId, clips.a); // the first video becomes the timeline
  const silent = await uploadOk(t, projectId, clips.silent);
  const added = await post(`/api/project/${projectId}/segments`, { media_id: silent.id });
  expect(added.status, added.body).toBe(201);
  expect(a.id).toBeTruthy();
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe("reorder", () => {
  it("writes the new order 0..n-1 and answers the timeline", async () => {
    const before = (await details(t, projectId)).segments as Seg[];
    const ids = before.map((s) => s.id).reverse();
    const res = await post(`/api/project/${projectId}/segments/reorder`, { segment_ids: ids });
    expect(res.status, res.body).toBe(200);
    expect(res.json.segments.map((s: Seg) => s.id)).toEqual(ids);
    expect(res.json.segments[0].timeline_start).toBe(0);
    expect(res.json.segments[1].timeline_start).toBeCloseTo(2, 1);
    const order = (await testSql(
      t,
      "select order_index from segments where project_id = ? and active order by order_index",
      [projectId],
    )) as { order_index: number }[];
    expect(order.map((o) => o.order_index)).toEqual([0, 1]);
    // back to the upload order for the next tests
    expect((await post(`/api/project/${projectId}/segments/reorder`, { segment_ids: [...ids].reverse() })).status).toBe(
      200,
    );
  });

  it("409 when the list is not exactly the active set, 400 on a repeat, 404 for another user", async () => {
    const segs = (await details(t, projectId)).segments as Seg[];
    const first = segs[0] as Seg;
    const missing = await post(`/api/project/${projectId}/segments/reorder`, { segment_ids: [first.id] });
    expect(missing.status).toBe(409);
    expect(missing.json.details.active_segment_ids).toHaveLength(2);
    const repeated = await post(`/api/project/${projectId}/segments/reorder`, { segment_ids: [first.id, first.id] });
    expect(repeated.status).toBe(400);
    const other = await post(
      `/api/project/${projectId}/segments/reorder`,
      { segment_ids: segs.map((s) => s.id) },
      t.other.token,
    );
    expect(other.status).toBe(404);
  });
});

describe("restore (undo/redo)", () => {
  it("undoes and redoes a split, a trim and a delete", async () => {
    const start = (await details(t, projectId)).segments as Seg[];
    const first = start[0] as Seg;
    const split = await post(`/api/segment/${first.id}/split`, { split_ts: 1 });
    expect(split.status).toBe(200);
    const afterSplit = (await details(t, projectId)).segments as Seg[];
    expect(afterSplit).toHaveLength(3);

    const undo = await post(`/api/project/${projectId}/timeline/restore`, {
      segments: snap(start),
      expected: snap(afterSplit),
    });
    expect(undo.status, undo.body).toBe(200);
    expect(undo.json.segments.map((s: Seg) => s.id)).toEqual(start.map((s) => s.id));
    expect(undo.json.duration).toBeCloseTo(5, 1);

    // the halves are inactive now: splitting one is the documented 409
    const stale = await post(`/api/segment/${split.json.left.id}/split`, { split_ts: 0.5 });
    expect(stale.status).toBe(409);

    const redo = await post(`/api/project/${projectId}/timeline/restore`, {
      segments: snap(afterSplit),
      expected: snap(start),
    });
    expect(redo.status).toBe(200);
    expect(redo.json.segments).toHaveLength(3);

    // trim only shortens; undo brings the longer in/out back
    const left = redo.json.segments[0] as Seg;
    const trimmed = await post(`/api/segment/${left.id}/trim`, { new_start_ts: 0.2, new_end_ts: 0.8 });
    expect(trimmed.status).toBe(200);
    const afterTrim = (await details(t, projectId)).segments as Seg[];
    const undoTrim = await post(`/api/project/${projectId}/timeline/restore`, {
      segments: snap(redo.json.segments),
      expected: snap(afterTrim),
    });
    expect(undoTrim.status).toBe(200);
    expect(undoTrim.json.segments[0]).toMatchObject({ id: left.id, start_ts: 0, end_ts: 1 });

    // delete then undo
    const del = await t.call({ method: "DELETE", url: `/api/segment/${left.id}` });
    expect(del.status).toBe(200);
    const afterDelete = (await details(t, projectId)).segments as Seg[];
    const undoDelete = await post(`/api/project/${projectId}/timeline/restore`, {
      segments: snap(undoTrim.json.segments),
      expected: snap(afterDelete),
    });
    expect(undoDelete.status).toBe(200);
    expect(undoDelete.json.segments[0].id).toBe(left.id);
  });

  it("409 when the timeline is not the expected one; 400 for bad times or unknown ids", async () => {
    const now = (await details(t, projectId)).segments as Seg[];
    const stale = await post(`/api/project/${projectId}/timeline/restore`, { segments: snap(now), expected: [] });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatch(/timeline changed/);
    const tooLong = snap(now).map((s, i) => (i === 0 ? { ...s, end_ts: 99 } : s));
    const bad = await post(`/api/project/${projectId}/timeline/restore`, { segments: tooLong, expected: snap(now) });
    expect(bad.status).toBe(400);
    const unknown = await post(`/api/project/${projectId}/timeline/restore`, {
      segments: [{ id: "seg_nope", start_ts: 0, end_ts: 1 }],
      expected: snap(now),
    });
    expect(unknown.status).toBe(400);
    expect((await details(t, projectId)).segments.map((s: Seg) => s.id)).toEqual(now.map((s) => s.id));
  });
});

describe("exports list and jobs", () => {
  it("lists a completed export with its duration and size, and the workspace's jobs", async () => {
    const started = await post("/api/export", { project_id: projectId });
    expect(started.status).toBe(202);
    await idle(t);
    const list = await t.call({ method: "GET", url: `/api/project/${projectId}/exports` });
    expect(list.status, list.body).toBe(200);
    const [first] = list.json.exports;
    expect(first).toMatchObject({ export_job_id: started.json.export_job_id, status: "completed" });
    expect(first.bytes).toBeGreaterThan(1000);
    expect(first.duration).toBeCloseTo((await details(t, projectId)).duration, 1);
    expect(first.download_url).toContain("download=1");

    const jobs = await t.call({ method: "GET", url: "/api/jobs" });
    expect(jobs.status).toBe(200);
    const job = jobs.json.jobs.find((j: { id: string }) => j.id === started.json.export_job_id);
    expect(job).toMatchObject({ kind: "export", status: "completed", project_name: "Film", retryable: false });
    const others = await t.call({ method: "GET", url: "/api/jobs", token: t.other.token });
    expect(others.json.jobs.some((j: { id: string }) => j.id === started.json.export_job_id)).toBe(false);
    expect(
      (await t.call({ method: "GET", url: `/api/project/${projectId}/exports`, token: t.other.token })).status,
    ).toBe(404);
  });

  it("retries a failed retryable job; 409 for a completed one", async () => {
    const done = (await t.call({ method: "GET", url: "/api/jobs?status=completed" })).json.jobs[0];
    expect((await post(`/api/jobs/${done.id}/retry`, {})).status).toBe(409);
    await testSql(t, "update jobs set status = 'failed', error = 'boom' where id = ?", [done.id]);
    const failed = (await t.call({ method: "GET", url: `/api/jobs?project_id=${projectId}&status=failed` })).json.jobs;
    expect(failed[0]).toMatchObject({ id: done.id, error: "boom", retryable: true });
    const retried = await post(`/api/jobs/${done.id}/retry`, {});
    expect(retried.status, retried.body).toBe(200);
    expect(retried.json).toMatchObject({ status: "pending", error: null, progress: 0 });
    await idle(t);
    const after = (await t.call({ method: "GET", url: `/api/jobs?project_id=${projectId}` })).json.jobs;
    expect(after.find((j: { id: string }) => j.id === done.id).status).toBe("completed");
    expect((await post("/api/jobs/job_nope/retry", {})).status).toBe(404);
  });
});
