/**
 * Region generation and scoring with remote providers, against local fake servers speaking their wire
 * format: a replicate video composited into the box, and gemini scoring a variant from frames.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FfmpegRunner } from "../../src/media/ffmpeg.js";
import { measureSaturation, measureSsim, renderSegment } from "../../src/media/operations.js";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { makeTestVideo, testFfmpegRunner } from "../helpers/videos.js";
import { type FakeRequest, type FakeServer, startFakeServer } from "../providers/fakeServer.js";
import { createProject, download, generate, uploadClip } from "./helpers.js";

let t: TestApp;
let dir: string;
let runner: FfmpegRunner;
let clip: string;
let fake: FakeServer;
let generatedMp4: Uint8Array;
const box = { x: 0.5, y: 0.5, width: 0.5, height: 0.5 };

const SCORE = {
  overall_rating: "7/10",
  details: "The box shows a red flare; the rest is unchanged.",
  fidelity_to_prompt: "8/10",
  visual_quality: "6/10",
};

function handle(req: FakeRequest) {
  if (req.method === "POST" && req.path === "/v1/models/minimax/video-01/predictions") {
    return { status: 201, json: { id: "p1", status: "succeeded", output: `${fake.url}/delivery/out.mp4` } };
  }
  if (req.method === "GET" && req.path === "/delivery/out.mp4") {
    return { body: generatedMp4, headers: { "content-type": "video/mp4" } };
  }
  if (req.method === "POST" && req.path.startsWith("/v1beta/models/gemini-2.5-flash:generateContent")) {
    return {
      json: {
        candidates: [{ content: { role: "model", parts: [{ text: JSON.stringify(SCORE) }] }, finishReason: "STOP" }],
        usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 40, totalTokenCount: 940 },
      },
    };
  }
  return { status: 404, json: { detail: "Not found." } };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-ai-remote-"));
  runner = await testFfmpegRunner();
  clip = await makeTestVideo(dir, { seconds: 2 });
  // What the "model" returns: a solid red 1 s clip of another size than the box.
  const red = path.join(dir, "red.mp4");
  await runner.run([
    "-f",
    "lavfi",
    "-i",
    "color=c=red:s=200x200:r=25:d=1",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    red,
  ]);
  generatedMp4 = new Uint8Array(await readFile(red));
  fake = await startFakeServer(handle);
  t = await buildTestApp({
    REPLICATE_API_TOKEN: "r8_test",
    REPLICATE_BASE_URL: fake.url,
    GEMINI_API_KEY: "g_test",
    GEMINI_BASE_URL: fake.url,
  });
});
afterAll(async () => {
  await t.close();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe("remote region generation", () => {
  it("replicate: animates the box's first frame and composites the clip into the box", async () => {
    const projectId = await createProject(t);
    await uploadClip(t, projectId, clip);
    const { accepted, job } = await generate(t, {
      project_id: projectId,
      prompt: "a red flare bursts in the corner",
      start_ts: 0.5,
      end_ts: 1.5,
      bounding_box: box,
      provider: "replicate",
    });
    expect(accepted.provider).toBe("replicate");
    expect(job.status, job.error).toBe("completed");
    expect(job.variants).toHaveLength(2);

    // The model got the prompt and the box's frame (a JPEG as a data URI), 4:3 like the 160x120 box.
    const creates = fake.requests.filter((r) => r.path.endsWith("/predictions"));
    expect(creates).toHaveLength(2);
    const input = (creates[0] as FakeRequest).json as { input: Record<string, string> };
    expect(input.input.prompt).toBe("a red flare bursts in the corner");
    expect(input.input.first_frame_image).toMatch(/^data:image\/jpeg;base64,/);
    expect(creates[0]?.headers.authorization).toBe("Bearer r8_test");

    const variant = (await t.call({ method: "GET", url: `/api/variant/${job.variants[0].id}` })).json;
    expect(variant).toMatchObject({ provider: "replicate", info: { op: "generate", model: "minimax/video-01" } });
    expect(variant.info.params).toEqual({ aspect_ratio: "4:3", box_px: "160x120+160+120" });
    const file = (await download(t, variant.url, dir, "remote.mp4")).file;
    const probed = await runner.probe(file);
    expect(probed).toMatchObject({ width: 320, height: 240, hasAudio: true });
    expect(Math.abs(probed.durationSec - 1)).toBeLessThan(0.07);

    // Red inside the box, the original outside it.
    const reference = path.join(dir, "orig.mp4");
    await renderSegment(runner, {
      input: clip,
      startSec: 0.5,
      endSec: 1.5,
      hasAudio: true,
      width: 320,
      height: 240,
      fps: 25,
      output: reference,
    });
    const ssim = await measureSsim(runner, { reference, distorted: file, box });
    expect(ssim.inside).toBeLessThan(0.8);
    expect(ssim.outside).toBeGreaterThan(0.97);
    const inner = { x: 0.55, y: 0.55, width: 0.4, height: 0.4 };
    expect(await measureSaturation(runner, { input: file, box: inner })).toBeGreaterThan(100);

    // The local scorer measures it (no op to check in this prompt); gemini looks at frames.
    const local = await t.call({ method: "GET", url: `/api/variant/${variant.id}/score?compare_to=original` });
    expect(local.status, local.body).toBe(200);
    expect(local.json.score.fidelity_to_prompt).toMatch(/^the box changed|^not measurable/);
    expect(local.json.metrics.ssim_outside).toBeGreaterThan(0.97);

    const before = fake.requests.length;
    const gemini = await t.call({
      method: "GET",
      url: `/api/variant/${variant.id}/score?compare_to=original&provider=gemini`,
    });
    expect(gemini.status, gemini.body).toBe(200);
    expect(gemini.json).toEqual({ variant_id: variant.id, score: SCORE, compare_to: "original", provider: "gemini" });
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    const body = (sent[0] as FakeRequest).json as {
      contents: { parts: { text?: string; inlineData?: { mimeType: string } }[] }[];
    };
    const parts = body.contents[0]?.parts;
    // Three frames of the variant and the same three of the original, as JPEG images.
    expect(parts?.filter((p) => p.inlineData?.mimeType === "image/jpeg")).toHaveLength(6);
    expect(parts?.[0]?.text).toContain("a red flare bursts in the corner (inside the box x 50–100 %, y 50–100 %");

    // Every provider call of the job and the scores is in the AI timeline, attributed to the user.
    const calls = await testSql(t, "select provider, kind, status, job_id from ai_calls where user_id = ?", [t.userId]);
    expect(calls.map((c) => `${c.provider}:${c.kind}:${c.status}`).sort()).toEqual([
      "gemini:score:ok",
      "local:score:ok",
      "replicate:video:ok",
      "replicate:video:ok",
    ]);
    expect(calls.filter((c) => c.kind === "video").every((c) => c.job_id === job.id)).toBe(true);
  });
});
