/**
 * The typed client of `@dailies/shared` against the real app: `buildApp` over a temp database and media
 * folder, listening on 127.0.0.1, called with the platform's fetch. So the client's paths, query strings,
 * bodies and headers, and its response schemas, are checked against what the server really routes and
 * answers. (The test lives in server/ because shared/ must not depend on server/.)
 *
 * The client's fetch is wrapped only to record what the client sent; every request goes to the real server.
 * Answers the app never gives (a 502 page, a body of another shape, a hang) come from a tiny local HTTP server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientOptions, createClient, DailiesApiError } from "@dailies/shared/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "./helpers/app.js";
import { makeTestVideo } from "./helpers/videos.js";

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

let t: TestApp;
let origin: string;
let dir: string;
let clip: string;
let workspaceId: string;

beforeAll(async () => {
  t = await buildTestApp();
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "dailies-client-"));
  clip = await makeTestVideo(dir, { seconds: 2 });
  workspaceId = (await setup().client.workspaces.list()).workspaces.find((w) => w.personal)!.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A client of the real app (or of `baseUrl`) whose requests are recorded on their way to the platform's fetch. */
function setup(opts: Partial<ClientOptions> = {}) {
  const calls: Recorded[] = [];
  const fetch: typeof globalThis.fetch = async (input, init = {}) => {
    const body = init.body;
    calls.push({
      url: String(input),
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof body === "string" ? JSON.parse(body) : body,
    });
    return globalThis.fetch(input, init);
  };
  const client = createClient({ baseUrl: `${origin}/`, token: t.token, fetch, ...opts });
  /** The last request: method, path (with query) on the app, JSON body; content-type exactly when a body. */
  const sent = (method: string, path: string, body?: unknown) => {
    const call = calls.at(-1)!;
    expect({ method: call.method, url: call.url }).toEqual({ method, url: `${origin}${path}` });
    expect(call.body).toEqual(body);
    expect(call.headers.has("content-type")).toBe(body !== undefined);
    expect(call.headers.get("authorization")).toBe(`Bearer ${t.token}`);
  };
  return { client, calls, sent };
}

