import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
});
afterAll(() => t.close());

describe("auth", () => {
  it("needs a bearer token on every route but health", async () => {
    expect((await t.call({ method: "GET", url: "/api/health", token: null })).status).toBe(200);
    for (const url of [
      "/api/me",
      "/api/project",
      "/api/extension/projects",
      "/api/tokens",
      "/api/extension/platforms",
    ]) {
      const res = await t.call({ method: "GET", url, token: null });
      expect(res.status, url).toBe(401);
      expect(res.json).toEqual({ error: "Unauthorized" });
    }
    expect((await t.call({ method: "GET", url: "/api/me", token: "dly_wrong" })).status).toBe(401);
    expect(
      (await t.call({ method: "GET", url: "/api/me", headers: { authorization: "Basic abc" }, token: null })).status,
    ).toBe(401);
  });

  it("creates, lists and revokes tokens; a revoked token stops working", async () => {
    const created = await t.call({ method: "POST", url: "/api/tokens", payload: { name: "laptop" } });
    expect(created.status).toBe(201);
    expect(created.json.token).toMatch(/^dly_/);
    const fresh = created.json.token as string;
    const me = await t.call({ method: "GET", url: "/api/me", token: fresh });
    expect(me.json).toMatchObject({ id: t.userId, name: "Ada", email: "ada@example.com" });
    const list = await t.call({ method: "GET", url: "/api/tokens" });
    const entry = list.json.tokens.find((x: { id: string }) => x.id === created.json.id);
    expect(entry).toMatchObject({ name: "laptop", revokedAt: null });
    expect(entry.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.json)).not.toContain(fresh);
    // another user cannot revoke it
    expect(
      (await t.call({ method: "DELETE", url: `/api/tokens/${created.json.id}`, token: t.other.token })).status,
    ).toBe(404);
    expect((await t.call({ method: "DELETE", url: `/api/tokens/${created.json.id}` })).json).toEqual({ revoked: true });
    expect((await t.call({ method: "GET", url: "/api/me", token: fresh })).status).toBe(401);
    expect((await t.call({ method: "DELETE", url: `/api/tokens/${created.json.id}` })).status).toBe(404);
  });

  it("stores only the sha256 of tokens", async () => {
    const rows = (await testSql(t, "select token_hash from api_tokens")) as { token_hash: string }[];
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(t.token);
  });
});

describe("projects", () => {
  it("creates, reads, updates, lists and deletes", async () => {
    const created = await t.call({
      method: "POST",
      url: "/api/project",
      payload: { name: "Awakening", description: "Sci-fi", genre: "Sci-Fi" },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^proj_/),
      name: "Awakening",
      description: "Sci-fi",
      genre: "Sci-Fi",
      status: "DEVELOPMENT",
      video_url: null,
      scene_count: 0,
    });
    const id = created.json.id;
    const got = await t.call({ method: "GET", url: `/api/project/${id}` });
    expect(got.json).toMatchObject({ id, name: "Awakening", media: [], segments: [], duration: 0 });
    const patched = await t.call({
      method: "PATCH",
      url: `/api/project/${id}`,
      payload: { status: "PRODUCTION", genre: null },
    });
    expect(patched.json).toMatchObject({ status: "PRODUCTION", genre: null, name: "Awakening" });
    const list = await t.call({ method: "GET", url: "/api/project" });
    expect(list.json.projects[0].id).toBe(id);
    expect((await t.call({ method: "PATCH", url: `/api/project/${id}`, payload: { status: "DONE" } })).status).toBe(
      400,
    );
    expect((await t.call({ method: "GET", url: `/api/project/${id}`, token: t.other.token })).status).toBe(404);
    expect(
      (await t.call({ method: "PATCH", url: `/api/project/${id}`, payload: { name: "x" }, token: t.other.token }))
        .status,
    ).toBe(404);
    expect((await t.call({ method: "DELETE", url: `/api/project/${id}`, token: t.other.token })).status).toBe(404);
    expect((await t.call({ method: "DELETE", url: `/api/project/${id}` })).json).toEqual({ deleted: true });
    expect((await t.call({ method: "GET", url: `/api/project/${id}` })).json).toEqual({ error: "Project not found" });
  });

  it("validates the body", async () => {
    const res = await t.call({ method: "POST", url: "/api/project", payload: { description: "x" } });
    expect(res.json).toEqual({ error: "Invalid payload", details: { fieldErrors: { name: ["Required"] } } });
    const badUrl = await t.call({
      method: "POST",
      url: "/api/project",
      payload: { name: "x", video_url: "file:///etc/passwd" },
    });
    expect(badUrl.json.details.fieldErrors).toEqual({ video_url: ["Invalid URL"] });
  });
});

