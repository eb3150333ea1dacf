import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./helpers.js";

// The server's default providers are `local` (template drafts and placeholder images), so no AI key is needed.
let s: TestServer;
let projectId: string;

beforeAll(async () => {
  s = await startServer();
  projectId = (await s.dailies(["projects", "create", "Pipeline", "--json"])).json().id;
});
afterAll(() => s?.close());

describe("story → plan → images", () => {
  it("story without --wait prints only the job id; jobs show and jobs watch follow it", async () => {
    const started = await s.dailies(["story", "--topic", "A lighthouse keeper", "--minutes", "1"]);
    expect(started.code, started.stderr).toBe(0);
    const jobId = started.stdout.trim();
    expect(jobId).toMatch(/^job_\w+$/);
    expect(started.stderr).toContain(`dailies jobs watch ${jobId}`);

    const watched = await s.dailies(["jobs", "watch", jobId, "--json", "--timeout", "60"]);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.json()).toMatchObject({ id: jobId, kind: "story", status: "completed", progress: 1 });

    const shown = await s.dailies(["jobs", "show", jobId, "--json"]);
    expect(shown.json().result).toMatchObject({ provider: "local", acts: expect.any(Array) });
    const human = await s.dailies(["jobs", "show", jobId]);
    expect(human.stdout).toMatch(/^status: +completed$/m);
  });

  it("story --wait | plan --story - --wait writes the scenes into the project", async () => {
    const story = await s.dailies([
      "story",
      "--topic",
      "A heist on the moon",
      "--minutes",
      "1",
      "--project",
      "Pipeline",
      "--wait",
      "--json",
    ]);
    expect(story.code, story.stderr).toBe(0);
    expect(story.json()).toMatchObject({ status: "completed", result: { title: expect.any(String), projectId } });

    const plan = await s.dailies(["plan", "--story", "-", "--minutes", "1", "--wait", "--json"], {
      input: story.stdout,
    });
    expect(plan.code, plan.stderr).toBe(0);
    const result = plan.json().result;
    expect(result).toMatchObject({ projectId, totalSeconds: expect.any(Number) });
    expect(result.totalSeconds).toBeLessThanOrEqual(60);

    const scenes = (await s.dailies(["scenes", "list", "--project", projectId, "--json"])).json().scenes;
    expect(scenes.map((x: { sceneId: string }) => x.sceneId)).toEqual(
      result.scenes.map((x: { sceneCode: string }) => x.sceneCode),
    );
  });

  it("images --wait --out files the image into a scene and downloads the PNG", async () => {
    const r = await s.dailies([
      "images",
      "--prompt",
      "Lighthouse at dusk",
      "--aspect-ratio",
      "1:1",
      "--project",
      projectId,
      "--scene",
      "1",
      "--wait",
      "--out",
      "frame.png",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const job = r.json();
    expect(job.result).toMatchObject({ width: 1024, height: 1024, sceneId: "001", versionNumber: 1 });
    expect(job.file).toBe(join(s.workDir, "frame.png"));
    expect(readFileSync(job.file).subarray(1, 4).toString()).toBe("PNG");

    const assets = await s.dailies([
      "assets",
      "list",
      "--project",
      projectId,
      "--scene",
      "001",
      "--type",
      "IMAGE",
      "--json",
    ]);
    expect(assets.json().assets[0].id).toBe(job.result.assetVersionId);
  });

  it("validation errors exit 1 with field errors; unknown jobs exit 1", async () => {
    const r = await s.dailies(["story", "--topic", "x", "--minutes", "9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Invalid payload \(HTTP 400\)\n {2}maxMinutes: /);

    const badStory = await s.dailies(["plan", "--story", "-", "--minutes", "1"], { input: '{"title":"t"}' });
    expect(badStory.code).toBe(1);
    expect(badStory.stderr).toMatch(/^ {2}story\.acts: /m);

    const missing = await s.dailies(["jobs", "show", "job_nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*not found \(HTTP 404\)/);

    const usage = await s.dailies(["images", "--prompt", "x", "--out", "a.png"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage error: --out needs --wait");
  });
});
