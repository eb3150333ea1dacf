/**
 * Provider failures reach the user in words: on the synchronous scoring route as 502/503/504 in the error
 * shape, and in jobs as a visible wait for a quota (then completion) or a failure that says why. The fake
 * Gemini server answers as the real one does (RetryInfo in 429 bodies, MAX_TOKENS, slow answers).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { makeTestVideo } from "../helpers/videos.js";
import { runJob } from "../pipeline/helpers.js";
import type { FakeRequest, FakeResponse, FakeServer } from "../providers/fakeServer.js";
import { startFakeServer } from "../providers/fakeServer.js";
import { geminiQuota, strict } from "../providers/wireRules.js";
import { createProject, generate, uploadClip } from "./helpers.js";

const SCORE = { overall_rating: "7/10", details: "Clean.", fidelity_to_prompt: "8/10", visual_quality: "6/10" };
const STORY = {
  title: "Signal",
  logline: "A keeper hears the drowned.",
  synopsis: "A keeper catches radio calls from ships long lost, and answers one.",
  characters: [{ name: "Mara", role: "protagonist", description: "Keeper, 60s, yellow oilskin" }],
  acts: [{ number: 1, title: "Static", beats: ["Mara tunes the old set.", "A voice answers."] }],
  estimatedMinutes: 1,
};

function geminiAnswer(value: unknown, finishReason = "STOP"): FakeResponse {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return {
    json: {
      candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 10, totalTokenCount: 20 },
    },
  };
}

let t: TestApp;
let fake: FakeServer;
let dir: string;
let variantId: string;
let reply: (req: FakeRequest, index: number) => FakeResponse | Promise<FakeResponse> = () => geminiAnswer(SCORE);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-provider-failures-"));
  fake = await startFakeServer(strict("gemini", (req, i) => reply(req, i)));
  t = await buildTestApp({
    GEMINI_API_KEY: "g_test",
    GEMINI_BASE_URL: fake.url,
    GEMINI_TIMEOUT_SECONDS: "1",
    DAILIES_PROVIDER_MAX_WAIT_SECONDS: "60",
  });
  const projectId = await createProject(t);
  await uploadClip(t, projectId, await makeTestVideo(dir, { seconds: 1 }));
  const { job } = await generate(t, {
    project_id: projectId,
    prompt: "pixelate",
    start_ts: 0,
    end_ts: 0.5,
    bounding_box: { x: 0.1, y: 0.1, width: 0.3, height: 0.3 },
  });
  expect(job.status, job.error).toBe("completed");
  variantId = job.variants[0].id;
});
afterAll(async () => {
  await t.close();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const score = () => t.call({ method: "GET", url: `/api/variant/${variantId}/score?provider=gemini` });

describe("GET /api/variant/{id}/score?provider=gemini when gemini fails", () => {
  it("a persistent 500 is 502 with gemini's reason, after the retries", async () => {
    reply = () => ({
      status: 500,
      json: { error: { code: 500, message: "An internal error has occurred.", status: "INTERNAL" } },
    });
    const res = await score();
    expect(res.status, res.body).toBe(502);
    expect(res.json).toEqual({
      error: "gemini failed with 500 after 4 tries: An internal error has occurred.",
      details: { provider: "gemini", kind: "upstream", upstreamStatus: 500 },
    });
  });

  it("a quota longer than the server waits is 503 with Retry-After from RetryInfo", async () => {
    const before = fake.requests.length;
    reply = () => geminiQuota("3600s");
    const res = await score();
    expect(res.status, res.body).toBe(503);
    expect(res.headers["retry-after"]).toBe("3600");
    expect(res.json.error).toMatch(
      /^gemini rate limited \(429\) and asked to wait 3600 s, longer than the 60 s Dailies waits/,
    );
    expect(res.json.details).toEqual({
      provider: "gemini",
      kind: "rate_limited",
      upstreamStatus: 429,
      retryAfterSeconds: 3600,
    });
    expect(fake.requests.length - before).toBe(1);
  });

  it("a slow answer is 504 and says it timed out", async () => {
    reply = () => ({ ...geminiAnswer(SCORE), delayMs: 1500 });
    const res = await score();
    expect(res.status, res.body).toBe(504);
    expect(res.json).toEqual({
      error: "gemini timed out: no answer within 1 s",
      details: { provider: "gemini", kind: "timeout" },
    });
  });

  it("a malformed answer is 502 and says so", async () => {
    reply = () => ({ body: "<html>oops</html>", headers: { "content-type": "text/html" } });
    const res = await score();
    expect(res.status, res.body).toBe(502);
    expect(res.json.error).toBe("gemini returned a malformed response: not JSON (<html>oops</html>)");
    expect(res.json.details).toMatchObject({ provider: "gemini", kind: "malformed" });
  });

  it("an answer cut off at the largest limit is 502 in words", async () => {
    reply = () => geminiAnswer('{"overall_rating": "7/10", "det', "MAX_TOKENS");
    const res = await score();
    expect(res.status, res.body).toBe(502);
    expect(res.json.error).toBe(
      "gemini: the answer was cut off at 65536 tokens; use a model with a larger output or a shorter request",
    );
  });

  it("and then a good answer is 200", async () => {
    reply = () => geminiAnswer(SCORE);
    const res = await score();
    expect(res.status, res.body).toBe(200);
    expect(res.json.score).toEqual(SCORE);
  });
});

describe("a job that hits gemini's quota", () => {
  it("waits the RetryInfo delay with its state visible, then completes", async () => {
    const runningErrors = async () =>
      (await testSql(t, "select error from jobs where status = 'running'")).map((j) => j.error as string | null);
    let calls = 0;
    const atResume: (string | null)[] = [];
    reply = async () => {
      calls++;
      if (calls === 1) return geminiQuota("1.2s");
      atResume.push(...(await runningErrors()));
      return geminiAnswer(STORY);
    };
    const notes = new Set<string>();
    let polling = false;
    const timer = setInterval(async () => {
      if (polling) return;
      polling = true;
      for (const e of await runningErrors()) if (e) notes.add(e);
      polling = false;
    }, 40);
    const started = Date.now();
    const job = await runJob(t, "/api/claude/stories", { topic: "a lighthouse", maxMinutes: 1, provider: "gemini" });
    clearInterval(timer);
    expect(job.status, job.error).toBe("completed");
    expect(job.result.title).toBe("Signal");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    // While it waited, the job said what for; the note was cleared when it resumed.
    expect([...notes]).toHaveLength(1);
    expect([...notes][0]).toMatch(/^waiting for gemini quota until \d\d:\d\d:\d\d UTC \(rate limited\)$/);
    expect(atResume).toEqual([null]);
    expect(job.error ?? null).toBeNull();
  });

  it("a story cut off at the largest limit fails with the reason, not a schema error", async () => {
    reply = () => geminiAnswer('{"title": "Signal", "characters": [{"name": "Mara"}], "acts": [', "MAX_TOKENS");
    const job = await runJob(t, "/api/claude/stories", { topic: "a lighthouse", maxMinutes: 1, provider: "gemini" });
    expect(job.status).toBe("failed");
    expect(job.error).toBe(
      "gemini: the answer was cut off at 65536 tokens; use a model with a larger output or a shorter request",
    );
  });
});
