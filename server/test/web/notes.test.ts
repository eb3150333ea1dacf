import type { DailiesEvent } from "@dailies/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";

describe("review notes and take edits", () => {
  let t: TestApp;
  let versionId: string;
  let projectId: string;
  beforeAll(async () => {
    t = await buildTestApp({}, { startWorker: false });
    ({ projectId } = await seedProject(t));
    const ingest = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId, sceneId: "001", assetType: "VIDEO", platformKey: "sora", prompt: "a fox" },
    });
    versionId = ingest.json.asset.id;
  });
  afterAll(() => t.close());

  it("adds, lists by time, edits, resolves and deletes notes, announcing each change", async () => {
    const seen: DailiesEvent[] = [];
    const stop = t.app.deps.events.subscribe((e) => seen.push(e));
    const url = `/api/asset-version/${versionId}/notes`;
    const late = await t.call({ method: "POST", url, payload: { body: "Hand flickers", timeSec: 3.2 } });
    const early = await t.call({ method: "POST", url, payload: { body: "Too dark", timeSec: 0.5 } });
    const whole = await t.call({ method: "POST", url, payload: { body: "Love the grade" } });
    expect(late.status).toBe(201);
    expect(late.json).toMatchObject({ body: "Hand flickers", timeSec: 3.2, resolved: false, author: { name: "Ada" } });
    const list = await t.call({ method: "GET", url });
    expect(list.json.notes.map((n: { body: string }) => n.body)).toEqual([
      "Love the grade",
      "Too dark",
      "Hand flickers",
    ]);

    const edited = await t.call({
      method: "PATCH",
      url: `${url}/${early.json.id}`,
      payload: { body: "Much too dark" },
    });
    expect(edited.json.body).toBe("Much too dark");
    const resolved = await t.call({ method: "PATCH", url: `${url}/${early.json.id}`, payload: { resolved: true } });
    expect(resolved.json.resolved).toBe(true);
    expect(resolved.json.resolvedAt).toBeTruthy();
    const deleted = await t.call({ method: "DELETE", url: `${url}/${whole.json.id}` });
    expect(deleted.json).toEqual({ deleted: true });
    stop();
    expect(seen.map((e) => e.type)).toEqual([
      "note.created",
      "note.created",
      "note.created",
      "note.updated",
      "note.updated",
      "note.deleted",
    ]);
    expect(seen[0]!.data).toMatchObject({ assetVersionId: versionId, noteId: late.json.id, timeSec: 3.2 });
  });

  it("lets only the author or a workspace owner change a note", async () => {
    // Ada shares a workspace and invites Bob, who accepts; Bob writes a note on a take there. Ada (owner) may
    // resolve it; Bob may not touch Ada's.
    const shared = await t.call({ method: "POST", url: "/api/workspaces", payload: { name: "Studio" } });
    expect(shared.status, shared.body).toBe(201);
    const inStudio = { "x-workspace-id": shared.json.id };
    const project = await t.call({
      method: "POST",
      url: "/api/project",
      payload: { name: "Shared" },
      headers: inStudio,
    });
    await t.call({
      method: "POST",
      url: `/api/project/${project.json.id}/scenes`,
      payload: { sceneId: "001" },
      headers: inStudio,
    });
    const take = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId: project.json.id, sceneId: "001", assetType: "VIDEO", platformKey: "sora", prompt: "x" },
      headers: inStudio,
    });
    const url = `/api/asset-version/${take.json.asset.id}/notes`;
    const invited = await t.call({
      method: "POST",
      url: `/api/workspaces/${shared.json.id}/members`,
      payload: { email: "bob@example.com", role: "member" },
    });
    expect(invited.status).toBeLessThan(300);
    const invites = await t.call({ method: "GET", url: "/api/invites", token: t.other.token });
    const invite = invites.json.invites[0];
    const accepted = await t.call({ method: "POST", url: `/api/invites/${invite.id}/accept`, token: t.other.token });
    expect(accepted.status, accepted.body).toBeLessThan(300);
    const asBob = { token: t.other.token, headers: inStudio };
    const bobs = await t.call({ method: "POST", url, payload: { body: "Bob's note", timeSec: 1 }, ...asBob });
    expect(bobs.status).toBe(201);
    const adas = await t.call({ method: "POST", url, payload: { body: "Ada's note" }, headers: inStudio });
    const bobEditsAda = await t.call({
      method: "PATCH",
      url: `${url}/${adas.json.id}`,
      payload: { body: "x" },
      ...asBob,
    });
    expect(bobEditsAda.status).toBe(403);
    expect(bobEditsAda.json.error).toMatch(/author or a workspace owner/);
    const ownerResolvesBob = await t.call({
      method: "PATCH",
      url: `${url}/${bobs.json.id}`,
      payload: { resolved: true },
      headers: inStudio,
    });
    expect(ownerResolvesBob.status).toBe(200);
  });

  it("answers 404 for a version the user cannot see, 400 for bad input", async () => {
    const { projectId: theirProject } = await seedProject(t, ["009"], t.other.token);
    const theirs = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      token: t.other.token,
      payload: {
        projectId: theirProject,
        sceneId: "009",
        assetType: "IMAGE",
        platformKey: "midjourney",
        prompt: "owl",
      },
    });
    const url = `/api/asset-version/${theirs.json.asset.id}/notes`;
    expect((await t.call({ method: "GET", url })).status).toBe(404);
    expect((await t.call({ method: "POST", url, payload: { body: "peek" } })).status).toBe(404);
    expect((await t.call({ method: "GET", url: `/api/asset-version/${theirs.json.asset.id}` })).status).toBe(404);
    const bad = await t.call({
      method: "POST",
      url: `/api/asset-version/${versionId}/notes`,
      payload: { body: "", timeSec: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.details.fieldErrors).toBeTruthy();
  });

  it("edits a take: select keeps one per scene and type, status/rights/notes/tags change, and pages list it", async () => {
    const second = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId, sceneId: "001", assetType: "VIDEO", platformKey: "runway", prompt: "a fox, again" },
    });
    const a = await t.call({ method: "PATCH", url: `/api/asset-version/${versionId}`, payload: { selected: true } });
    expect(a.json).toMatchObject({ selected: true, status: "SELECTED" });
    const b = await t.call({
      method: "PATCH",
      url: `/api/asset-version/${second.json.asset.id}`,
      payload: { selected: true, rightsState: "COMMERCIAL_ALLOWED", notes: "keeper", tags: ["hero", "hero", "dusk"] },
    });
    expect(b.json).toMatchObject({
      selected: true,
      rightsState: "COMMERCIAL_ALLOWED",
      notes: "keeper",
      tags: ["hero", "dusk"],
    });
    const first = await t.call({ method: "GET", url: `/api/asset-version/${versionId}` });
    expect(first.json).toMatchObject({ selected: false, status: "GENERATED" });
    // Status and selection are one state: approving the selected take unselects it; status SELECTED selects.
    const approved = await t.call({
      method: "PATCH",
      url: `/api/asset-version/${second.json.asset.id}`,
      payload: { status: "APPROVED" },
    });
    expect(approved.json).toMatchObject({ status: "APPROVED", selected: false });
    const viaStatus = await t.call({
      method: "PATCH",
      url: `/api/asset-version/${versionId}`,
      payload: { status: "SELECTED" },
    });
    expect(viaStatus.json).toMatchObject({ status: "SELECTED", selected: true });
    const back = await t.call({
      method: "PATCH",
      url: `/api/asset-version/${second.json.asset.id}`,
      payload: { selected: true },
    });
    expect(back.json.selected).toBe(true);
    const empty = await t.call({ method: "PATCH", url: `/api/asset-version/${versionId}`, payload: {} });
    expect(empty.status).toBe(400);

    const page1 = await t.call({ method: "GET", url: `/api/project/${projectId}/scene/001/versions?limit=1` });
    expect(page1.json.total).toBe(2);
    expect(page1.json.assets).toHaveLength(1);
    expect(page1.json.nextOffset).toBe(1);
    const page2 = await t.call({ method: "GET", url: `/api/project/${projectId}/scene/001/versions?limit=1&offset=1` });
    expect(page2.json.nextOffset).toBeNull();
    const summaries = await t.call({ method: "GET", url: `/api/project/${projectId}/scene-summaries` });
    expect(summaries.json.scenes[0]).toMatchObject({
      versionCounts: { VIDEO: 2 },
      selected: [{ id: second.json.asset.id }],
    });
  });
});
