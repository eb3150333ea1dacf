import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";

let t: TestApp;
let projectId: string;
let scenes: Record<string, string>;

const ingest = (payload: Record<string, unknown>, headers: Record<string, string> = {}, token?: string) =>
  t.call({ method: "POST", url: "/api/extension/ingest", payload, headers, token });
const base = () => ({
  projectId,
  sceneId: "001",
  platformKey: "openai-sora",
  assetType: "VIDEO",
  prompt: "A ship bridge",
});

beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
  ({ projectId, scenes } = await seedProject(t, ["001", "002A"]));
});
afterAll(() => t.close());

describe("GET /api/extension/projects", () => {
  it("lists the user's projects with scene counts", async () => {
    const res = await t.call({ method: "GET", url: "/api/extension/projects" });
    expect(res.status).toBe(200);
    expect(res.json.projects).toEqual([
      expect.objectContaining({ id: projectId, name: "Film", status: "DEVELOPMENT", genre: null, sceneCount: 2 }),
    ]);
    expect(Date.parse(res.json.projects[0].updatedAt)).not.toBeNaN();
  });
  it("shows another user none of them", async () => {
    const res = await t.call({ method: "GET", url: "/api/extension/projects", token: t.other.token });
    expect(res.json).toEqual({ projects: [] });
  });
});

describe("GET /api/extension/scenes", () => {
  it("lists scenes with uppercased codes", async () => {
    const res = await t.call({ method: "GET", url: `/api/extension/scenes?projectId=${projectId}` });
    expect(res.status).toBe(200);
    expect(res.json.scenes.map((s: { sceneId: string }) => s.sceneId)).toEqual(["001", "002A"]);
    expect(res.json.scenes[0]).toEqual({
      id: scenes["001"],
      sceneId: "001",
      storyBeat: null,
      act: null,
      macroScene: null,
      title: null,
    });
  });
  it("400 without projectId, 404 for unknown and foreign projects", async () => {
    const missing = await t.call({ method: "GET", url: "/api/extension/scenes" });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error: "Invalid payload", details: { fieldErrors: { projectId: ["Required"] } } });
    expect((await t.call({ method: "GET", url: "/api/extension/scenes?projectId=proj_nope" })).json).toEqual({
      error: "Project not found",
    });
    const foreign = await t.call({
      method: "GET",
      url: `/api/extension/scenes?projectId=${projectId}`,
      token: t.other.token,
    });
    expect(foreign.status).toBe(404);
  });
});