async function apiError(promise: Promise<unknown>): Promise<DailiesApiError> {
  const err = await promise.then(
    () => expect.unreachable("expected a DailiesApiError"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DailiesApiError);
  return err as DailiesApiError;
}

/** A tiny local HTTP server for answers the real app never gives; closed with the test. */
async function localServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: a server bound and closed again. */
async function closedPort(): Promise<string> {
  const server = await localServer(() => {});
  await server.close();
  return server.url;
}

const box = { x: 0.1, y: 0.1, width: 0.5, height: 0.5 };

describe("headers", () => {
  it("sends Bearer, x-workspace-id and accept, but no content-type without a body", async () => {
    const { client, calls } = setup({ workspaceId });
    const me = await client.me();
    expect(me).toMatchObject({ name: "Ada", email: "ada@example.com", workspaceId });
    const [req] = calls;
    expect(req?.url).toBe(`${origin}/api/me`);
    expect(req?.method).toBe("GET");
    expect(req?.headers.get("authorization")).toBe(`Bearer ${t.token}`);
    expect(req?.headers.get("x-workspace-id")).toBe(workspaceId);
    expect(req?.headers.get("accept")).toBe("application/json");
    expect(req?.headers.has("content-type")).toBe(false);
    expect(req?.body).toBeUndefined();
  });

  it("leaves out Authorization and x-workspace-id when not configured (the server then answers 401)", async () => {
    const { client, calls } = setup({ token: undefined });
    expect((await apiError(client.tokens.list())).status).toBe(401);
    expect(calls[0]?.headers.has("authorization")).toBe(false);
    expect(calls[0]?.headers.has("x-workspace-id")).toBe(false);
  });

  it("health() needs no auth, and sends the token when it has one", async () => {
    const { client, calls } = setup({ workspaceId });
    expect((await client.health()).status).toBe("ok");
    expect(calls[0]?.url).toBe(`${origin}/api/health`);
    expect(calls[0]?.headers.has("authorization")).toBe(true);
    const anonymous = setup({ token: undefined });
    expect((await anonymous.client.health()).status).toBe("ok");
    expect(anonymous.calls[0]?.headers.has("authorization")).toBe(false);
  });

  it("sends JSON with content-type when there is a body; a revoked token is refused", async () => {
    const { client, calls, sent } = setup();
    const created = await client.tokens.create({ name: "laptop" });
    expect(created.token).toMatch(/^dly_/);
    expect(calls[0]).toMatchObject({ method: "POST", url: `${origin}/api/tokens`, body: { name: "laptop" } });
    expect(calls[0]?.headers.get("content-type")).toBe("application/json");
    expect((await client.tokens.list()).tokens.map((tok) => tok.id)).toContain(created.id);
    sent("GET", "/api/tokens");
    expect(await client.tokens.revoke(created.id)).toEqual({ revoked: true });
    sent("DELETE", `/api/tokens/${created.id}`);
    expect((await apiError(setup({ token: created.token }).client.me())).status).toBe(401);
  });

  it("sends Idempotency-Key with ingest only when given, and the server files a repeated key once", async () => {
    const { client, calls } = setup();
    const project = await client.projects.create({ name: "Capture" });
    await client.projects.createScene(project.id, { sceneId: "001" });
    const body = {
      projectId: project.id,
      sceneId: "001",
      platformKey: "openai-sora",
      assetType: "VIDEO",
      prompt: "A ship bridge",
    } as const;
    const first = await client.extension.ingest(body, { idempotencyKey: "cap-123" });
    const again = await client.extension.ingest(body, { idempotencyKey: "cap-123" });
    const other = await client.extension.ingest(body);
    expect(again.asset.id).toBe(first.asset.id);
    expect(other.asset.id).not.toBe(first.asset.id);
    expect(calls.at(-3)).toMatchObject({ method: "POST", url: `${origin}/api/extension/ingest`, body });
    expect(calls.at(-3)?.headers.get("idempotency-key")).toBe("cap-123");
    expect(calls.at(-3)?.headers.get("content-type")).toBe("application/json");
    expect(calls.at(-1)?.headers.has("idempotency-key")).toBe(false);
  });
});

describe("query strings and paths", () => {
  it("URL-encodes values and drops undefined ones", async () => {
    const { client, calls } = setup();
    const err = await apiError(
      client.extension.sceneAssets({ projectId: "proj a&b=c", sceneId: "001a/é", limit: 5, assetType: undefined }),
    );
    expect(err.status).toBe(404);
    const url = new URL(calls[0]?.url ?? "");
    expect(url.pathname).toBe("/api/extension/scene-assets");
    expect(url.search).toBe("?projectId=proj+a%26b%3Dc&sceneId=001a%2F%C3%A9&limit=5");
    expect(url.searchParams.get("projectId")).toBe("proj a&b=c");
    expect(url.searchParams.get("sceneId")).toBe("001a/é");
  });

  it("passes the filters of scenes, shots, characters and scene assets", async () => {
    const { client, calls } = setup();
    const project = await client.projects.create({ name: "Filters" });
    const scene = await client.projects.createScene(project.id, { sceneId: "001a" });
    await client.scenes.createShot(scene.id, { shotCode: "001A-1" });
    await client.projects.createCharacter(project.id, { name: "Sarah Chen", role: "Protagonist" });
    calls.length = 0;
    expect((await client.extension.scenes({ projectId: project.id })).scenes.map((s) => s.sceneId)).toEqual(["001A"]);
    expect((await client.extension.shots({ sceneDbId: scene.id })).shots.map((s) => s.shotCode)).toEqual(["001A-1"]);
    const { characters } = await client.extension.characters({ projectId: project.id });
    expect(characters[0]?.name).toBe("Sarah Chen");
    const assets = await client.extension.sceneAssets({ projectId: project.id, sceneId: "001A", limit: 5 });
    expect(assets.assets).toEqual([]);
    expect(calls.map((c) => c.url)).toEqual([
      `${origin}/api/extension/scenes?projectId=${project.id}`,
      `${origin}/api/extension/shots?sceneDbId=${scene.id}`,
      `${origin}/api/extension/characters?projectId=${project.id}`,
      `${origin}/api/extension/scene-assets?projectId=${project.id}&sceneId=001A&limit=5`,
    ]);
  });

  it("encodes ids in paths (the server reads the whole id, so it is a 404, not another route)", async () => {
    const { client, calls } = setup();
    const err = await apiError(client.projects.get("a/b?c"));
    expect(calls[0]?.url).toBe(`${origin}/api/project/a%2Fb%3Fc`);
    expect(err).toMatchObject({ status: 404, error: "Project not found" });
  });
});

describe("routes, against the app", () => {
  it("extension: projects, platforms, profile, capture, take selection", async () => {
    const { client, sent } = setup();
    const project = await client.projects.create({ name: "Extension" });
    const scene = await client.projects.createScene(project.id, { sceneId: "002" });
    expect((await client.extension.projects()).projects.map((p) => p.id)).toContain(project.id);
    sent("GET", "/api/extension/projects");
    expect((await client.extension.platforms()).platforms.map((p) => p.slug)).toContain("openai-sora");
    sent("GET", "/api/extension/platforms");
    await client.extension.profile();
    sent("GET", "/api/extension/profile");
    const profile = await client.extension.updateProfile({ preferences: { defaultAssetType: "IMAGE" } });
    expect(profile.preferences.defaultAssetType).toBe("IMAGE");
    sent("PUT", "/api/extension/profile", { preferences: { defaultAssetType: "IMAGE" } });

    const ingest = { projectId: project.id, sceneId: "002", platformKey: "openai-sora", assetType: "VIDEO" } as const;
    const a = await client.extension.ingest({ ...ingest, prompt: "Take one" });
    const b = await client.extension.ingest({ ...ingest, prompt: "Take two" });
    const update = await client.extension.assetUpdate({ assetId: a.asset.id, selected: true, compareGroup: null });
    expect(update.asset).toMatchObject({ id: a.asset.id, selected: true, status: "SELECTED" });
    sent("PATCH", "/api/extension/asset-update", { assetId: a.asset.id, selected: true, compareGroup: null });

    // The web app's views of takes (routes/assetVersions.ts and routes/projects/scenes.ts).
    expect((await client.assetVersions.get(b.asset.id)).prompt).toBe("Take two");
    sent("GET", `/api/asset-version/${b.asset.id}`);
    expect(await client.assetVersions.update(b.asset.id, { selected: true })).toMatchObject({ selected: true });
    sent("PATCH", `/api/asset-version/${b.asset.id}`, { selected: true });
    expect((await client.assetVersions.get(a.asset.id)).selected).toBe(false);
    const page = await client.assetVersions.ofScene(project.id, "002", { limit: 1 });
    expect(page).toMatchObject({ total: 2, nextOffset: 1, scene: { id: scene.id } });
    expect(page.assets.map((v) => v.id)).toEqual([b.asset.id]);
    sent("GET", `/api/project/${project.id}/scene/002/versions?limit=1`);
    const summaries = await client.assetVersions.sceneSummaries(project.id);
    expect(summaries.scenes).toEqual([
      { sceneDbId: scene.id, versionCounts: { VIDEO: 2 }, selected: [expect.objectContaining({ id: b.asset.id })] },
    ]);
    sent("GET", `/api/project/${project.id}/scene-summaries`);

    const note = await client.assetVersions.notes.add(b.asset.id, { body: "Warmer", timeSec: 1.5 });
    sent("POST", `/api/asset-version/${b.asset.id}/notes`, { body: "Warmer", timeSec: 1.5 });
    expect((await client.assetVersions.notes.list(b.asset.id)).notes.map((n) => n.id)).toEqual([note.id]);
    const resolved = await client.assetVersions.notes.update(b.asset.id, note.id, { resolved: true });
    expect(resolved).toMatchObject({ resolved: true, author: { name: "Ada" } });
    sent("PATCH", `/api/asset-version/${b.asset.id}/notes/${note.id}`, { resolved: true });
    expect(await client.assetVersions.notes.delete(b.asset.id, note.id)).toEqual({ deleted: true });
    sent("DELETE", `/api/asset-version/${b.asset.id}/notes/${note.id}`);
  });

  it("projects, scenes, shots and characters round-trip through the schemas", async () => {
    const { client, sent } = setup();
    const project = await client.projects.create({ name: "The Awakening", genre: "Sci-Fi" });
    expect(project).toMatchObject({ name: "The Awakening", genre: "Sci-Fi", scene_count: 0 });
    sent("POST", "/api/project", { name: "The Awakening", genre: "Sci-Fi" });
    expect((await client.projects.list()).projects.map((p) => p.id)).toContain(project.id);
    sent("GET", "/api/project");
    const scene = await client.projects.createScene(project.id, { sceneId: "001a" });
    expect(scene.sceneId).toBe("001A");
    sent("POST", `/api/project/${project.id}/scenes`, { sceneId: "001a" });
    expect((await client.scenes.update(scene.id, { act: 2 })).act).toBe(2);
    sent("PATCH", `/api/scene/${scene.id}`, { act: 2 });
    expect((await client.scenes.createShot(scene.id, { shotCode: "001A" })).shotCode).toBe("001A");
    sent("POST", `/api/scene/${scene.id}/shots`, { shotCode: "001A" });
    expect((await client.projects.createCharacter(project.id, { name: "Sarah Chen" })).name).toBe("Sarah Chen");
    sent("POST", `/api/project/${project.id}/characters`, { name: "Sarah Chen" });
    expect(await client.projects.get(project.id)).toMatchObject({ id: project.id, media: [], segments: [] });
    sent("GET", `/api/project/${project.id}`);
    expect((await client.projects.update(project.id, { genre: null })).genre).toBeNull();
    sent("PATCH", `/api/project/${project.id}`, { genre: null });
    expect(await client.scenes.delete(scene.id)).toEqual({ deleted: true });
    sent("DELETE", `/api/scene/${scene.id}`);
    expect(await client.projects.delete(project.id)).toEqual({ deleted: true });
    sent("DELETE", `/api/project/${project.id}`);
    expect((await apiError(client.projects.get(project.id))).status).toBe(404);
    // Another user's project is a 404 too.
    const mine = await client.projects.create({ name: "Private" });
    expect((await apiError(setup({ token: t.other.token }).client.projects.get(mine.id))).status).toBe(404);
  });

  it("editing: upload, preview, segments, grade, export, region generation and variants", async () => {
    const { client, calls, sent } = setup();
    const project = await client.projects.create({ name: "Edit" });
    const upload = await client.projects.upload(project.id, { file_name: "take1.mp4", content_type: "video/mp4" });
    expect(upload).toMatchObject({ method: "PUT", asset_id: expect.any(String) });
    sent("POST", `/api/project/${project.id}/upload`, { file_name: "take1.mp4", content_type: "video/mp4" });

    // put(): the signed URL needs no Authorization; the answer is the probed media.
    const bytes = new Uint8Array(await readFile(clip));
    const media = (await client.put(upload.upload_url, bytes, "video/mp4")) as { id: string; status: string };
    expect(media).toMatchObject({ id: upload.asset_id, status: "ready" });
    expect(calls.at(-1)).toMatchObject({ method: "PUT", url: upload.upload_url, body: bytes });
    expect(calls.at(-1)?.headers.get("content-type")).toBe("video/mp4");
    expect(calls.at(-1)?.headers.has("authorization")).toBe(false);
    // A Blob to the same (single-use) URL: the server's refusal is a DailiesApiError.
    const reused = await apiError(client.put(upload.upload_url, new Blob([bytes]), "video/mp4"));
    expect(reused.status).toBe(409);
    expect(calls.at(-1)?.body).toBeInstanceOf(Blob);
    // A stream to a fresh URL.
    const second = await client.projects.upload(project.id, { file_name: "take2.mp4", content_type: "video/mp4" });
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        c.enqueue(bytes);
        c.close();
      },
    });
    expect(await client.put(second.upload_url, stream, "video/mp4")).toMatchObject({ id: second.asset_id });

    const [first] = (await client.projects.get(project.id)).segments;
    expect(first).toMatchObject({ media_id: upload.asset_id, start_ts: 0 });
    const frame = await client.projects.previewFrame(project.id, { ts: 1 });
    expect(frame).toMatchObject({ timestamp: 1, segment_id: first!.id });
    sent("POST", `/api/project/${project.id}/preview/frame`, { ts: 1 });
    expect((await client.projects.previewStrip(project.id, { start: 0, end: 2, fps: 1 })).frames).toHaveLength(2);
    sent("POST", `/api/project/${project.id}/preview/strip`, { start: 0, end: 2, fps: 1 });

    const added = await client.projects.addSegment(project.id, { media_id: second.asset_id });
    expect(added).toMatchObject({ media_id: second.asset_id, order_index: 1 });
    sent("POST", `/api/project/${project.id}/segments`, { media_id: second.asset_id });
    const { left, right } = await client.segments.split(first!.id, { split_ts: 1 });
    sent("POST", `/api/segment/${first!.id}/split`, { split_ts: 1 });
    expect((await client.segments.trim(left.id, { new_start_ts: 0.2, new_end_ts: 1 })).start_ts).toBeCloseTo(0.2);
    sent("POST", `/api/segment/${left.id}/trim`, { new_start_ts: 0.2, new_end_ts: 1 });
    expect(await client.segments.delete(right.id)).toMatchObject({ deleted: true });
    sent("DELETE", `/api/segment/${right.id}`);
    const reordered = await client.projects.reorderSegments(project.id, { segment_ids: [added.id, left.id] });
    expect(reordered.segments.map((s) => s.id)).toEqual([added.id, left.id]);
    sent("POST", `/api/project/${project.id}/segments/reorder`, { segment_ids: [added.id, left.id] });
    // No scene has a video version: assemble answers 409 and leaves the timeline as it was.
    expect((await apiError(client.projects.assembleTimeline(project.id))).status).toBe(409);
    sent("POST", `/api/project/${project.id}/timeline/assemble`, {});

    const preview = await client.segments.gradePreview(added.id, { hue_shift: 10 });
    expect(preview.preview_frame_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/frames\//);
    sent("POST", `/api/segment/${added.id}/grade-preview`, { hue_shift: 10 });
    const graded = await client.segments.colorGrade(added.id, { contrast: 0.2 });
    expect(graded.job_id).toEqual(expect.any(String));
    sent("POST", `/api/segment/${added.id}/color-grade`, { contrast: 0.2 });
    expect((await client.jobs.editing(graded.job_id)).kind).toBe("color-grade");
    sent("GET", `/api/job/${graded.job_id}`);

    const started = await client.exports.start({ project_id: project.id, format: "mp4" });
    sent("POST", "/api/export", { project_id: project.id, format: "mp4" });
    await t.app.deps.worker.idle(120_000);
    const done = await client.exports.get(started.export_job_id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed", export_url: expect.any(String) });
    sent("GET", `/api/export/${started.export_job_id}`);
    expect((await client.projects.exports(project.id)).exports.map((e) => e.export_job_id)).toContain(
      started.export_job_id,
    );
    sent("GET", `/api/project/${project.id}/exports`);

    // download(): a signed link needs no Authorization and has no timeout; absolute or relative to the server.
    const quick = setup({ timeoutMs: 1 });
    const file = await quick.client.download(done.export_url!);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const relative = new URL(done.export_url!);
    await (await quick.client.download(`${relative.pathname}${relative.search}`)).arrayBuffer();
    expect(quick.calls.map((c) => c.url)).toEqual([done.export_url, `${origin}${relative.pathname}${relative.search}`]);
    expect(quick.calls.every((c) => !c.headers.has("authorization"))).toBe(true);
    const expired = new URL(done.export_url!);
    expired.searchParams.set("sig", "0".repeat(16));
    expect(await apiError(client.download(expired.toString()))).toMatchObject({
      status: 403,
      error: "Link expired or invalid signature",
    });

    const body = { project_id: project.id, prompt: "pixelate", start_ts: 0, end_ts: 0.5, bounding_box: box };
    const accepted = await client.ai.generate(body);
    expect(accepted).toMatchObject({ project_id: project.id, status: "pending", provider: "local" });
    sent("POST", "/api/ai/generate", body);
    await t.app.deps.worker.idle(120_000);
    const job = await client.jobs.editing(accepted.job_id);
    expect(job.status, job.error ?? "").toBe("completed");
    const variantId = job.variants[0]!.id;
    expect((await client.variants.get(variantId)).prompt).toBe("pixelate");
    sent("GET", `/api/variant/${variantId}`);
    expect((await client.variants.score(variantId, { compare_to: "original" })).variant_id).toBe(variantId);
    sent("GET", `/api/variant/${variantId}/score?compare_to=original`);
    expect((await client.variants.accept(variantId)).variant_id).toBe(variantId);
    sent("POST", `/api/variant/${variantId}/accept`);
  }, 180_000);

  it("pipeline, jobs and sessions", async () => {
    const { client, sent } = setup();
    const project = await client.projects.create({ name: "Pipeline" });
    const story = await client.pipeline.story({ topic: "Heist", maxMinutes: 1, provider: "local" });
    sent("POST", "/api/claude/stories", { topic: "Heist", maxMinutes: 1, provider: "local" });
    await t.app.deps.worker.idle(60_000);
    const storyJob = await client.jobs.get(story.jobId);
    expect(storyJob).toMatchObject({ kind: "story", status: "completed" });
    sent("GET", `/api/jobs/${story.jobId}`);
    const planBody = { story: storyJob.result as never, maxMinutes: 1, videoModel: "veo-3.1", projectId: project.id };
    const plan = await client.pipeline.scenePlan(planBody);
    sent("POST", "/api/claude/scene-planning", planBody);
    await t.app.deps.worker.idle(60_000);
    expect((await client.jobs.get(plan.jobId)).status).toBe("completed");
    const imageBody = { prompt: "Dusk", aspectRatio: "1:1", projectId: project.id, sceneNumber: 1 } as const;
    const image = await client.pipeline.image(imageBody);
    sent("POST", "/api/images/generate", imageBody);
    await t.app.deps.worker.idle(60_000);
    expect((await client.jobs.get(image.jobId)).status).toBe("completed");

    const listed = await client.jobs.list({ project_id: project.id });
    expect(listed.jobs.map((j) => j.id)).toEqual(expect.arrayContaining([plan.jobId, image.jobId]));
    sent("GET", `/api/jobs?project_id=${project.id}`);
    expect((await apiError(client.jobs.retry(image.jobId))).status).toBe(409);
    sent("POST", `/api/jobs/${image.jobId}/retry`);

    expect((await client.sessions.list()).sessions.map((s) => s.id)).toContain(project.id);
    sent("GET", "/api/session/list");
    const session = await client.sessions.get(project.id);
    expect(session.scenes.length).toBeGreaterThan(0);
    sent("GET", `/api/session/${project.id}`);
  }, 120_000);

  it("workspaces and invites", async () => {
    const { client, sent } = setup();
    const bob = setup({ token: t.other.token }).client;
    expect((await client.workspaces.list()).workspaces.map((w) => w.id)).toContain(workspaceId);
    sent("GET", "/api/workspaces");
    const studio = await client.workspaces.create({ name: "Studio" });
    expect(studio).toMatchObject({ name: "Studio", personal: false, role: "owner", memberCount: 1 });
    sent("POST", "/api/workspaces", { name: "Studio" });
    const other = await client.workspaces.create({ name: "Other" });
    const invited = await client.workspaces.addMember(studio.id, { email: "bob@example.com" });
    expect(invited).toMatchObject({ invited: true, workspaceId: studio.id, email: "bob@example.com" });
    sent("POST", `/api/workspaces/${studio.id}/members`, { email: "bob@example.com" });
    await client.workspaces.addMember(other.id, { email: "bob@example.com" });

    const invites = (await bob.invites.list()).invites;
    expect(invites).toHaveLength(2);
    const toStudio = invites.find((i) => i.workspaceId === studio.id)!;
    const toOther = invites.find((i) => i.workspaceId === other.id)!;
    expect(await bob.invites.accept(toStudio.id)).toMatchObject({ id: studio.id, role: "member", memberCount: 2 });
    expect(await bob.invites.decline(toOther.id)).toEqual({ deleted: true });
    expect((await bob.invites.list()).invites).toEqual([]);
  });

  it("AI: providers, call timeline, video models", async () => {
    const { client, sent } = setup();
    expect((await client.ai.health()).defaults).toBeDefined();
    sent("GET", "/api/ai/health");
    await client.ai.timeline({ limit: 5 });
    sent("GET", "/api/ai/timeline?limit=5");
    expect((await client.ai.videoModels()).models.map((m) => m.id)).toContain("veo-3.1");
    sent("GET", "/api/ai/video-models");
  });
});

