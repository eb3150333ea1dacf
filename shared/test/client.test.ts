import { afterEach, describe, expect, it, vi } from "vitest";
import { type ClientOptions, createClient, DailiesApiError, type DailiesClient } from "../src/client.js";

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

type Handler = (req: Recorded, init: RequestInit) => Response | Promise<Response>;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A client whose fetch records every request and answers with `handler`. */
function setup(handler: Handler | object = {}, opts: Partial<ClientOptions> = {}) {
  const calls: Recorded[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const body = init.body;
    const req: Recorded = {
      url: String(input),
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof body === "string" ? JSON.parse(body) : body,
    };
    calls.push(req);
    return typeof handler === "function" ? (handler as Handler)(req, init) : json(handler);
  });
  const client = createClient({ baseUrl: "http://dailies.test/", token: "dl_secret", fetch, ...opts });
  return { client, calls, fetch };
}

async function apiError(promise: Promise<unknown>): Promise<DailiesApiError> {
  const err = await promise.then(
    () => expect.unreachable("expected a DailiesApiError"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DailiesApiError);
  return err as DailiesApiError;
}

const NOW = "2026-02-14T12:00:00.000Z";
const project = {
  id: "p1",
  workspace_id: "w1",
  name: "The Awakening",
  description: null,
  status: "DEVELOPMENT",
  genre: "Sci-Fi",
  video_url: null,
  scene_count: 0,
  created_at: NOW,
  updated_at: NOW,
};
/** GET /api/project/:id adds the project's media and timeline. */
const projectDetails = { ...project, media: [], segments: [], duration: 0 };
const scene = {
  id: "s1",
  projectId: "p1",
  sceneId: "001A",
  storyBeat: null,
  act: 1,
  macroScene: null,
  title: null,
  sortOrder: 0,
  durationSec: null,
  imagePrompt: null,
  videoPrompt: null,
  createdAt: NOW,
  updatedAt: NOW,
};
const shot = { id: "sh1", sceneDbId: "s1", shotCode: "001A", description: null, sortOrder: 1 };
const character = { id: "c1", name: "Sarah Chen", role: "Protagonist", description: null };
const token = { id: "t1", name: "cli", prefix: "dl_abc", createdAt: NOW, lastUsedAt: null, revokedAt: null };
const health = {
  status: "ok",
  version: "0.1.0",
  ffmpeg: { found: true, version: "7.1" },
};
const assetVersion = {
  id: "a1",
  projectId: "p1",
  sceneDbId: "s1",
  sceneId: "001",
  shotId: null,
  assetType: "VIDEO",
  platformKey: "openai-sora",
  platformLabel: "OpenAI Sora",
  prompt: "A bridge",
  negativePrompt: null,
  title: null,
  modelName: null,
  outputUrl: "https://cdn.example/v.mp4",
  thumbnailUrl: null,
  sourceUrl: null,
  status: "SELECTED",
  selected: true,
  rightsState: "UNKNOWN",
  versionNumber: 3,
  metadata: null,
  tags: [],
  notes: null,
  externalAssetId: null,
  promptPackageId: null,
  compareGroup: "batch-1",
  parentVersionId: null,
  provenance: null,
  costEstimateUsd: null,
  generationSeconds: null,
  queueWaitSeconds: null,
  mirrorStatus: "pending",
  mirrorUrl: null,
  thumbnailMirrorUrl: null,
  mirrorError: null,
  createdAt: NOW,
};
const ingestResponse = {
  ok: true,
  asset: {
    id: "a1",
    versionNumber: 3,
    platformKey: "openai-sora",
    platformLabel: "OpenAI Sora",
    assetType: "VIDEO",
    status: "GENERATED",
    rightsState: "UNKNOWN",
    shotId: null,
    sceneId: "001",
    projectId: "p1",
    promptPackageId: null,
    externalAssetId: "gen_1",
    mirrorStatus: "pending",
    createdAt: NOW,
  },
};
const job = {
  id: "job_1",
  kind: "story",
  status: "completed",
  progress: 1,
  result: { title: "T" },
  projectId: null,
  createdAt: NOW,
  updatedAt: NOW,
  finishedAt: NOW,
};
const segment = {
  id: "seg1",
  project_id: "p1",
  media_id: "m1",
  start_ts: 0,
  end_ts: 2,
  source: "original",
  url: null,
  variant_id: null,
  order_index: 0,
  active: true,
  timeline_start: 0,
};
const frame = { frame_url: "http://dailies.test/frames/f.jpg", timestamp: 1, segment_id: "seg1", source_ts: 1 };
const box = { x: 0.1, y: 0.1, width: 0.5, height: 0.5 };
const exportStatus = {
  export_job_id: "exp1",
  project_id: "p1",
  format: "mp4",
  status: "completed",
  progress: 1,
  export_url: "http://dailies.test/media/m9?exp=1&sig=s",
  download_url: "http://dailies.test/media/m9?exp=1&sig=s&download=1",
  error: null,
  duration: 2,
  rendered_parts: 1,
  reused_parts: 0,
};
const variant = {
  id: "v1",
  job_id: "j1",
  project_id: "p1",
  url: null,
  preview_url: null,
  prompt: "blur",
  provider: "local",
  start_ts: 0,
  end_ts: 1,
  bounding_box: box,
  info: null,
  accepted_at: null,
  created_at: NOW,
};
const workspace = { id: "w2", name: "Studio", personal: false, role: "owner", memberCount: 1, createdAt: NOW };
const session = {
  id: "p1",
  workspaceId: "w1",
  name: "The Awakening",
  description: null,
  status: "DEVELOPMENT",
  genre: null,
  createdAt: NOW,
  updatedAt: NOW,
  story: null,
  scenePlan: null,
  characters: [],
  scenes: [{ ...scene, shots: [shot] }],
  images: [],
  jobs: [job],
};
const preferences = {
  lastActiveProjectId: "p1",
  lastActiveSceneId: null,
  defaultAssetType: "IMAGE",
  defaultStatus: "DRAFT",
  enabledPlatforms: ["openai-sora"],
  autoFillEnabled: true,
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("headers", () => {
  it("sends Bearer, x-workspace-id and accept, but no content-type without a body", async () => {
    const { client, calls } = setup(
      { id: "u1", email: null, name: "Ada", workspaceId: "w1", createdAt: NOW },
      {
        workspaceId: "w1",
      },
    );
    const me = await client.me();
    expect(me.name).toBe("Ada");
    const [req] = calls;
    expect(req?.url).toBe("http://dailies.test/api/me");
    expect(req?.method).toBe("GET");
    expect(req?.headers.get("authorization")).toBe("Bearer dl_secret");
    expect(req?.headers.get("x-workspace-id")).toBe("w1");
    expect(req?.headers.get("accept")).toBe("application/json");
    expect(req?.headers.has("content-type")).toBe(false);
    expect(req?.body).toBeUndefined();
  });

  it("leaves out Authorization and x-workspace-id when not configured", async () => {
    const { client, calls } = setup({ tokens: [] }, { token: undefined });
    await client.tokens.list();
    expect(calls[0]?.headers.has("authorization")).toBe(false);
    expect(calls[0]?.headers.has("x-workspace-id")).toBe(false);
  });

  it("health() needs no auth, and sends the token when it has one (the answer then adds details)", async () => {
    const { client, calls } = setup(health, { workspaceId: "w1" });
    expect((await client.health()).status).toBe("ok");
    expect(calls[0]?.url).toBe("http://dailies.test/api/health");
    expect(calls[0]?.headers.has("authorization")).toBe(true);
    const anonymous = setup(health, { token: undefined });
    expect((await anonymous.client.health()).status).toBe("ok");
    expect(anonymous.calls[0]?.headers.has("authorization")).toBe(false);
  });

  it("sends JSON with content-type when there is a body", async () => {
    const { client, calls } = setup({ ...token, token: "dl_new" });
    const created = await client.tokens.create({ name: "laptop" });
    expect(created.token).toBe("dl_new");
    expect(calls[0]).toMatchObject({ method: "POST", url: "http://dailies.test/api/tokens", body: { name: "laptop" } });
    expect(calls[0]?.headers.get("content-type")).toBe("application/json");
  });

  it("sends Idempotency-Key with ingest only when given", async () => {
    const { client, calls } = setup(ingestResponse);
    const body = {
      projectId: "p1",
      sceneId: "001",
      platformKey: "openai-sora",
      assetType: "VIDEO",
      prompt: "x",
    } as const;
    const res = await client.extension.ingest(body, { idempotencyKey: "cap-123" });
    expect(res.asset.id).toBe("a1");
    await client.extension.ingest(body);
    expect(calls[0]).toMatchObject({ method: "POST", url: "http://dailies.test/api/extension/ingest", body });
    expect(calls[0]?.headers.get("idempotency-key")).toBe("cap-123");
    expect(calls[0]?.headers.get("content-type")).toBe("application/json");
    expect(calls[1]?.headers.has("idempotency-key")).toBe(false);
  });
});

describe("query strings", () => {
  it("URL-encodes values and drops undefined ones", async () => {
    const { client, calls } = setup({ scene: { id: "s1", sceneId: "001A", storyBeat: null }, assets: [assetVersion] });
    const res = await client.extension.sceneAssets({ projectId: "proj a&b=c", sceneId: "001a/é", limit: 5 });
    expect(res.assets[0]?.selected).toBe(true);
    const url = new URL(calls[0]?.url ?? "");
    expect(url.pathname).toBe("/api/extension/scene-assets");
    expect(url.search).toBe("?projectId=proj+a%26b%3Dc&sceneId=001a%2F%C3%A9&limit=5");
    expect(url.searchParams.get("projectId")).toBe("proj a&b=c");
    expect(url.searchParams.get("sceneId")).toBe("001a/é");
  });

  it("passes the filters of scenes, shots and characters", async () => {
    const { client, calls } = setup((req) => {
      const path = new URL(req.url).pathname;
      if (path.endsWith("/scenes")) return json({ scenes: [] });
      if (path.endsWith("/shots")) return json({ shots: [] });
      return json({ characters: [character] });
    });
    await client.extension.scenes({ projectId: "p 1" });
    await client.extension.shots({ sceneDbId: "s1" });
    const { characters } = await client.extension.characters({ projectId: "p1" });
    expect(characters[0]?.name).toBe("Sarah Chen");
    expect(calls.map((c) => c.url)).toEqual([
      "http://dailies.test/api/extension/scenes?projectId=p+1",
      "http://dailies.test/api/extension/shots?sceneDbId=s1",
      "http://dailies.test/api/extension/characters?projectId=p1",
    ]);
  });

  it("encodes ids in paths", async () => {
    const { client, calls } = setup(projectDetails);
    await client.projects.get("a/b?c");
    expect(calls[0]?.url).toBe("http://dailies.test/api/project/a%2Fb%3Fc");
  });
});

describe("routes", () => {
  const cases: [string, (c: DailiesClient) => Promise<unknown>, string, string, unknown, object][] = [
    ["tokens.list", (c) => c.tokens.list(), "GET", "/api/tokens", undefined, { tokens: [token] }],
    ["tokens.revoke", (c) => c.tokens.revoke("t1"), "DELETE", "/api/tokens/t1", undefined, { revoked: true }],
    [
      "extension.projects",
      (c) => c.extension.projects(),
      "GET",
      "/api/extension/projects",
      undefined,
      { projects: [] },
    ],
    [
      "extension.platforms",
      (c) => c.extension.platforms(),
      "GET",
      "/api/extension/platforms",
      undefined,
      { platforms: [] },
    ],
    ["extension.profile", (c) => c.extension.profile(), "GET", "/api/extension/profile", undefined, { preferences }],
    [
      "extension.updateProfile",
      (c) => c.extension.updateProfile({ preferences: { defaultAssetType: "IMAGE" } }),
      "PUT",
      "/api/extension/profile",
      { preferences: { defaultAssetType: "IMAGE" } },
      { preferences },
    ],
    [
      "extension.assetUpdate",
      (c) => c.extension.assetUpdate({ assetId: "a1", selected: true, compareGroup: null }),
      "PATCH",
      "/api/extension/asset-update",
      { assetId: "a1", selected: true, compareGroup: null },
      { ok: true, asset: assetVersion },
    ],
    ["projects.list", (c) => c.projects.list(), "GET", "/api/project", undefined, { projects: [project] }],
    ["projects.create", (c) => c.projects.create({ name: "X" }), "POST", "/api/project", { name: "X" }, project],
    ["projects.get", (c) => c.projects.get("p1"), "GET", "/api/project/p1", undefined, projectDetails],
    [
      "projects.update",
      (c) => c.projects.update("p1", { genre: null }),
      "PATCH",
      "/api/project/p1",
      { genre: null },
      project,
    ],
    ["projects.delete", (c) => c.projects.delete("p1"), "DELETE", "/api/project/p1", undefined, { deleted: true }],
    [
      "projects.createScene",
      (c) => c.projects.createScene("p1", { sceneId: "001a" }),
      "POST",
      "/api/project/p1/scenes",
      { sceneId: "001a" },
      scene,
    ],
    [
      "projects.createCharacter",
      (c) => c.projects.createCharacter("p1", { name: "Sarah Chen" }),
      "POST",
      "/api/project/p1/characters",
      { name: "Sarah Chen" },
      character,
    ],
    ["scenes.update", (c) => c.scenes.update("s1", { act: 2 }), "PATCH", "/api/scene/s1", { act: 2 }, scene],
    ["scenes.delete", (c) => c.scenes.delete("s1"), "DELETE", "/api/scene/s1", undefined, { deleted: true }],
    [
      "scenes.createShot",
      (c) => c.scenes.createShot("s1", { shotCode: "001A" }),
      "POST",
      "/api/scene/s1/shots",
      { shotCode: "001A" },
      shot,
    ],
    [
      "projects.upload",
      (c) => c.projects.upload("p1", { file_name: "take1.mp4", content_type: "video/mp4" }),
      "POST",
      "/api/project/p1/upload",
      { file_name: "take1.mp4", content_type: "video/mp4" },
      {
        upload_url: "http://dailies.test/uploads/m1?exp=1&sig=s",
        asset_id: "m1",
        method: "PUT",
        expires_at: NOW,
        max_bytes: 1024,
      },
    ],
    [
      "projects.previewFrame",
      (c) => c.projects.previewFrame("p1", { ts: 1 }),
      "POST",
      "/api/project/p1/preview/frame",
      { ts: 1 },
      frame,
    ],
    [
      "projects.previewStrip",
      (c) => c.projects.previewStrip("p1", { start: 0, end: 2, fps: 1 }),
      "POST",
      "/api/project/p1/preview/strip",
      { start: 0, end: 2, fps: 1 },
      { frames: [frame] },
    ],
    [
      "projects.addSegment",
      (c) => c.projects.addSegment("p1", { media_id: "m1" }),
      "POST",
      "/api/project/p1/segments",
      { media_id: "m1" },
      segment,
    ],
    [
      "projects.assembleTimeline",
      (c) => c.projects.assembleTimeline("p1"),
      "POST",
      "/api/project/p1/timeline/assemble",
      {},
      { segments: [segment], skipped: [{ scene_id: "002", reason: "no video" }], duration: 2 },
    ],
    [
      "segments.split",
      (c) => c.segments.split("seg1", { split_ts: 1 }),
      "POST",
      "/api/segment/seg1/split",
      { split_ts: 1 },
      { left: segment, right: { ...segment, id: "seg2" } },
    ],
    [
      "segments.trim",
      (c) => c.segments.trim("seg1", { new_start_ts: 0.5, new_end_ts: 1.5 }),
      "POST",
      "/api/segment/seg1/trim",
      { new_start_ts: 0.5, new_end_ts: 1.5 },
      segment,
    ],
    ["segments.delete", (c) => c.segments.delete("seg1"), "DELETE", "/api/segment/seg1", undefined, { deleted: true }],
    [
      "segments.colorGrade",
      (c) => c.segments.colorGrade("seg1", { contrast: 0.2 }),
      "POST",
      "/api/segment/seg1/color-grade",
      { contrast: 0.2 },
      { segment_id: "seg3", graded_url: "http://dailies.test/media/g", job_id: "j2" },
    ],
    [
      "segments.gradePreview",
      (c) => c.segments.gradePreview("seg1", { hue_shift: 10 }),
      "POST",
      "/api/segment/seg1/grade-preview",
      { hue_shift: 10 },
      { preview_frame_url: "http://dailies.test/frames/g.jpg", source_ts: 1 },
    ],
    [
      "exports.start",
      (c) => c.exports.start({ project_id: "p1", format: "mp4" }),
      "POST",
      "/api/export",
      { project_id: "p1", format: "mp4" },
      { export_job_id: "exp1", status: "pending", message: "Export job created" },
    ],
    ["exports.get", (c) => c.exports.get("exp1"), "GET", "/api/export/exp1", undefined, exportStatus],
    [
      "jobs.editing",
      (c) => c.jobs.editing("j1"),
      "GET",
      "/api/job/j1",
      undefined,
      {
        id: "j1",
        project_id: "p1",
        kind: "ai-generate",
        status: "completed",
        progress: 1,
        error: null,
        result: null,
        variants: [{ id: "v1", url: null, preview_url: null }],
        created_at: NOW,
        updated_at: NOW,
      },
    ],
    [
      "ai.generate",
      (c) => c.ai.generate({ project_id: "p1", prompt: "blur", start_ts: 0, end_ts: 1, bounding_box: box }),
      "POST",
      "/api/ai/generate",
      { project_id: "p1", prompt: "blur", start_ts: 0, end_ts: 1, bounding_box: box },
      { job_id: "j1", project_id: "p1", status: "pending", provider: "local", variant_count: 2 },
    ],
    ["variants.get", (c) => c.variants.get("v1"), "GET", "/api/variant/v1", undefined, variant],
    [
      "variants.accept",
      (c) => c.variants.accept("v1"),
      "POST",
      "/api/variant/v1/accept",
      undefined,
      {
        variant_id: "v1",
        accepted_at: NOW,
        segment,
        replaced_segment_ids: ["seg0"],
        segments: [segment],
        duration: 2,
      },
    ],
    [
      "variants.score",
      (c) => c.variants.score("v1", { compare_to: "original" }),
      "GET",
      "/api/variant/v1/score?compare_to=original",
      undefined,
      {
        variant_id: "v1",
        score: { overall_rating: "good", details: "", fidelity_to_prompt: "high", visual_quality: "high" },
        compare_to: "original",
        provider: "local",
      },
    ],
    [
      "pipeline.story",
      (c) => c.pipeline.story({ topic: "Heist", maxMinutes: 2, provider: "local" }),
      "POST",
      "/api/claude/stories",
      { topic: "Heist", maxMinutes: 2, provider: "local" },
      { jobId: "job_1" },
    ],
    [
      "pipeline.scenePlan",
      (c) =>
        c.pipeline.scenePlan({
          story: { title: "T", logline: "", synopsis: "", characters: [], acts: [], estimatedMinutes: 1 },
          maxMinutes: 1,
          videoModel: "veo-3.1",
        }),
      "POST",
      "/api/claude/scene-planning",
      {
        story: { title: "T", logline: "", synopsis: "", characters: [], acts: [], estimatedMinutes: 1 },
        maxMinutes: 1,
        videoModel: "veo-3.1",
      },
      { jobId: "job_2" },
    ],
    [
      "pipeline.image",
      (c) => c.pipeline.image({ prompt: "Dusk", aspectRatio: "1:1", projectId: "p1", sceneNumber: 1 }),
      "POST",
      "/api/images/generate",
      { prompt: "Dusk", aspectRatio: "1:1", projectId: "p1", sceneNumber: 1 },
      { jobId: "job_3" },
    ],
    ["jobs.get", (c) => c.jobs.get("job_1"), "GET", "/api/jobs/job_1", undefined, job],
    [
      "sessions.list",
      (c) => c.sessions.list(),
      "GET",
      "/api/session/list",
      undefined,
      {
        sessions: [
          {
            id: "p1",
            name: "X",
            status: "DEVELOPMENT",
            updatedAt: NOW,
            sceneCount: 0,
            hasStory: false,
            hasScenePlan: false,
          },
        ],
      },
    ],
    ["sessions.get", (c) => c.sessions.get("p1"), "GET", "/api/session/p1", undefined, session],
    ["workspaces.list", (c) => c.workspaces.list(), "GET", "/api/workspaces", undefined, { workspaces: [workspace] }],
    [
      "workspaces.create",
      (c) => c.workspaces.create({ name: "Studio" }),
      "POST",
      "/api/workspaces",
      { name: "Studio" },
      workspace,
    ],
    [
      "workspaces.addMember",
      (c) => c.workspaces.addMember("w2", { email: "bob@example.com" }),
      "POST",
      "/api/workspaces/w2/members",
      { email: "bob@example.com" },
      { invited: true, workspaceId: "w2", email: "bob@example.com", role: "member" },
    ],
    ["invites.list", (c) => c.invites.list(), "GET", "/api/invites", undefined, { invites: [] }],
    [
      "invites.accept",
      (c) => c.invites.accept("inv1"),
      "POST",
      "/api/invites/inv1/accept",
      undefined,
      {
        id: "w2",
        name: "Studio",
        personal: false,
        role: "member",
        memberCount: 2,
        createdAt: "2026-01-01T00:00:00.000Z",
      },
    ],
    [
      "invites.decline",
      (c) => c.invites.decline("inv1"),
      "POST",
      "/api/invites/inv1/decline",
      undefined,
      { deleted: true },
    ],
    [
      "ai.health",
      (c) => c.ai.health(),
      "GET",
      "/api/ai/health",
      undefined,
      { providers: [], defaults: { llm: "local", image: "local" } },
    ],
    [
      "ai.timeline",
      (c) => c.ai.timeline({ limit: 5 }),
      "GET",
      "/api/ai/timeline?limit=5",
      undefined,
      { items: [], nextCursor: null },
    ],
    [
      "ai.videoModels",
      (c) => c.ai.videoModels(),
      "GET",
      "/api/ai/video-models",
      undefined,
      { models: [{ id: "veo-3.1", name: "Veo 3.1", maxClipSeconds: 8, clipSeconds: [4, 8], default: true }] },
    ],
  ];

  it.each(cases)("%s → %s %s", async (_name, run, method, path, body, response) => {
    const { client, calls } = setup(response);
    expect(await run(client)).toEqual(response);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method, url: `http://dailies.test${path}`, body });
    expect(calls[0]?.headers.has("content-type")).toBe(body !== undefined);
  });
});