describe("POST /api/extension/ingest", () => {
  it("creates version 1 with defaults and every optional field stored", async () => {
    const res = await ingest({
      ...base(),
      sceneId: "002a",
      platformKey: "OpenAI-Sora",
      outputUrl: "https://cdn.example.com/v.mp4",
      thumbnailUrl: "https://cdn.example.com/t.jpg",
      sourceUrl: "https://sora.com/g/gen_1",
      title: "Take 2",
      modelName: "Sora Turbo",
      negativePrompt: "dark",
      metadata: { duration: 5, aspectRatio: "16:9", seed: 42 },
      tags: ["hero"],
      notes: "Client likes it",
      externalAssetId: "gen_1",
      compareGroup: "batch-1",
      provenance: { source: "test" },
      costEstimateUsd: 0.5,
      generationSeconds: 30,
      queueWaitSeconds: 4,
    });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toEqual({
      ok: true,
      asset: expect.objectContaining({
        versionNumber: 1,
        platformKey: "openai-sora",
        platformLabel: "OpenAI Sora",
        assetType: "VIDEO",
        status: "DRAFT",
        rightsState: "UNKNOWN",
        shotId: null,
        sceneId: "002A",
        externalAssetId: "gen_1",
        mirrorStatus: "pending",
      }),
    });
    const list = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=002a`,
    });
    expect(list.status).toBe(200);
    expect(list.json.scene).toEqual({ id: scenes["002A"], sceneId: "002A", storyBeat: null });
    expect(list.json.assets[0]).toMatchObject({
      id: res.json.asset.id,
      prompt: "A ship bridge",
      outputUrl: "https://cdn.example.com/v.mp4",
      thumbnailUrl: "https://cdn.example.com/t.jpg",
      sourceUrl: "https://sora.com/g/gen_1",
      title: "Take 2",
      modelName: "Sora Turbo",
      negativePrompt: "dark",
      metadata: { duration: 5, aspectRatio: "16:9", seed: 42 },
      tags: ["hero"],
      notes: "Client likes it",
      compareGroup: "batch-1",
      provenance: { source: "test" },
      costEstimateUsd: 0.5,
      generationSeconds: 30,
      queueWaitSeconds: 4,
      mirrorUrl: null,
    });
  });

  it("numbers versions within scene, asset type and platform", async () => {
    const a = await ingest({ ...base(), assetType: "IMAGE" });
    const b = await ingest({ ...base(), assetType: "IMAGE" });
    const c = await ingest({ ...base(), assetType: "IMAGE", platformKey: "google-veo" });
    const d = await ingest({ ...base(), assetType: "VIDEO" });
    expect([a, b, c, d].map((r) => r.json.asset.versionNumber)).toEqual([1, 2, 1, 1]);
  });

  it("gives 200 parallel ingests exactly 1..200", async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ingest({ ...base(), assetType: "AUDIO", prompt: `take ${i}` })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const numbers = results.map((r) => r.json.asset.versionNumber).sort((x: number, y: number) => x - y);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it("returns the first response for a repeated Idempotency-Key", async () => {
    const headers = { "idempotency-key": "capture-123" };
    const first = await ingest({ ...base(), assetType: "MUSIC" }, headers);
    const again = await ingest({ ...base(), assetType: "MUSIC" }, headers);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    const list = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&assetType=MUSIC`,
    });
    expect(list.json.assets).toHaveLength(1);
    const different = await ingest({ ...base(), assetType: "MUSIC", prompt: "other" }, headers);
    expect(different.status).toBe(409);
    // keys belong to their user
    const { projectId: otherProject } = await seedProject(t, ["001"], t.other.token);
    const otherUser = await ingest({ ...base(), projectId: otherProject, assetType: "MUSIC" }, headers, t.other.token);
    expect(otherUser.json.asset.versionNumber).toBe(1);
  });

  it("selected:true sets SELECTED and unselects the scene's other versions of that type", async () => {
    const first = await ingest({ ...base(), assetType: "STORYBOARD", selected: true });
    expect(first.json.asset.status).toBe("SELECTED");
    const second = await ingest({
      ...base(),
      assetType: "STORYBOARD",
      platformKey: "runway",
      status: "GENERATED",
      selected: true,
    });
    expect(second.json.asset.status).toBe("SELECTED");
    const list = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&assetType=STORYBOARD`,
    });
    const byId = Object.fromEntries(list.json.assets.map((a: { id: string }) => [a.id, a]));
    expect(byId[first.json.asset.id]).toMatchObject({ selected: false, status: "GENERATED" });
    expect(byId[second.json.asset.id]).toMatchObject({ selected: true, status: "SELECTED" });
  });

  it("accepts platformId, registers unknown keys as custom platforms", async () => {
    const platforms = await t.call({ method: "GET", url: "/api/extension/platforms" });
    const kling = platforms.json.platforms.find((p: { slug: string }) => p.slug === "kling");
    const byId = await ingest({ ...base(), platformKey: undefined, platformId: kling.id });
    expect(byId.json.asset.platformKey).toBe("kling");
    const custom = await ingest({ ...base(), platformKey: "My-Studio", platformLabel: "My Studio" });
    expect(custom.json.asset).toMatchObject({ platformKey: "my-studio", platformLabel: "My Studio", versionNumber: 1 });
    const after = await t.call({ method: "GET", url: "/api/extension/platforms" });
    expect(after.json.platforms.find((p: { slug: string }) => p.slug === "my-studio")).toMatchObject({
      name: "My Studio",
      custom: true,
    });
    const badId = await ingest({ ...base(), platformKey: undefined, platformId: "platform_nope" });
    expect(badId).toMatchObject({ status: 404, json: { error: "Platform not found" } });
  });

  it("creates a prompt package on request", async () => {
    const res = await ingest({ ...base(), createPromptPackage: true, metadata: { aspectRatio: "9:16" } });
    expect(res.json.asset.promptPackageId).toMatch(/^pp_/);
    const custom = await ingest({
      ...base(),
      promptPackage: { name: "Hero look", prompt: "hero", targetDurationSec: 8 },
    });
    expect(custom.json.asset.promptPackageId).toMatch(/^pp_/);
    const reuse = await ingest({ ...base(), promptPackageId: custom.json.asset.promptPackageId });
    expect(reuse.json.asset.promptPackageId).toBe(custom.json.asset.promptPackageId);
  });

  it("checks shot, parent version and prompt package ownership", async () => {
    const shot = await t.call({
      method: "POST",
      url: `/api/scene/${scenes["001"]}/shots`,
      payload: { shotCode: "001A" },
    });
    const ok = await ingest({ ...base(), shotId: shot.json.id });
    expect(ok.json.asset.shotId).toBe(shot.json.id);
    const otherShot = await t.call({
      method: "POST",
      url: `/api/scene/${scenes["002A"]}/shots`,
      payload: { shotCode: "002A-1" },
    });
    expect(await ingest({ ...base(), shotId: otherShot.json.id })).toMatchObject({
      status: 404,
      json: { error: "Shot not found" },
    });
    const parent = await ingest({ ...base(), parentVersionId: ok.json.asset.id });
    expect(parent.status).toBe(200);
    expect(await ingest({ ...base(), parentVersionId: "asset_nope" })).toMatchObject({
      status: 404,
      json: { error: "Parent version not found" },
    });
    expect(await ingest({ ...base(), promptPackageId: "pp_nope" })).toMatchObject({ status: 404 });
  });

  it("answers 404 for unknown scene, unknown or foreign project", async () => {
    expect(await ingest({ ...base(), sceneId: "999" })).toMatchObject({
      status: 404,
      json: { error: "Scene not found" },
    });
    expect(await ingest({ ...base(), projectId: "proj_x" })).toMatchObject({
      status: 404,
      json: { error: "Project not found" },
    });
    expect((await ingest(base(), {}, t.other.token)).status).toBe(404);
  });

  it.each([
    [{ prompt: undefined }, { prompt: ["Required"] }],
    [{ prompt: "" }, { prompt: [expect.any(String)] }],
    [{ outputUrl: "javascript:alert(1)" }, { outputUrl: ["Invalid URL"] }],
    [{ outputUrl: "not a url" }, { outputUrl: ["Invalid URL"] }],
    [{ thumbnailUrl: 42 }, { thumbnailUrl: [expect.any(String)] }],
    [{ sourceUrl: "" }, { sourceUrl: [expect.any(String)] }],
    [{ assetType: "video" }, { assetType: [expect.any(String)] }],
    [{ metadata: "[1,2]" }, { metadata: [expect.any(String)] }],
    [{ metadata: [1, 2] }, { metadata: [expect.any(String)] }],
    [{ status: "APPROVED" }, { status: [expect.any(String)] }],
    [{ rightsState: "MINE" }, { rightsState: [expect.any(String)] }],
    [{ tags: "hero" }, { tags: [expect.any(String)] }],
    [
      { projectId: undefined, sceneId: undefined },
      { projectId: ["Required"], sceneId: ["Required"] },
    ],
    [{ platformKey: undefined }, { platformKey: ["Required"] }],
  ])("rejects %j with fieldErrors", async (change, fieldErrors) => {
    const res = await ingest({ ...base(), ...change });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: "Invalid payload", details: { fieldErrors } });
  });
});

describe("GET /api/extension/scene-assets", () => {
  it("defaults to 30, caps at 100, filters by type, newest first", async () => {
    const all = await t.call({ method: "GET", url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001` });
    expect(all.json.assets).toHaveLength(30);
    const many = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&limit=100`,
    });
    expect(many.json.assets).toHaveLength(100);
    const audio = many.json.assets.filter((a: { assetType: string }) => a.assetType === "AUDIO");
    expect(audio[0].versionNumber).toBeGreaterThan(audio[audio.length - 1].versionNumber);
    const over = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&limit=101`,
    });
    expect(over.status).toBe(400);
    expect(over.json.details.fieldErrors.limit).toBeDefined();
    const typed = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&assetType=MUSIC`,
    });
    expect(typed.json.assets.every((a: { assetType: string }) => a.assetType === "MUSIC")).toBe(true);
    const badType = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&assetType=FILM`,
    });
    expect(badType.status).toBe(400);
  });
  it("400 for missing params, 404 for unknown scene or foreign project", async () => {
    const missing = await t.call({ method: "GET", url: `/api/extension/scene-assets?projectId=${projectId}` });
    expect(missing.json).toEqual({ error: "Invalid payload", details: { fieldErrors: { sceneId: ["Required"] } } });
    const unknown = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=777`,
    });
    expect(unknown).toMatchObject({ status: 404, json: { error: "Scene not found" } });
    const foreign = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001`,
      token: t.other.token,
    });
    expect(foreign.status).toBe(404);
  });
});

