import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/services/users.js";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { createProject, runJob } from "./helpers.js";

let t: TestApp;
let projectId: string;
let bobProjectId: string;
const STORY = {
  title: "T",
  logline: "L",
  synopsis: "S",
  characters: [],
  acts: [{ number: 1, title: "One", beats: ["A beat"] }],
  estimatedMinutes: 1,
};

beforeAll(async () => {
  // REPLICATE_API_TOKEN makes replicate "configured" (no request reaches it in these tests).
  t = await buildTestApp({ REPLICATE_API_TOKEN: "r8_test" });
  projectId = await createProject(t, "Ada's");
  bobProjectId = await createProject(t, "Bob's", t.other.token);
  await t.call({ method: "POST", url: `/api/project/${projectId}/scenes`, payload: { sceneId: "001" } });
});
afterAll(() => t.close());

const post = (url: string, payload: unknown, token?: string) =>
  t.call({ method: "POST", url, payload: payload as object, token });

type ErrorBody = { error: string; details: { fieldErrors: Record<string, string[]> } };
function expectFieldError(res: { status: number; json: unknown; body: string }, field: string) {
  expect(res.status, res.body).toBe(400);
  const body = res.json as ErrorBody;
  expect(body.error).toBe("Invalid payload");
  expect(Object.keys(body.details.fieldErrors)).toContain(field);
}