describe("scenes and shots", () => {
  it("adds, updates and deletes scenes; codes are unique per project", async () => {
    const { projectId, scenes } = await seedProject(t, ["010"]);
    const dup = await t.call({ method: "POST", url: `/api/project/${projectId}/scenes`, payload: { sceneId: "010" } });
    expect(dup.status).toBe(409);
    const lower = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/scenes`,
      payload: { sceneId: "11b", storyBeat: "EXT. PLANET", act: 2, macroScene: "Discovery" },
    });
    expect(lower.json).toMatchObject({ sceneId: "11B", storyBeat: "EXT. PLANET", act: 2, macroScene: "Discovery" });
    const patch = await t.call({
      method: "PATCH",
      url: `/api/scene/${scenes["010"]}`,
      payload: { storyBeat: "INT. BRIDGE", act: 1 },
    });
    expect(patch.json).toMatchObject({ sceneId: "010", storyBeat: "INT. BRIDGE", act: 1 });
    expect(
      (await t.call({ method: "PATCH", url: `/api/scene/${scenes["010"]}`, payload: { sceneId: "11B" } })).status,
    ).toBe(409);
    expect(
      (await t.call({ method: "PATCH", url: `/api/scene/${scenes["010"]}`, payload: { act: "one" } })).status,
    ).toBe(400);
    expect(
      (await t.call({ method: "PATCH", url: `/api/scene/${scenes["010"]}`, payload: { act: 3 }, token: t.other.token }))
        .status,
    ).toBe(404);
    const shot = await t.call({
      method: "POST",
      url: `/api/scene/${scenes["010"]}/shots`,
      payload: { shotCode: "010A", description: "Wide" },
    });
    expect(shot.status).toBe(201);
    expect(shot.json).toMatchObject({ shotCode: "010A", description: "Wide", sortOrder: 1, sceneDbId: scenes["010"] });
    expect(
      (await t.call({ method: "POST", url: `/api/scene/${scenes["010"]}/shots`, payload: { shotCode: "010A" } }))
        .status,
    ).toBe(409);
    expect(
      (await t.call({ method: "POST", url: `/api/scene/${scenes["010"]}/shots`, payload: {} })).json.details
        .fieldErrors,
    ).toEqual({ shotCode: ["Required"] });
    expect(
      (
        await t.call({
          method: "POST",
          url: `/api/scene/${scenes["010"]}/shots`,
          payload: { shotCode: "X" },
          token: t.other.token,
        })
      ).status,
    ).toBe(404);
    expect((await t.call({ method: "DELETE", url: `/api/scene/${scenes["010"]}`, token: t.other.token })).status).toBe(
      404,
    );
    expect((await t.call({ method: "DELETE", url: `/api/scene/${scenes["010"]}` })).json).toEqual({ deleted: true });
    expect((await t.call({ method: "GET", url: `/api/extension/shots?sceneDbId=${scenes["010"]}` })).status).toBe(404);
  });

  it("adds characters, 404 for foreign projects", async () => {
    const { projectId } = await seedProject(t, []);
    const c = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/characters`,
      payload: { name: "Marcus", role: "Supporting" },
    });
    expect(c.status).toBe(201);
    expect(c.json).toEqual({ id: expect.any(String), name: "Marcus", role: "Supporting", description: null });
    expect(
      (
        await t.call({
          method: "POST",
          url: `/api/project/${projectId}/characters`,
          payload: { name: "X" },
          token: t.other.token,
        })
      ).status,
    ).toBe(404);
  });
});

describe("errors everywhere", () => {
  it("answers malformed JSON, wrong content type, oversized bodies, unknown routes in the error shape", async () => {
    const malformed = await t.call({
      method: "POST",
      url: "/api/project",
      payload: "{bad",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toBe("Malformed JSON body");
    const wrongType = await t.call({
      method: "POST",
      url: "/api/project",
      payload: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.error).toBe("Unsupported content type");
    const huge = await t.call({
      method: "POST",
      url: "/api/project",
      payload: JSON.stringify({ name: "x", description: "y".repeat(2 * 1024 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toBe("Request body too large");
    const unknown = await t.call({ method: "GET", url: "/api/nothing-here" });
    expect(unknown).toMatchObject({ status: 404, json: { error: "Route not found" } });
    const wrongMethod = await t.call({ method: "PUT", url: "/api/project" });
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.json.error).toBeTypeOf("string");
    const empty = await t.call({
      method: "POST",
      url: "/api/project",
      headers: { "content-type": "application/json" },
    });
    expect(empty.status).toBe(400);
    const arrayBody = await t.call({ method: "POST", url: "/api/extension/ingest", payload: [1, 2] });
    expect(arrayBody.status).toBe(400);
    const nullBody = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: "null",
      headers: { "content-type": "application/json" },
    });
    expect(nullBody.status).toBe(400);
  });
});

describe("health and docs", () => {
  it("says ok/degraded and versions in public, database, ffmpeg and jobs to an authenticated caller", async () => {
    const res = await t.call({ method: "GET", url: "/api/health", token: null });
    expect(Object.keys(res.json).sort()).toEqual(["ffmpeg", "status", "version"]);
    expect(Object.keys(res.json.ffmpeg).sort()).toEqual(["found", "version"]);
    expect(res.body).not.toContain("/");
    const forged = await t.call({ method: "GET", url: "/api/health", token: "dly_forged" });
    expect(forged.json.details).toBeUndefined();
    const authed = await t.call({ method: "GET", url: "/api/health" });
    expect(authed.json).toMatchObject({
      version: expect.any(String),
      details: { database: { ok: true }, jobs: { pending: expect.any(Number) }, ffmpegProcesses: { active: 0 } },
    });
    expect(typeof authed.json.ffmpeg.found).toBe("boolean");
  });
  it("serves the OpenAPI document with every route", async () => {
    const res = await t.call({ method: "GET", url: "/openapi.json", token: null });
    expect(res.status).toBe(200);
    const paths = Object.keys(res.json.paths);
    for (const p of [
      "/api/extension/ingest",
      "/api/extension/scene-assets",
      "/api/extension/profile",
      "/api/project/{id}",
      "/api/tokens",
      "/api/health",
    ]) {
      expect(paths).toContain(p);
    }
    expect(res.json.info.description).toContain("Idempotency-Key");
    expect((await t.call({ method: "GET", url: "/docs", token: null })).status).toBeLessThan(400);
  });
});