describe("GET /api/extension/platforms", () => {
  it("has the seeded platforms", async () => {
    const res = await t.call({ method: "GET", url: "/api/extension/platforms" });
    const slugs = res.json.platforms.map((p: { slug: string }) => p.slug);
    for (const slug of [
      "openai-sora",
      "google-veo",
      "freepik-ai",
      "runway",
      "kling",
      "luma",
      "pika",
      "midjourney",
      "ideogram",
      "leonardo",
      "adobe-firefly",
      "flux",
      "elevenlabs",
      "suno",
      "udio",
    ]) {
      expect(slugs).toContain(slug);
    }
    expect(res.json.platforms.find((p: { slug: string }) => p.slug === "google-veo")).toMatchObject({
      name: "Google Gemini / Veo",
      provider: "Google",
      specialties: ["video", "image", "multi"],
      supportedOutput: ["VIDEO", "IMAGE"],
      homepageUrl: "https://gemini.google.com",
      docsUrl: "https://ai.google.dev/veo",
    });
  });
});

describe("profile", () => {
  it("returns defaults, merges partial updates, ignores unknown keys, refuses bad values", async () => {
    const initial = await t.call({ method: "GET", url: "/api/extension/profile" });
    expect(initial.json.preferences).toEqual({
      lastActiveProjectId: null,
      lastActiveSceneId: null,
      defaultAssetType: "VIDEO",
      defaultStatus: "DRAFT",
      enabledPlatforms: ["openai-sora", "google-veo", "freepik-ai"],
      autoFillEnabled: true,
    });
    const put = await t.call({
      method: "PUT",
      url: "/api/extension/profile",
      payload: {
        preferences: { lastActiveProjectId: projectId, lastActiveSceneId: scenes["001"], defaultAssetType: "IMAGE" },
      },
    });
    expect(put.status).toBe(200);
    expect(put.json.preferences).toMatchObject({
      lastActiveProjectId: projectId,
      defaultAssetType: "IMAGE",
      autoFillEnabled: true,
    });
    const again = await t.call({
      method: "PUT",
      url: "/api/extension/profile",
      payload: { preferences: { autoFillEnabled: false } },
    });
    expect(again.json.preferences).toMatchObject({
      lastActiveSceneId: scenes["001"],
      defaultAssetType: "IMAGE",
      autoFillEnabled: false,
    });
    expect((await t.call({ method: "GET", url: "/api/extension/profile" })).json).toEqual(again.json);
    const other = await t.call({ method: "GET", url: "/api/extension/profile", token: t.other.token });
    expect(other.json.preferences.lastActiveProjectId).toBeNull();
    const unknown = await t.call({
      method: "PUT",
      url: "/api/extension/profile",
      payload: { preferences: { theme: "dark" } },
    });
    expect(unknown.status).toBe(200);
    expect(unknown.json.ignoredKeys).toEqual(["theme"]);
    expect(
      (
        await t.call({
          method: "PUT",
          url: "/api/extension/profile",
          payload: { preferences: { defaultAssetType: "FILM" } },
        })
      ).status,
    ).toBe(400);
    expect(
      (await t.call({ method: "PUT", url: "/api/extension/profile", payload: {} })).json.details.fieldErrors,
    ).toEqual({ preferences: ["Required"] });
  });
});