describe("errors", () => {
  it("turns the server's 400 into DailiesApiError with status, error and field errors", async () => {
    const { client } = setup();
    const err = await apiError(
      client.extension.ingest({ projectId: "p1", sceneId: "001", assetType: "VIDEO", prompt: "" } as never),
    );
    expect(err.status).toBe(400);
    expect(err.name).toBe("DailiesApiError");
    expect(Object.keys(err.details?.fieldErrors ?? {})).toContain("prompt");
    const fields = Object.entries(err.details!.fieldErrors!).map(([k, v]) => `${k}: ${v.join(", ")}`);
    expect(err.message).toBe(`${err.error} (${fields.join("; ")})`);
    const unnamed = await apiError(client.projects.create({ name: "" }));
    expect(unnamed.status).toBe(400);
    expect(unnamed.details?.fieldErrors).toHaveProperty("name");
  });

  it("uses the plain error text as message when there are no field errors", async () => {
    const { client } = setup();
    const err = await apiError(client.extension.shots({ sceneDbId: "nope" }));
    expect(err).toMatchObject({ status: 404, error: "Scene not found", message: "Scene not found" });
    expect(err.details).toBeUndefined();
  });

  it("still reports the status of a non-JSON error body", async () => {
    const server = await localServer((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" }).end("<html>Bad Gateway</html>");
    });
    try {
      const err = await apiError(setup({ baseUrl: server.url }).client.projects.list());
      expect(err.status).toBe(502);
      expect(err.error).toBe("HTTP 502 Bad Gateway: <html>Bad Gateway</html>");
    } finally {
      await server.close();
    }
  });

  it("keeps a JSON error body of another shape in details", async () => {
    const server = await localServer((_req, res) => {
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: "degraded" }));
    });
    try {
      const err = await apiError(setup({ baseUrl: server.url }).client.health());
      expect(err).toMatchObject({ status: 503, details: { body: { status: "degraded" } } });
      expect(err.error).toBe("HTTP 503 Service Unavailable");
    } finally {
      await server.close();
    }
  });

  it("reports network failures as status 0, Server unreachable", async () => {
    const err = await apiError(setup({ baseUrl: await closedPort() }).client.me());
    expect(err.status).toBe(0);
    expect(err.error).toBe("Server unreachable: fetch failed (ECONNREFUSED)");
  });

  it("reports a timeout as status 0", async () => {
    const server = await localServer(() => {}); // accepts and never answers
    try {
      const err = await apiError(setup({ baseUrl: server.url, timeoutMs: 50 }).client.me());
      expect(err.status).toBe(0);
      expect(err.error).toBe("Server unreachable: timed out after 50 ms");
    } finally {
      await server.close();
    }
  });

  it("rejects a response that does not match the schema", async () => {
    const { client } = setup();
    const project = await client.projects.create({ name: "Schema" });
    const real = await client.projects.get(project.id);
    const server = await localServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...real, scene_count: "many" }));
    });
    try {
      const err = await apiError(setup({ baseUrl: server.url }).client.projects.get(project.id));
      expect(err.status).toBe(200);
      expect(err.error).toBe("Unexpected response from server");
      expect(err.details).toEqual({ fieldErrors: { scene_count: [expect.any(String)] } });
      expect(err.message).toMatch(/^Unexpected response from server \(scene_count: /);
    } finally {
      await server.close();
    }
  });

  it("rejects a success body that is not JSON", async () => {
    const server = await localServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" }).end("OK");
    });
    try {
      const err = await apiError(setup({ baseUrl: server.url }).client.tokens.list());
      expect(err.status).toBe(200);
      expect(err.error).toMatch(/^Invalid JSON response/);
    } finally {
      await server.close();
    }
  });
});

