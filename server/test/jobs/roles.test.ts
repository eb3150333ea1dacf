import { mkdtemp, rm, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { details, makeClips, uploadOk } from "../editing/helpers.js";
import { buildTestApp, ingestCapture, seedProject, type TestApp } from "../helpers/app.js";

// An `api` app and a `worker` app on one data folder (two database connections, as two processes would have):
// the api app enqueues and never runs a job; the worker app runs them; requests that wait for their job (a colour
// grade) are answered from the job's row.
let dir: string;
let api: TestApp;
let worker: FastifyInstance;
let projectId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-roles-"));
  const clips = await makeClips(dir);
  api = await buildTestApp({ DAILIES_ROLE: "api" });
  worker = await buildApp(
    loadConfig({ DAILIES_DATA_DIR: api.dataDir, DAILIES_LOG_LEVEL: "silent", DAILIES_ROLE: "worker" }),
    { logger: false },
  );
  await worker.ready();
  ({ projectId } = await seedProject(api));
  await uploadOk(api, projectId, clips.a);
  const m = await uploadOk(api, projectId, clips.silent);
  const res = await api.call({
    method: "POST",
    url: `/api/project/${projectId}/segments`,
    payload: { media_id: m.id },
  });
  expect(res.status, res.body).toBe(201);
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

const jobRow = (id: string) => api.app.deps.queue.get(id);

describe("process roles on one data folder", () => {
  it("an export requested through the api is rendered by the worker", async () => {
    const started = await api.call({ method: "POST", url: "/api/export", payload: { project_id: projectId } });
    expect(started.status, started.body).toBe(202);
    const id = started.json.export_job_id;
    const deadline = Date.now() + 60_000;
    while (jobRow(id)?.status !== "completed" && jobRow(id)?.status !== "failed" && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(jobRow(id)).toMatchObject({ status: "completed", leaseOwner: worker.deps.queue.workerId, attempts: 1 });
    const status = await api.call({ method: "GET", url: `/api/export/${id}` });
    expect(status.json).toMatchObject({ status: "completed", progress: 1 });
    expect(status.json.duration).toBeCloseTo(5, 0);
    // The api app's worker was never started.
    expect(api.app.deps.worker.laneStatus().every((l) => l.running === 0)).toBe(true);
  });

  it("a colour grade requested through the api waits for the worker that runs it", async () => {
    const before = (await details(api, projectId)).segments;
    const res = await api.call({
      method: "POST",
      url: `/api/segment/${before[1].id}/color-grade`,
      payload: { brightness: 0.2 },
    });
    expect(res.status, res.body).toBe(200);
    expect(jobRow(res.json.job_id)).toMatchObject({ status: "completed", leaseOwner: worker.deps.queue.workerId });
    const after = (await details(api, projectId)).segments;
    expect(after.map((s: { id: string }) => s.id)).toEqual([before[0].id, res.json.segment_id]);
    expect(res.json.graded_url).toMatch(/\/media\/media_\w+\?exp=/);
  });

  it("a grade that fails in the worker is answered with its error (422), not left waiting", async () => {
    const segments = (await details(api, projectId)).segments;
    const media = api.app.deps.db.$client.prepare("select path from media where id = ?").get(segments[0].media_id) as {
      path: string;
    };
    await unlink(api.app.deps.files.absolute(media.path));
    const res = await api.call({
      method: "POST",
      url: `/api/segment/${segments[0].id}/color-grade`,
      payload: { contrast: 0.5 },
    });
    expect(res.status, res.body).toBe(422);
    const failed = api.app.deps.db.$client
      .prepare("select id from jobs where kind = 'color-grade' order by created_at desc limit 1")
      .get() as { id: string };
    expect(jobRow(failed.id)).toMatchObject({ status: "failed", leaseOwner: worker.deps.queue.workerId });
    expect(res.json.error).toBe(jobRow(failed.id)?.error);
    expect(res.json.error).toBe("The media could not be processed");
  });

  it("no job was ever leased by the api app", () => {
    const owners = api.app.deps.db.$client.prepare("select distinct lease_owner as owner from jobs").all() as {
      owner: string | null;
    }[];
    expect(owners.map((o) => o.owner)).toEqual([worker.deps.queue.workerId]);
  });

  it("events cross between the processes: the api's live stream sees the worker's job, the worker sees the ingest", async () => {
    const seenByApi: { type: string; origin: string }[] = [];
    const seenByWorker: { type: string; origin: string }[] = [];
    const stopApi = api.app.deps.events.subscribe((e, origin) => seenByApi.push({ type: e.type, origin }));
    const stopWorker = worker.deps.events.subscribe((e, origin) => seenByWorker.push({ type: e.type, origin }));
    try {
      const started = await api.call({ method: "POST", url: "/api/export", payload: { project_id: projectId } });
      expect(started.status, started.body).toBe(202);
      const ingest = await ingestCapture(api, projectId, { prompt: "relayed" });
      expect(ingest.status, ingest.body).toBe(200);
      const deadline = Date.now() + 60_000;
      while (!seenByApi.some((e) => e.type === "export.completed") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(seenByApi).toContainEqual({ type: "export.completed", origin: "remote" });
      expect(seenByApi).toContainEqual({ type: "asset.created", origin: "local" });
      while (!seenByWorker.some((e) => e.type === "asset.created") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(seenByWorker).toContainEqual({ type: "asset.created", origin: "remote" });
      // Nothing comes back to where it happened.
      expect(seenByApi.filter((e) => e.type === "asset.created")).toHaveLength(1);
    } finally {
      stopApi();
      stopWorker();
    }
  });
});