describe("shots and characters", () => {
  it("lists shots by scene db id in sort order", async () => {
    const sceneDbId = scenes["002A"];
    await t.call({
      method: "POST",
      url: `/api/scene/${sceneDbId}/shots`,
      payload: { shotCode: "002A-3", sortOrder: 9, description: "Close-up" },
    });
    const res = await t.call({ method: "GET", url: `/api/extension/shots?sceneDbId=${sceneDbId}` });
    expect(res.status).toBe(200);
    expect(res.json.shots.at(-1)).toEqual({
      id: expect.any(String),
      shotCode: "002A-3",
      description: "Close-up",
      sortOrder: 9,
    });
    expect((await t.call({ method: "GET", url: "/api/extension/shots" })).json.details.fieldErrors).toEqual({
      sceneDbId: ["Required"],
    });
    expect((await t.call({ method: "GET", url: "/api/extension/shots?sceneDbId=scene_x" })).json).toEqual({
      error: "Scene not found",
    });
    expect(
      (await t.call({ method: "GET", url: `/api/extension/shots?sceneDbId=${sceneDbId}`, token: t.other.token }))
        .status,
    ).toBe(404);
  });
  it("lists characters", async () => {
    await t.call({
      method: "POST",
      url: `/api/project/${projectId}/characters`,
      payload: { name: "Sarah Chen", role: "Protagonist", description: "Commander" },
    });
    const res = await t.call({ method: "GET", url: `/api/extension/characters?projectId=${projectId}` });
    expect(res.json.characters).toEqual([
      { id: expect.any(String), name: "Sarah Chen", role: "Protagonist", description: "Commander" },
    ]);
    expect((await t.call({ method: "GET", url: "/api/extension/characters" })).status).toBe(400);
    expect((await t.call({ method: "GET", url: "/api/extension/characters?projectId=proj_x" })).json).toEqual({
      error: "Project not found",
    });
  });
});