describe("request()", () => {
  it("returns unchecked JSON without a schema, with query, body and extra headers", async () => {
    const { client, calls } = setup();
    const res = await client.request<{ jobId: string }>("POST", "/api/images/generate", {
      query: { dryRun: true, skip: undefined, n: null },
      body: { prompt: "x" },
      headers: { "x-extra": "1" },
    });
    expect(res.jobId).toEqual(expect.any(String));
    expect(calls[0]).toMatchObject({ url: `${origin}/api/images/generate?dryRun=true`, body: { prompt: "x" } });
    expect(calls[0]?.headers.get("x-extra")).toBe("1");
    expect(calls[0]?.headers.get("authorization")).toBe(`Bearer ${t.token}`);
    await t.app.deps.worker.idle(60_000);
  });

  it("returns the Response itself with raw, after checking the status", async () => {
    const { client } = setup();
    const res = await client.request("GET", "/api/health", { raw: true });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("ok");
    expect((await apiError(client.request("GET", "/api/project/nope", { raw: true }))).status).toBe(404);
  });

  it("returns undefined for an empty body", async () => {
    const server = await localServer((_req, res) => {
      res.writeHead(204).end();
    });
    try {
      expect(await setup({ baseUrl: server.url }).client.request("DELETE", "/api/thing/1")).toBeUndefined();
      // put() too: an empty 200 answer is undefined.
      expect(await setup().client.put(`${server.url}/u`, new Uint8Array([1]), "application/octet-stream")).toBe(
        undefined,
      );
    } finally {
      await server.close();
    }
  });

  it("falls back to the platform's fetch", async () => {
    const client = createClient({ baseUrl: origin });
    expect((await client.health()).status).toBe("ok");
  });
});