describe("400 and 404 of the pipeline routes", () => {
  it("POST /api/claude/stories", async () => {
    expectFieldError(await post("/api/claude/stories", { maxMinutes: 1 }), "topic");
    expect((await post("/api/claude/stories", { maxMinutes: 1 })).json.details.fieldErrors.topic).toEqual(["Required"]);
    expectFieldError(await post("/api/claude/stories", { topic: "x" }), "maxMinutes");
    expectFieldError(await post("/api/claude/stories", { topic: "x", maxMinutes: 0 }), "maxMinutes");
    expectFieldError(await post("/api/claude/stories", { topic: "x", maxMinutes: 6 }), "maxMinutes");
    expectFieldError(await post("/api/claude/stories", { topic: "   ", maxMinutes: 1 }), "topic");
    expectFieldError(await post("/api/claude/stories", { topic: "x", maxMinutes: 1, provider: "mistral" }), "provider");
    const unknown = await post("/api/claude/stories", { topic: "x", maxMinutes: 1, projectId: "proj_nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: "Project not found" });
    expect((await post("/api/claude/stories", { topic: "x", maxMinutes: 1, projectId: bobProjectId })).status).toBe(
      404,
    );
  });

  it("POST /api/claude/scene-planning", async () => {
    expectFieldError(await post("/api/claude/scene-planning", { maxMinutes: 1 }), "story");
    expectFieldError(
      await post("/api/claude/scene-planning", { story: { ...STORY, acts: [] }, maxMinutes: 1 }),
      "story.acts",
    );
    expectFieldError(await post("/api/claude/scene-planning", { story: STORY, maxMinutes: 9 }), "maxMinutes");
    const model = await post("/api/claude/scene-planning", { story: STORY, maxMinutes: 1, videoModel: "vhs-1985" });
    expect(model.status).toBe(400);
    expect(model.json.error).toBe('unknown video model "vhs-1985"');
    expect(model.json.details.known).toContain("veo-3.1");
    expect(
      (await post("/api/claude/scene-planning", { story: STORY, maxMinutes: 1, projectId: bobProjectId })).status,
    ).toBe(404);
    const viaStory = await post("/api/claude/scene-planning", {
      story: { ...STORY, projectId: bobProjectId },
      maxMinutes: 1,
    });
    expect(viaStory.status).toBe(404);
    expect(viaStory.json).toEqual({ error: "Project not found" });
  });

  it("POST /api/images/generate", async () => {
    expectFieldError(await post("/api/images/generate", {}), "prompt");
    expectFieldError(await post("/api/images/generate", { prompt: "x", aspectRatio: "21:9" }), "aspectRatio");
    expectFieldError(await post("/api/images/generate", { prompt: "x", provider: "midjourney" }), "provider");
    expectFieldError(await post("/api/images/generate", { prompt: "x", sceneNumber: 1 }), "sceneNumber");
    expectFieldError(await post("/api/images/generate", { prompt: "x", projectId, sceneNumber: 0 }), "sceneNumber");
    expectFieldError(await post("/api/images/generate", { prompt: "x", projectId, sceneNumber: 1.5 }), "sceneNumber");
    const past = await post("/api/images/generate", { prompt: "x", projectId, sceneNumber: 2 });
    expect(past.status).toBe(404);
    expect(past.json).toEqual({ error: "Scene 2 not found", details: { sceneNumber: 2, sceneCount: 1 } });
    expect((await post("/api/images/generate", { prompt: "x", projectId: bobProjectId })).status).toBe(404);
    const model = await post("/api/images/generate", { prompt: "x", provider: "replicate", model: "sdxl" });
    expect(model.status).toBe(400);
    expect(model.json.details.fieldErrors.model).toBeDefined();
  });

  it("GET /api/jobs/:jobId, /api/session/:id, /api/ai/timeline", async () => {
    expect((await t.call({ method: "GET", url: "/api/jobs/job_nope" })).json).toEqual({ error: "Job not found" });
    const bobJob = await runJob(
      t,
      "/api/claude/stories",
      { topic: "Bob's", maxMinutes: 1, projectId: bobProjectId },
      t.other.token,
    );
    expect(bobJob.status).toBe("completed");
    expect((await t.call({ method: "GET", url: `/api/jobs/${bobJob.id}` })).status).toBe(404);
    const looseBob = await runJob(t, "/api/claude/stories", { topic: "No project", maxMinutes: 1 }, t.other.token);
    expect((await t.call({ method: "GET", url: `/api/jobs/${looseBob.id}` })).status).toBe(404);

    expect((await t.call({ method: "GET", url: "/api/session/proj_nope" })).status).toBe(404);
    expect((await t.call({ method: "GET", url: `/api/session/${bobProjectId}` })).status).toBe(404);
    const list = (await t.call({ method: "GET", url: "/api/session/list" })).json.sessions;
    expect(list.map((s: { id: string }) => s.id)).toEqual([projectId]);

    const cursor = await t.call({ method: "GET", url: "/api/ai/timeline?cursor=garbage" });
    expect(cursor.status).toBe(400);
    expect(cursor.json.error).toBe("Invalid cursor");
    expectFieldError(await t.call({ method: "GET", url: "/api/ai/timeline?limit=0" }), "limit");
    expect((await t.call({ method: "GET", url: "/api/ai/timeline", token: null })).status).toBe(401);
  });
});

describe("workspaces", () => {
  it("isolates workspaces, and shares one after an accepted invitation", async () => {
    const initial = await t.call({ method: "GET", url: "/api/workspaces" });
    expect(initial.json.workspaces).toEqual([
      expect.objectContaining({ personal: true, role: "owner", memberCount: 1, name: "Ada's workspace" }),
    ]);
    const created = await post("/api/workspaces", { name: "Studio" });
    expect(created.status, created.body).toBe(201);
    expect(created.json).toMatchObject({ name: "Studio", personal: false, role: "owner", memberCount: 1 });
    const studio = created.json.id as string;
    expectFieldError(await post("/api/workspaces", { name: "" }), "name");

    // A project in the studio, with a job.
    const studioProject = await createProject(t, "Studio film", undefined, studio);
    const job = await runJob(t, "/api/claude/stories", { topic: "Studio", maxMinutes: 1, projectId: studioProject });
    const inStudio = await t.call({ method: "GET", url: "/api/session/list", headers: { "x-workspace-id": studio } });
    expect(inStudio.json.sessions.map((s: { id: string }) => s.id)).toEqual([studioProject]);

    // Bob is not in it: everything about it is 404.
    const bob = { token: t.other.token, headers: { "x-workspace-id": studio } };
    const foreign = await t.call({ method: "GET", url: "/api/session/list", ...bob });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ error: "Workspace not found" });
    expect((await t.call({ method: "GET", url: `/api/session/${studioProject}`, token: t.other.token })).status).toBe(
      404,
    );
    expect((await t.call({ method: "GET", url: `/api/jobs/${job.id}`, token: t.other.token })).status).toBe(404);
    expect((await post(`/api/workspaces/${studio}/members`, { email: "bob@example.com" }, t.other.token)).status).toBe(
      404,
    );
    const bobWs = (await t.call({ method: "GET", url: "/api/workspaces", token: t.other.token })).json.workspaces;
    expect(bobWs.map((w: { id: string }) => w.id)).not.toContain(studio);

    // Members join by invitation (issue 9): the answer is the same for an unknown email, a member and Bob.
    const sent = { invited: true, workspaceId: studio, role: "member" };
    const unknown = await post(`/api/workspaces/${studio}/members`, { email: "nobody@example.com" });
    expect(unknown.status).toBe(202);
    expect(unknown.json).toEqual({ ...sent, email: "nobody@example.com" });
    expectFieldError(await post(`/api/workspaces/${studio}/members`, { email: "not-an-email" }), "email");
    expectFieldError(
      await post(`/api/workspaces/${studio}/members`, { email: "bob@example.com", role: "admin" }),
      "role",
    );
    expect((await post("/api/workspaces/ws_nope/members", { email: "bob@example.com" })).status).toBe(404);
    const self = await post(`/api/workspaces/${studio}/members`, { email: "ada@example.com" });
    expect(self.status).toBe(202);
    expect(self.json).toEqual({ ...sent, email: "ada@example.com" });

    // Personal workspaces cannot get members.
    const personal = initial.json.workspaces[0].id as string;
    expect((await post(`/api/workspaces/${personal}/members`, { email: "bob@example.com" })).status).toBe(409);

    // Invite Bob: nothing changes until he accepts with his own token.
    const invited = await post(`/api/workspaces/${studio}/members`, { email: "Bob@Example.com" });
    expect(invited.status, invited.body).toBe(202);
    expect(invited.json).toEqual({ ...sent, email: "bob@example.com" });
    expect((await t.call({ method: "GET", url: "/api/session/list", ...bob })).status).toBe(404);
    const invites = await t.call({ method: "GET", url: "/api/invites", token: t.other.token });
    expect(invites.json.invites).toEqual([
      expect.objectContaining({ workspaceId: studio, workspaceName: "Studio", role: "member", invitedBy: "Ada" }),
    ]);
    const inviteId = invites.json.invites[0].id as string;
    // Only the invitee can accept: Ada (the inviter) gets 404.
    expect((await post(`/api/invites/${inviteId}/accept`, {})).status).toBe(404);
    expect((await t.call({ method: "GET", url: "/api/invites" })).json.invites).toEqual([]);
    const accepted = await post(`/api/invites/${inviteId}/accept`, {}, t.other.token);
    expect(accepted.status, accepted.body).toBe(200);
    expect(accepted.json).toMatchObject({ id: studio, role: "member", memberCount: 2 });
    expect((await post(`/api/invites/${inviteId}/accept`, {}, t.other.token)).status).toBe(404);
    expect((await post(`/api/workspaces/${studio}/members`, { email: "bob@example.com" })).status).toBe(202);
    expect((await t.call({ method: "GET", url: "/api/invites", token: t.other.token })).json.invites).toEqual([]);

    // An invitation can be declined (it is gone), and only by its invitee.
    await post(`/api/workspaces/${studio}/members`, { email: "carol@example.com" });
    const [carolInvite] = (await testSql(t, "select id from workspace_invites where email = 'carol@example.com'")) as [
      {
        id: string;
      },
    ];
    expect((await post(`/api/invites/${carolInvite.id}/decline`, {}, t.other.token)).status).toBe(404);
    const carol = await t.app.deps.repos.users.createUser({ name: "Carol", email: "Carol@Example.com" });
    const carolToken = (await createToken(t.app.deps.repos, carol.id, "test")).token;
    const declined = await post(`/api/invites/${carolInvite.id}/decline`, {}, carolToken);
    expect(declined.json).toEqual({ deleted: true });
    expect((await t.call({ method: "GET", url: "/api/invites", token: carolToken })).json.invites).toEqual([]);
    const shared = await t.call({ method: "GET", url: "/api/session/list", ...bob });
    expect(shared.status).toBe(200);
    expect(shared.json.sessions.map((s: { id: string }) => s.id)).toEqual([studioProject]);
    expect((await t.call({ method: "GET", url: `/api/session/${studioProject}`, token: t.other.token })).status).toBe(
      200,
    );
    expect((await t.call({ method: "GET", url: `/api/jobs/${job.id}`, token: t.other.token })).status).toBe(200);
    const bobList = (await t.call({ method: "GET", url: "/api/workspaces", token: t.other.token })).json.workspaces;
    expect(bobList).toContainEqual(
      expect.objectContaining({ id: studio, role: "member", memberCount: 2, personal: false }),
    );
    // Bob's own projects are still not in the studio, nor Ada's personal ones.
    expect(shared.json.sessions.map((s: { id: string }) => s.id)).not.toContain(bobProjectId);

    // A member who is not an owner cannot add others.
    const forbidden = await post(`/api/workspaces/${studio}/members`, { email: "ada@example.com" }, t.other.token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toBe("Only an owner can add members");
  });
});

describe("without ffmpeg", () => {
  it("still drafts stories locally, answers 503 for local images, and health says why", async () => {
    const bare = await buildTestApp({ FFMPEG_PATH: "/nonexistent/ffmpeg" });
    try {
      const story = await runJob(bare, "/api/claude/stories", { topic: "No ffmpeg", maxMinutes: 1 });
      expect(story.status).toBe("completed");
      const image = await bare.call({ method: "POST", url: "/api/images/generate", payload: { prompt: "x" } });
      expect(image.status).toBe(503);
      expect(image.json).toEqual({
        error: expect.stringMatching(/^local renders images with ffmpeg, which was not found/),
        details: { provider: "local", setting: "FFMPEG_PATH" },
      });
      const health = (await bare.call({ method: "GET", url: "/api/ai/health" })).json;
      expect(health.providers[0]).toMatchObject({ name: "local", configured: true, reachable: false });
      expect(health.providers[0].error).toMatch(/ffmpeg not found/);
    } finally {
      await bare.close();
    }
  });
});