describe("PATCH /api/extension/asset-update", () => {
  it("selects one version and sets compare groups", async () => {
    const a = await ingest({ ...base(), assetType: "VOICE" });
    const b = await ingest({ ...base(), assetType: "VOICE" });
    const sel = await t.call({
      method: "PATCH",
      url: "/api/extension/asset-update",
      payload: { assetId: a.json.asset.id, selected: true },
    });
    expect(sel.json.asset).toMatchObject({ selected: true, status: "SELECTED" });
    const selB = await t.call({
      method: "PATCH",
      url: "/api/extension/asset-update",
      payload: { assetId: b.json.asset.id, selected: true, compareGroup: "g1" },
    });
    expect(selB.json.asset).toMatchObject({ selected: true, status: "SELECTED", compareGroup: "g1" });
    const list = await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&assetType=VOICE`,
    });
    expect(list.json.assets.find((x: { id: string }) => x.id === a.json.asset.id)).toMatchObject({
      selected: false,
      status: "GENERATED",
    });
    const unsel = await t.call({
      method: "PATCH",
      url: "/api/extension/asset-update",
      payload: { assetId: b.json.asset.id, selected: false, compareGroup: null },
    });
    expect(unsel.json.asset).toMatchObject({ selected: false, status: "GENERATED", compareGroup: null });
  });
  it("validates and hides other users' assets", async () => {
    const a = await ingest(base());
    expect(
      (await t.call({ method: "PATCH", url: "/api/extension/asset-update", payload: { selected: true } })).json.details
        .fieldErrors,
    ).toEqual({ assetId: ["Required"] });
    expect(
      (
        await t.call({
          method: "PATCH",
          url: "/api/extension/asset-update",
          payload: { assetId: a.json.asset.id, selected: "yes" },
        })
      ).status,
    ).toBe(400);
    expect(
      (await t.call({ method: "PATCH", url: "/api/extension/asset-update", payload: { assetId: a.json.asset.id } }))
        .status,
    ).toBe(400);
    const foreign = await t.call({
      method: "PATCH",
      url: "/api/extension/asset-update",
      payload: { assetId: a.json.asset.id, selected: true },
      token: t.other.token,
    });
    expect(foreign).toMatchObject({ status: 404, json: { error: "Asset not found" } });
  });
});