describe("errors", () => {
  it("turns an error body into DailiesApiError with status, error and field errors", async () => {
    const details = { fieldErrors: { prompt: ["Required"], outputUrl: ["Invalid URL"] } };
    const { client } = setup(() => json({ error: "Invalid payload", details }, 400));
    const err = await apiError(
      client.extension.ingest({ projectId: "p1", sceneId: "001", assetType: "VIDEO", prompt: "" }),
    );
    expect(err.status).toBe(400);
    expect(err.error).toBe("Invalid payload");
    expect(err.details).toEqual(details);
    expect(err.name).toBe("DailiesApiError");
    expect(err.message).toBe("Invalid payload (prompt: Required; outputUrl: Invalid URL)");
  });

  it("uses the plain error text as message when there are no field errors", async () => {
    const { client } = setup(() => json({ error: "Scene not found" }, 404));
    const err = await apiError(client.extension.shots({ sceneDbId: "nope" }));
    expect(err).toMatchObject({ status: 404, error: "Scene not found", message: "Scene not found" });
    expect(err.details).toBeUndefined();
  });

  it("still reports the status of a non-JSON error body", async () => {
    const { client } = setup(
      () => new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    );
    const err = await apiError(client.projects.list());
    expect(err.status).toBe(502);
    expect(err.error).toBe("HTTP 502 Bad Gateway: <html>Bad Gateway</html>");
  });

  it("keeps a JSON error body of another shape in details", async () => {
    const { client } = setup(() => json({ status: "degraded" }, 503));
    const err = await apiError(client.health());
    expect(err).toMatchObject({ status: 503, error: "HTTP 503", details: { body: { status: "degraded" } } });
  });

  it("reports network failures as status 0, Server unreachable", async () => {
    const { client } = setup(() => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    });
    const err = await apiError(client.me());
    expect(err.status).toBe(0);
    expect(err.error).toBe("Server unreachable: fetch failed (ECONNREFUSED)");
  });

  it("reports a timeout as status 0", async () => {
    const { client } = setup(
      (_req, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
      { timeoutMs: 20 },
    );
    const err = await apiError(client.me());
    expect(err.status).toBe(0);
    expect(err.error).toBe("Server unreachable: timed out after 20 ms");
  });

  it("rejects a response that does not match the schema", async () => {
    const { client } = setup({ ...projectDetails, scene_count: "many" });
    const err = await apiError(client.projects.get("p1"));
    expect(err.status).toBe(200);
    expect(err.error).toBe("Unexpected response from server");
    expect(err.details).toEqual({ fieldErrors: { scene_count: [expect.any(String)] } });
    expect(err.message).toMatch(/^Unexpected response from server \(scene_count: /);
  });

  it("rejects a success body that is not JSON", async () => {
    const { client } = setup(() => new Response("OK", { status: 200 }));
    const err = await apiError(client.tokens.list());
    expect(err.status).toBe(200);
    expect(err.error).toMatch(/^Invalid JSON response/);
  });
});

describe("request()", () => {
  it("returns unchecked JSON without a schema, with query, body and extra headers", async () => {
    const { client, calls } = setup({ jobId: "j1" });
    const res = await client.request<{ jobId: string }>("POST", "/api/images/generate", {
      query: { dryRun: true, skip: undefined, n: null },
      body: { prompt: "x" },
      headers: { "x-extra": "1" },
    });
    expect(res.jobId).toBe("j1");
    expect(calls[0]).toMatchObject({
      url: "http://dailies.test/api/images/generate?dryRun=true",
      body: { prompt: "x" },
    });
    expect(calls[0]?.headers.get("x-extra")).toBe("1");
    expect(calls[0]?.headers.get("authorization")).toBe("Bearer dl_secret");
  });

  it("returns the Response itself with raw, after checking the status", async () => {
    const { client } = setup(() => new Response("frame-bytes", { status: 200 }));
    const res = await client.request("GET", "/api/file/1", { raw: true });
    expect(await res.text()).toBe("frame-bytes");

    const failing = setup(() => json({ error: "Not found" }, 404)).client;
    expect((await apiError(failing.request("GET", "/api/file/2", { raw: true }))).status).toBe(404);
  });

  it("returns undefined for an empty body", async () => {
    const { client } = setup(() => new Response(null, { status: 204 }));
    expect(await client.request("DELETE", "/api/thing/1")).toBeUndefined();
  });

  it("falls back to the global fetch", async () => {
    const global = vi.fn(async () => json(health));
    vi.stubGlobal("fetch", global);
    const client = createClient({ baseUrl: "http://dailies.test" });
    expect((await client.health()).version).toBe("0.1.0");
    expect(global).toHaveBeenCalledOnce();
  });
});

describe("download()", () => {
  it("GETs a signed link without Authorization or timeout, absolute or relative to the server", async () => {
    const { client, calls } = setup(() => new Response("mp4-bytes", { status: 200 }), { timeoutMs: 5 });
    const res = await client.download("https://cdn.example/exports/e1.mp4?sig=1");
    expect(await res.text()).toBe("mp4-bytes");
    await client.download("/media/m1?exp=1&sig=2");
    expect(calls.map((c) => c.url)).toEqual([
      "https://cdn.example/exports/e1.mp4?sig=1",
      "http://dailies.test/media/m1?exp=1&sig=2",
    ]);
    expect(calls[0]?.headers.has("authorization")).toBe(false);
  });

  it("throws DailiesApiError for an expired link", async () => {
    const { client } = setup(() => json({ error: "Link expired or invalid signature" }, 403));
    expect(await apiError(client.download("/media/m1"))).toMatchObject({
      status: 403,
      error: "Link expired or invalid signature",
    });
  });
});

describe("put()", () => {
  it("uploads bytes without the Authorization header and returns the parsed JSON", async () => {
    const { client, calls } = setup({ ok: true, size: 3 }, { workspaceId: "w1" });
    const bytes = new Uint8Array([1, 2, 3]);
    const res = await client.put("http://dailies.test/upload/abc?sig=1", bytes, "video/mp4");
    expect(res).toEqual({ ok: true, size: 3 });
    expect(calls[0]).toMatchObject({ method: "PUT", url: "http://dailies.test/upload/abc?sig=1", body: bytes });
    expect(calls[0]?.headers.get("content-type")).toBe("video/mp4");
    expect(calls[0]?.headers.has("authorization")).toBe(false);
  });

  it("accepts Blobs and streams, and reports upload errors", async () => {
    const { client, calls } = setup(() => json({ error: "Signature expired" }, 403));
    const err = await apiError(client.put("http://x.test/u", new Blob(["abc"]), "image/png"));
    expect(err).toMatchObject({ status: 403, error: "Signature expired" });
    expect(calls[0]?.body).toBeInstanceOf(Blob);

    const ok = setup(() => new Response(null, { status: 200 })).client;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        c.enqueue(new Uint8Array([1]));
        c.close();
      },
    });
    expect(await ok.put("http://x.test/u", stream, "application/octet-stream")).toBeUndefined();
  });
});
