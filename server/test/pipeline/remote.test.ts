import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { type FakeRequest, type FakeServer, startFakeServer } from "../providers/fakeServer.js";
import { createProject, runJob } from "./helpers.js";

const STORY = {
  title: "Signal",
  logline: "A keeper hears the drowned.",
  synopsis: "A keeper catches radio calls from ships long lost, and answers one.",
  characters: [{ name: "Mara", role: "protagonist", description: "Keeper, 60s, yellow oilskin" }],
  acts: [
    { number: 1, title: "Static", beats: ["Mara tunes the old set.", "A voice answers."] },
    { number: 2, title: "Storm", beats: ["She guides the ship home."] },
  ],
  estimatedMinutes: 2,
};

/** A plan that ignores every limit: 3 scenes × 40 s shots = 240 s for a 1-minute film. */
const LONG_PLAN = {
  scenes: [1, 2, 3].map((n) => ({
    title: `Scene ${n}`,
    storyBeat: `Beat ${n}`,
    act: 1,
    macroScene: "Static",
    durationSec: 80,
    imagePrompt: `Image ${n}`,
    videoPrompt: `Video ${n}`,
    shots: [
      { description: `Shot ${n}a`, durationSec: 40 },
      { description: `Shot ${n}b`, durationSec: 40 },
    ],
  })),
};

function claudeMessage(value: unknown) {
  return {
    json: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: `\`\`\`json\n${JSON.stringify(value)}\n\`\`\`` }],
      stop_reason: "end_turn",
      usage: { input_tokens: 321, output_tokens: 123 },
    },
  };
}

let server: FakeServer;
let answer: (req: FakeRequest) => unknown = () => STORY;
let t: TestApp;

beforeAll(async () => {
  server = await startFakeServer((req) => {
    if (req.method === "GET" && req.path.startsWith("/v1/models")) {
      return req.headers["x-api-key"] === "test" ? { json: { data: [], has_more: false } } : { status: 401, json: {} };
    }
    if (req.method === "POST" && req.path === "/v1/messages") return claudeMessage(answer(req));
    return { status: 404, json: { error: { message: "no route" } } };
  });
  t = await buildTestApp({
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: "test",
    // Nothing listens on port 9 of 127.0.0.1: an unreachable provider.
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
  });
});
afterAll(async () => {
  await t.close();
  await server.close();
});

