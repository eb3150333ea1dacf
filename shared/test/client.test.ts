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
  database: { ok: true },
  ffmpeg: { found: true, version: "7.1", path: "/usr/bin/ffmpeg" },
  jobs: { pending: 0, running: 0 },
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

  it("health() needs no auth and sends none", async () => {
    const { client, calls } = setup(health, { workspaceId: "w1" });
    expect((await client.health()).status).toBe("ok");
    expect(calls[0]?.url).toBe("http://dailies.test/api/health");
    expect(calls[0]?.headers.has("authorization")).toBe(false);
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
    const { client, calls } = setup(project);
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
    ["projects.get", (c) => c.projects.get("p1"), "GET", "/api/project/p1", undefined, project],
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
    const { client } = setup({ ...project, scene_count: "many" });
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
