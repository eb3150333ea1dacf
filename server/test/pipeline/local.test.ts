import { scenePlanSchema, storySchema } from "@dailies/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { createProject, pathOf, runJob } from "./helpers.js";

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const TOPIC = "A lighthouse keeper who collects lost radio signals";
const ASPECTS = ["16:9", "9:16", "1:1", "4:3"] as const;

describe("the local pipeline: topic → story → scene plan → images", () => {
  it("runs a 3-minute topic end to end into the project", async () => {
    const projectId = await createProject(t, "Lighthouse");
    const started = performance.now();

    const storyJob = await runJob(t, "/api/claude/stories", { topic: TOPIC, maxMinutes: 3, projectId });
    expect(storyJob.status, storyJob.error).toBe("completed");
    expect(storyJob.kind).toBe("story");
    const story = storySchema.parse(storyJob.result);
    expect(story.provider).toBe("local");
    expect(story.note).toMatch(/not AI/);
    expect(story.projectId).toBe(projectId);
    expect(story.title).toBe("A Lighthouse Keeper Who Collects Lost Radio Signals");
    expect(story.acts.map((a) => a.number)).toEqual([1, 2, 3]);
    expect(story.acts.every((a) => a.beats.length === 3)).toBe(true);
    expect(story.characters.map((c) => c.role)).toEqual(["protagonist", "mentor", "antagonist"]);
    expect(story.estimatedMinutes).toBeLessThanOrEqual(3);

    const storyMs = performance.now() - started;
    const planJob = await runJob(t, "/api/claude/scene-planning", { story, maxMinutes: 3 });
    const planMs = performance.now() - started - storyMs;
    expect(planJob.status, planJob.error).toBe("completed");
    const plan = scenePlanSchema.parse(planJob.result);
    expect(plan).toMatchObject({ provider: "local", videoModel: "veo-3.1", maxClipSeconds: 8, maxSeconds: 180 });
    expect(plan.projectId).toBe(projectId);
    expect(plan.scenes).toHaveLength(9);
    expect(plan.scenes.map((s) => s.sceneCode)).toEqual([
      "001",
      "002",
      "003",
      "004",
      "005",
      "006",
      "007",
      "008",
      "009",
    ]);
    expect(plan.totalSeconds).toBeLessThanOrEqual(180);
    expect(plan.totalSeconds).toBeGreaterThan(170);
    for (const scene of plan.scenes) {
      expect(scene.shots[0]?.shotCode).toBe(`${scene.sceneCode}A`);
      for (const shot of scene.shots) expect(shot.durationSec).toBeLessThanOrEqual(8);
      const sum = scene.shots.reduce((a, s) => a + s.durationSec, 0);
      expect(Math.abs(sum - scene.durationSec)).toBeLessThan(1e-9);
    }

    // One image per scene, queued together (the worker runs two at a time).
    const jobIds: string[] = [];
    for (const scene of plan.scenes) {
      const res = await t.call({
        method: "POST",
        url: "/api/images/generate",
        payload: {
          prompt: scene.imagePrompt,
          aspectRatio: ASPECTS[(scene.number - 1) % ASPECTS.length],
          projectId,
          sceneNumber: scene.number,
        },
      });
      expect(res.status, res.body).toBe(202);
      jobIds.push(res.json.jobId);
    }
    await t.app.deps.worker.idle(120_000);
    const elapsedMs = performance.now() - started;
    console.log(
      `local pipeline, 3-minute topic: story + plan (${plan.scenes.length} scenes) + ${jobIds.length} images in ` +
        `${Math.round(elapsedMs)} ms (story ${Math.round(storyMs)} ms, plan ${Math.round(planMs)} ms, ` +
        `images ${Math.round(elapsedMs - storyMs - planMs)} ms)`,
    );

    const runner = t.app.deps.ffmpeg!;
    for (const [i, jobId] of jobIds.entries()) {
      const job = (await t.call({ method: "GET", url: `/api/jobs/${jobId}` })).json;
      expect(job.status, job.error).toBe("completed");
      const aspect = ASPECTS[i % ASPECTS.length]!;
      const [w, h] = aspect.split(":").map(Number) as [number, number];
      expect(job.result).toMatchObject({
        provider: "local",
        versionNumber: 1,
        sceneId: plan.scenes[i]!.sceneCode,
        platformKey: "dailies-local",
      });
      expect(job.result.width / job.result.height).toBeCloseTo(w / h, 2);

      // A real PNG behind the signed URL, and ffprobe measures the right aspect.
      const file = await t.call({ method: "GET", url: pathOf(job.result.imageUrl), token: null });
      expect(file.status).toBe(200);
      expect(file.headers["content-type"]).toMatch(/image\/png/);
      const [row] = (await testSql(t, "select origin, path from media where id = ?", [job.result.mediaId])) as [
        {
          origin: string;
          path: string;
        },
      ];
      expect(row?.origin).toBe("generated");
      const probe = await runner.probe(t.app.deps.files.absolute(row!.path));
      expect(probe.videoCodec).toBe("png");
      expect([probe.width, probe.height]).toEqual([job.result.width, job.result.height]);
      expect(probe.width! / probe.height!).toBeCloseTo(w / h, 2);
    }

    // The session shows it all: story, plan, scenes with shots, one IMAGE version per scene, the jobs.
    const session = await t.call({ method: "GET", url: `/api/session/${projectId}` });
    expect(session.status, session.body).toBe(200);
    expect(session.json.story.title).toBe(story.title);
    expect(session.json.scenePlan.totalSeconds).toBe(plan.totalSeconds);
    expect(session.json.characters).toHaveLength(3);
    expect(session.json.scenes).toHaveLength(9);
    for (const [i, scene] of session.json.scenes.entries()) {
      const planned = plan.scenes[i]!;
      expect(scene).toMatchObject({
        sceneId: planned.sceneCode,
        storyBeat: planned.storyBeat,
        act: planned.act,
        macroScene: planned.macroScene,
        durationSec: planned.durationSec,
        imagePrompt: planned.imagePrompt,
      });
      expect(scene.shots.map((s: { shotCode: string }) => s.shotCode)).toEqual(planned.shots.map((s) => s.shotCode));
    }
    expect(session.json.images).toHaveLength(9);
    for (const image of session.json.images) {
      expect(image).toMatchObject({ assetType: "IMAGE", platformKey: "dailies-local", mirrorStatus: "mirrored" });
      expect(image.mirrorUrl).toMatch(/\/media\/media_/);
    }
    expect(session.json.jobs).toHaveLength(11);

    const list = await t.call({ method: "GET", url: "/api/session/list" });
    expect(list.json.sessions).toContainEqual(
      expect.objectContaining({ id: projectId, sceneCount: 9, hasStory: true, hasScenePlan: true }),
    );
  });

  it("re-runs without duplicating characters or scenes, and numbers new image versions", async () => {
    const projectId = await createProject(t, "Again");
    const first = await runJob(t, "/api/claude/stories", { topic: "Bees in the city", maxMinutes: 1, projectId });
    const again = await runJob(t, "/api/claude/stories", { topic: "Bees in the city", maxMinutes: 1, projectId });
    expect(again.result).toEqual(first.result); // deterministic
    const names = await testSql(t, "select name from characters where project_id = ?", [projectId]);
    expect(names).toHaveLength(3);

    const plan = await runJob(t, "/api/claude/scene-planning", {
      story: first.result,
      maxMinutes: 1,
      videoModel: "sora-2",
    });
    expect(plan.result).toMatchObject({ videoModel: "sora-2", maxClipSeconds: 12 });
    expect(plan.result.totalSeconds).toBeLessThanOrEqual(60);
    await runJob(t, "/api/claude/scene-planning", { story: first.result, maxMinutes: 1, projectId });
    const session = (await t.call({ method: "GET", url: `/api/session/${projectId}` })).json;
    expect(session.scenes).toHaveLength(6);
    expect(session.scenePlan.videoModel).toBe("veo-3.1");

    const one = await runJob(t, "/api/images/generate", {
      prompt: "Bees",
      provider: "local",
      projectId,
      sceneNumber: 2,
    });
    const two = await runJob(t, "/api/images/generate", { prompt: "Bees again", projectId, sceneNumber: 2 });
    expect([one.result.versionNumber, two.result.versionNumber]).toEqual([1, 2]);
    expect(two.result.sceneId).toBe("002");

    // Without a project the image is only stored.
    const loose = await runJob(t, "/api/images/generate", { prompt: "Just a frame", aspectRatio: "1:1" });
    expect(loose.result).toMatchObject({ width: 1024, height: 1024, provider: "local" });
    expect(loose.result.assetVersionId).toBeUndefined();
  });

  it("records every provider call in the AI timeline, newest first, page by page", async () => {
    const story = await runJob(t, "/api/claude/stories", { topic: "Timeline", maxMinutes: 1 });
    const plan = await runJob(t, "/api/claude/scene-planning", { story: story.result, maxMinutes: 1 });
    const res = await t.call({ method: "GET", url: "/api/ai/timeline?limit=2" });
    expect(res.status, res.body).toBe(200);
    expect(res.json.items.map((i: { jobId: string }) => i.jobId)).toEqual([plan.id, story.id]);
    expect(res.json.items[0]).toMatchObject({
      provider: "local",
      model: "local-template-v1",
      kind: "llm",
      status: "ok",
    });
    expect(typeof res.json.items[0].durationMs).toBe("number");
    expect(res.json.nextCursor).toEqual(expect.any(String));

    const all = (await t.call({ method: "GET", url: "/api/ai/timeline?limit=200" })).json.items;
    const times = all.map((i: { createdAt: string }) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.some((i: { kind: string }) => i.kind === "image")).toBe(true);

    const next = await t.call({ method: "GET", url: `/api/ai/timeline?limit=2&cursor=${res.json.nextCursor}` });
    expect(next.json.items[0].id).toBe(all[2].id);

    const bob = await t.call({ method: "GET", url: "/api/ai/timeline", token: t.other.token });
    expect(bob.json).toEqual({ items: [], nextCursor: null });
  });

  it("reports AI health: local ready, remote providers not configured", async () => {
    const res = await t.call({ method: "GET", url: "/api/ai/health" });
    expect(res.status, res.body).toBe(200);
    const byName = Object.fromEntries(res.json.providers.map((p: { name: string }) => [p.name, p]));
    expect(byName.local).toMatchObject({ configured: true, reachable: true, model: "local-template-v1" });
    for (const name of ["gemini", "claude", "openai", "replicate"]) {
      expect(byName[name]).toMatchObject({ configured: false, reachable: null });
    }
    expect(res.json.defaults).toEqual({ llm: "local", image: "local" });

    const models = await t.call({ method: "GET", url: "/api/ai/video-models" });
    expect(models.json.models).toContainEqual(
      expect.objectContaining({ id: "veo-3.1", maxClipSeconds: 8, default: true }),
    );
  });
});
