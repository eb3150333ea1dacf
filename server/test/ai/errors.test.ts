/**
 * Every 400 and 404 of POST /api/ai/generate, POST /api/variant/{id}/accept and GET /api/variant/{id}/score
 * (and GET /api/variant/{id}), plus the job view of another user's generation.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { makeTestVideo } from "../helpers/videos.js";
import { createProject, generate, uploadClip } from "./helpers.js";

let t: TestApp;
let dir: string;
let projectId: string;
let emptyProjectId: string;
let foreignProjectId: string;
let variantId: string;
let jobId: string;
const box = { x: 0.1, y: 0.1, width: 0.3, height: 0.3 };

beforeAll(async () => {
  t = await buildTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-ai-err-"));
  const clip = await makeTestVideo(dir, { seconds: 2 });
  projectId = await createProject(t);
  emptyProjectId = await createProject(t, "No video yet");
  foreignProjectId = await createProject(t, "Bob's", t.other.token);
  await uploadClip(t, projectId, clip);
  const { job } = await generate(t, {
    project_id: projectId,
    prompt: "pixelate",
    start_ts: 0,
    end_ts: 0.5,
    bounding_box: box,
  });
  expect(job.status, job.error).toBe("completed");
  jobId = job.id;
  variantId = job.variants[0].id;
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const valid = () => ({ project_id: projectId, prompt: "blur it", start_ts: 0.5, end_ts: 1, bounding_box: box });
const post = (payload: unknown, token?: string | null) =>
  t.call({ method: "POST", url: "/api/ai/generate", payload: payload as object, token });

describe("POST /api/ai/generate: 400", () => {
  const cases: [string, (b: ReturnType<typeof valid>) => unknown, string][] = [
    ["box x above 1", (b) => ({ ...b, bounding_box: { ...box, x: 1.2 } }), "bounding_box.x"],
    ["box y below 0", (b) => ({ ...b, bounding_box: { ...box, y: -0.1 } }), "bounding_box.y"],
    ["box width 0", (b) => ({ ...b, bounding_box: { ...box, width: 0 } }), "bounding_box.width"],
    ["box height above 1", (b) => ({ ...b, bounding_box: { ...box, height: 1.5 } }), "bounding_box.height"],
    ["box past the right edge", (b) => ({ ...b, bounding_box: { ...box, x: 0.8, width: 0.3 } }), "bounding_box.width"],
    [
      "box past the bottom edge",
      (b) => ({ ...b, bounding_box: { ...box, y: 0.9, height: 0.2 } }),
      "bounding_box.height",
    ],
    ["box missing", ({ bounding_box: _, ...b }) => b, "bounding_box"],
    ["box not numbers", (b) => ({ ...b, bounding_box: { ...box, x: "0.1" } }), "bounding_box.x"],
    ["start equal to end", (b) => ({ ...b, start_ts: 1, end_ts: 1 }), "end_ts"],
    ["start after end", (b) => ({ ...b, start_ts: 1.5, end_ts: 1 }), "end_ts"],
    ["negative start", (b) => ({ ...b, start_ts: -1 }), "start_ts"],
    ["missing prompt", ({ prompt: _, ...b }) => b, "prompt"],
    ["blank prompt", (b) => ({ ...b, prompt: "   " }), "prompt"],
    ["missing project_id", ({ project_id: _, ...b }) => b, "project_id"],
  ];
  it.each(cases)("%s", async (_name, change, field) => {
    const res = await post(change(valid()));
    expect(res.status, res.body).toBe(400);
    expect(res.json.error).toBe("Invalid payload");
    expect(Object.keys(res.json.details.fieldErrors)).toContain(field);
  });

  it("end beyond the timeline", async () => {
    const res = await post({ ...valid(), start_ts: 1, end_ts: 2.5 });
    expect(res.status).toBe(400);
    expect(res.json.details.fieldErrors.end_ts[0]).toMatch(/^Must be at most the timeline's duration \(2(\.\d+)? s\)$/);
    expect(res.json.details.duration).toBeGreaterThan(1.9);
  });

  it("a project without video on its timeline", async () => {
    const res = await post({ ...valid(), project_id: emptyProjectId });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("The project has no video on its timeline");
  });

  it("an unknown provider", async () => {
    const res = await post({ ...valid(), provider: "dall-o" });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^unknown video provider "dall-o" \(known: local, replicate\)/);
  });

  it("a provider that is not configured names its variable", async () => {
    const res = await post({ ...valid(), provider: "replicate" });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("replicate is not configured: set REPLICATE_API_TOKEN");
    expect(res.json.details).toMatchObject({ provider: "replicate", setting: "REPLICATE_API_TOKEN" });
  });

  it("a malformed body", async () => {
    const res = await t.call({
      method: "POST",
      url: "/api/ai/generate",
      payload: "{",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
  });

  it("nothing is queued for a refused request", async () => {
    const before = await t.app.deps.jobs.counts();
    await post({ ...valid(), end_ts: 99 });
    expect(await t.app.deps.jobs.counts()).toEqual(before);
  });
});

describe("POST /api/ai/generate: 404 and 401", () => {
  it("another user's project is 404, as if it did not exist", async () => {
    const res = await post({ ...valid(), project_id: foreignProjectId });
    expect(res.status).toBe(404);
    expect(res.json.error).toBe("Project not found");
  });

  it("an unknown project is 404", async () => {
    expect((await post({ ...valid(), project_id: "proj_nope" })).status).toBe(404);
  });

  it("no token is 401", async () => {
    expect((await post(valid(), null)).status).toBe(401);
  });
});

describe("/api/variant/{id}: 400 and 404", () => {
  it("score: compare_to other than prompt or original is 400", async () => {
    const res = await t.call({ method: "GET", url: `/api/variant/${variantId}/score?compare_to=style` });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json.details.fieldErrors)).toEqual(["compare_to"]);
  });

  it("score: gemini without its key is 400 naming GEMINI_API_KEY", async () => {
    const res = await t.call({ method: "GET", url: `/api/variant/${variantId}/score?provider=gemini` });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: "gemini is not configured: set GEMINI_API_KEY",
      details: { setting: "GEMINI_API_KEY" },
    });
  });

  it("score: an unknown scorer is 400", async () => {
    const res = await t.call({ method: "GET", url: `/api/variant/${variantId}/score?provider=oracle` });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/unknown scorer provider "oracle"/);
  });

  it.each([
    ["POST", "accept"],
    ["GET", "score"],
    ["GET", ""],
  ] as const)("%s %s of an unknown variant is 404", async (method, action) => {
    const res = await t.call({ method, url: `/api/variant/var_nope${action ? `/${action}` : ""}` });
    expect(res.status).toBe(404);
    expect(res.json.error).toBe("Variant not found");
  });

  it.each([
    ["POST", "accept"],
    ["GET", "score"],
    ["GET", "score?compare_to=original"],
    ["GET", ""],
  ] as const)("%s %s of another user's variant is 404", async (method, action) => {
    const res = await t.call({
      method,
      url: `/api/variant/${variantId}${action ? `/${action}` : ""}`,
      token: t.other.token,
    });
    expect(res.status).toBe(404);
    expect(res.json.error).toBe("Variant not found");
  });

  it("another user cannot see the generation job either, and nothing was accepted", async () => {
    expect((await t.call({ method: "GET", url: `/api/job/${jobId}`, token: t.other.token })).status).toBe(404);
    const variant = await t.call({ method: "GET", url: `/api/variant/${variantId}` });
    expect(variant.json.accepted_at).toBeNull();
  });
});
