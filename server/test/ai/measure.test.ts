/**
 * Measure: one local region generation (2 variants, the default) on a 3 s 720p clip, from the POST to the
 * completed job, and one local score. Prints the times; the bounds only catch a regression by an order of
 * magnitude on the 2-core CI machine.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { makeTestVideo } from "../helpers/videos.js";
import { createProject, uploadClip } from "./helpers.js";

let t: TestApp;
let dir: string;
let projectId: string;

beforeAll(async () => {
  t = await buildTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-ai-measure-"));
  const clip = await makeTestVideo(dir, { seconds: 3, width: 1280, height: 720, fps: 30 });
  projectId = await createProject(t, "720p");
  await uploadClip(t, projectId, clip);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe("measure", () => {
  it("one local region generation of a 3 s 720p clip", async () => {
    const started = performance.now();
    const res = await t.call({
      method: "POST",
      url: "/api/ai/generate",
      payload: {
        project_id: projectId,
        prompt: "blur the licence plate",
        start_ts: 0,
        end_ts: 3,
        bounding_box: { x: 0.3, y: 0.3, width: 0.4, height: 0.4 },
      },
    });
    expect(res.status, res.body).toBe(202);
    await t.app.deps.worker.idle(120_000);
    const generateMs = performance.now() - started;
    const job = (await t.call({ method: "GET", url: `/api/job/${res.json.job_id}` })).json;
    expect(job.status, job.error).toBe("completed");
    expect(job.variants).toHaveLength(2);

    const scoreStarted = performance.now();
    const score = await t.call({ method: "GET", url: `/api/variant/${job.variants[0].id}/score` });
    const scoreMs = performance.now() - scoreStarted;
    expect(score.json.score.overall_rating).toBe("good");
    console.log(
      `local region generation, 3 s 1280x720 30 fps, 2 variants: ${(generateMs / 1000).toFixed(2)} s ` +
        `(${(generateMs / 3000).toFixed(2)}x realtime); local score (compare_to=prompt): ${(scoreMs / 1000).toFixed(2)} s`,
    );
    expect(generateMs).toBeLessThan(90_000);
  });
});