describe("a remote provider (claude against a fake Anthropic server)", () => {
  it("writes a story, stores it on the project, and records the call", async () => {
    answer = () => STORY;
    const projectId = await createProject(t);
    const job = await runJob(t, "/api/claude/stories", {
      topic: "Lost signals",
      maxMinutes: 2,
      projectId,
      provider: "claude",
    });
    expect(job.status, job.error).toBe("completed");
    expect(job.result).toMatchObject({ ...STORY, provider: "claude", model: "claude-sonnet-4-5", projectId });
    expect(job.result.note).toBeUndefined();

    const sent = server.requests.find((r) => r.path === "/v1/messages")!;
    expect(sent.headers["x-api-key"]).toBe("test");
    const body = sent.json as { system: string; messages: { content: string }[] };
    expect(body.system).toMatch(/story developer/);
    expect(body.messages[0]!.content).toContain('"topic": "Lost signals"');

    const session = (await t.call({ method: "GET", url: `/api/session/${projectId}` })).json;
    expect(session.story.title).toBe("Signal");
    expect(session.characters).toEqual([expect.objectContaining({ name: "Mara", role: "protagonist" })]);

    const timeline = (await t.call({ method: "GET", url: "/api/ai/timeline?limit=1" })).json;
    expect(timeline.items[0]).toMatchObject({
      provider: "claude",
      model: "claude-sonnet-4-5",
      kind: "llm",
      status: "ok",
      inputTokens: 321,
      outputTokens: 123,
      jobId: job.id,
    });
    expect(timeline.items[0].costUsd).toBeGreaterThan(0);
  });

  it("fails the job when the answer does not match the story schema", async () => {
    answer = () => ({ title: "Half a story" });
    const job = await runJob(t, "/api/claude/stories", { topic: "Broken", maxMinutes: 1, provider: "claude" });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/^provider returned a story that does not match the schema: .*acts/);
  });

  it("makes a too-long plan fit the runtime and the video model's clip length", async () => {
    answer = () => LONG_PLAN;
    const projectId = await createProject(t);
    const job = await runJob(t, "/api/claude/scene-planning", {
      story: STORY,
      maxMinutes: 1,
      videoModel: "luma-ray2",
      projectId,
      provider: "claude",
    });
    expect(job.status, job.error).toBe("completed");
    expect(job.result).toMatchObject({ provider: "claude", videoModel: "luma-ray2", maxClipSeconds: 9 });
    expect(job.result.totalSeconds).toBeLessThanOrEqual(60);
    expect(job.result.totalSeconds).toBeGreaterThan(59);
    const shots = job.result.scenes.flatMap((s: { shots: { durationSec: number; shotCode: string }[] }) => s.shots);
    // 40 s shots scaled to 10 s each, then split in two ≤ 9 s parts.
    expect(shots).toHaveLength(12);
    for (const shot of shots) expect(shot.durationSec).toBeLessThanOrEqual(9);
    expect(job.result.scenes[0].shots.map((s: { shotCode: string }) => s.shotCode)).toEqual([
      "001A",
      "001B",
      "001C",
      "001D",
    ]);
    const session = (await t.call({ method: "GET", url: `/api/session/${projectId}` })).json;
    expect(session.scenes.map((s: { sceneId: string }) => s.sceneId)).toEqual(["001", "002", "003"]);
    expect(session.scenes[0].shots).toHaveLength(4);
  });

  it("reports claude reachable, openai configured but unreachable, gemini not configured", async () => {
    const res = await t.call({ method: "GET", url: "/api/ai/health" });
    const byName = Object.fromEntries(res.json.providers.map((p: { name: string }) => [p.name, p]));
    expect(byName.claude).toMatchObject({ configured: true, reachable: true, model: "claude-sonnet-4-5" });
    expect(byName.openai).toMatchObject({ configured: true, reachable: false });
    expect(byName.openai.error).toMatch(/openai unreachable/);
    expect(byName.gemini).toMatchObject({
      configured: false,
      reachable: null,
      settings: expect.arrayContaining(["GEMINI_API_KEY"]),
    });
  });
});

describe("a remote provider that is not configured", () => {
  it("answers 400 naming the variable, before queueing anything", async () => {
    const jobCount = async () => (await testSql(t, "select count(*) n from jobs"))[0]?.n;
    const before = await jobCount();
    const cases = [
      {
        url: "/api/claude/stories",
        payload: { topic: "x", maxMinutes: 1, provider: "gemini" },
        setting: "GEMINI_API_KEY",
      },
      {
        url: "/api/claude/scene-planning",
        payload: { story: STORY, maxMinutes: 1, provider: "gemini" },
        setting: "GEMINI_API_KEY",
      },
      {
        url: "/api/images/generate",
        payload: { prompt: "x", provider: "replicate", model: "flux-dev" },
        setting: "REPLICATE_API_TOKEN",
      },
      { url: "/api/images/generate", payload: { prompt: "x", provider: "gemini" }, setting: "GEMINI_API_KEY" },
    ];
    for (const c of cases) {
      const res = await t.call({ method: "POST", url: c.url, payload: c.payload });
      expect(res.status, c.url).toBe(400);
      const provider = c.setting.startsWith("GEMINI") ? "gemini" : "replicate";
      expect(res.json).toEqual({
        error: `${provider} is not configured: set ${c.setting}`,
        details: { provider, setting: c.setting, settings: [c.setting] },
      });
    }
    expect(await jobCount()).toBe(before);
  });

  it("applies DAILIES_DEFAULT_LLM when the request names no provider", async () => {
    const app = await buildTestApp({ DAILIES_DEFAULT_LLM: "claude" }, { startWorker: false });
    try {
      const res = await app.call({
        method: "POST",
        url: "/api/claude/stories",
        payload: { topic: "x", maxMinutes: 1 },
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({
        error: "claude is not configured: set ANTHROPIC_API_KEY",
        details: { provider: "claude", setting: "ANTHROPIC_API_KEY" },
      });
      const openai = await app.call({
        method: "POST",
        url: "/api/claude/stories",
        payload: { topic: "x", maxMinutes: 1, provider: "openai" },
      });
      expect(openai.json.error).toBe("openai is not configured: set OPENAI_API_KEY or OPENAI_BASE_URL");
    } finally {
      await app.close();
    }
  });
});
