import { expect, it } from "vitest";
import * as jobs from "../../../src/repositories/pg/jobs.js";
import * as projects from "../../../src/repositories/pg/projects.js";
import * as scenes from "../../../src/repositories/pg/scenes.js";
import type { ProjectRow } from "../../../src/repositories/projects.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { seedMember, seedProject, seedScene, uid } from "./coreSeed.js";

describeOnBoth("projects repository", { projects, scenes, jobs }, (backend) => {
  const repo = () => backend().repos.projects;
  const newProject = (member: { userId: string; workspaceId: string }, extra: Partial<ProjectRow> = {}) => ({
    id: uid("proj"),
    workspaceId: member.workspaceId,
    ownerId: member.userId,
    name: "Night Train",
    description: null,
    status: "DEVELOPMENT",
    genre: "noir",
    videoUrl: null,
    ...extra,
  });

  it("shows a project to members of its workspace only", async () => {
    const member = await seedMember(backend());
    const stranger = await seedMember(backend(), "Stranger");
    const project = await repo().insertProject(newProject(member));
    expect(project).toMatchObject({ name: "Night Train", genre: "noir", story: null, scenePlan: null });
    expect(project.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await repo().projectById(project.id)).toEqual(project);
    expect(await repo().canSeeProject(member.userId, project.id)).toEqual({ workspaceId: member.workspaceId });
    expect(await repo().visibleProject(member.userId, project.id)).toEqual(project);
    expect(await repo().canSeeProject(stranger.userId, project.id)).toBeUndefined();
    expect(await repo().visibleProject(stranger.userId, project.id)).toBeUndefined();
    const missing = uid("proj");
    expect(await repo().projectById(missing)).toBeUndefined();
    expect(await repo().canSeeProject(member.userId, missing)).toBeUndefined();
    expect(await repo().visibleProject(member.userId, missing)).toBeUndefined();
  });

  it("finds a capture's target: the project's workspace for members only, and its scene by code", async () => {
    const { userId, workspaceId, projectId } = await seedProject(backend());
    const stranger = await seedMember(backend(), "Stranger");
    const sceneId = await seedScene(backend(), projectId, "001");
    expect(await repo().captureTarget(userId, projectId, "001")).toEqual({ workspaceId, sceneId });
    expect(await repo().captureTarget(userId, projectId, "002")).toEqual({ workspaceId, sceneId: null });
    expect(await repo().captureTarget(stranger.userId, projectId, "001")).toBeUndefined();
    expect(await repo().captureTarget(userId, uid("proj"), "001")).toBeUndefined();
  });

  it("lists a workspace's projects recently updated first, with their scene counts as numbers", async () => {
    const member = await seedMember(backend());
    const old = await repo().insertProject(newProject(member, { updatedAt: "2026-01-01T00:00:00.000Z" }));
    const recent = await repo().insertProject(newProject(member, { updatedAt: "2026-02-01T00:00:00.000Z" }));
    await repo().insertProject(newProject(await seedMember(backend())));
    await seedScene(backend(), old.id, "S1");
    await seedScene(backend(), old.id, "S2");
    const listed = await repo().listProjects(member.workspaceId);
    expect(listed).toEqual([
      { project: recent, sceneCount: 0 },
      { project: old, sceneCount: 2 },
    ]);
    expect(await repo().countScenes(old.id)).toBe(2);
    expect(await repo().countScenes(uid("proj"))).toBe(0);
    expect(await repo().listProjects(uid("ws"))).toEqual([]);
  });

  it("updates, touches and deletes a project", async () => {
    const { projectId } = await seedProject(backend(), "2020-01-01T00:00:00.000Z");
    const updated = await repo().updateProject(projectId, { name: "Day Train", status: "PRODUCTION" });
    expect(updated).toMatchObject({ id: projectId, name: "Day Train", status: "PRODUCTION" });
    expect(updated.updatedAt > "2020-01-01T00:00:00.000Z").toBe(true);
    await backend().exec(`update projects set updated_at = '2020-01-01T00:00:00.000Z' where id = '${projectId}'`);
    await repo().touchProject(projectId);
    expect((await repo().projectById(projectId))!.updatedAt > "2020-01-01T00:00:00.000Z").toBe(true);
    expect(await repo().updateProject(uid("proj"), { name: "x" })).toBeUndefined();
    await repo().deleteProject(projectId);
    expect(await repo().projectById(projectId)).toBeUndefined();
    await repo().deleteProject(projectId);
  });

  it("creates a project with the jobs that start with it in one unit of work; a job that cannot be written rolls it back", async () => {
    const member = await seedMember(backend());
    const values = newProject(member);
    const jobId = uid("job");
    const made = await repo().createProject(values, [
      { id: jobId, kind: "import-video", input: { url: "https://cdn.example/v.mp4" }, projectId: values.id },
    ]);
    expect(await repo().projectById(made.id)).toEqual(made);
    expect(await backend().repos.jobs.jobById(jobId)).toMatchObject({ kind: "import-video", projectId: made.id });
    expect(await repo().createProject(newProject(member))).toMatchObject({ workspaceId: member.workspaceId });

    // The job's id is taken: the project is not created either.
    const doomed = newProject(member);
    await expect(
      repo().createProject(doomed, [{ id: jobId, kind: "import-video", input: {}, projectId: doomed.id }]),
    ).rejects.toThrow();
    expect(await repo().projectById(doomed.id)).toBeUndefined();
  });

  it("keeps characters in creation order", async () => {
    const { projectId } = await seedProject(backend());
    const b = await repo().insertCharacter(projectId, {
      name: "Bea",
      role: null,
      description: "lead",
      createdAt: "2026-01-02T00:00:00.000Z",
    });
    const a = await repo().insertCharacter(projectId, {
      name: "Al",
      role: "villain",
      description: null,
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    expect(b).toMatchObject({ projectId, name: "Bea", role: null, description: "lead" });
    expect(b.id).toMatch(/^char_/);
    expect(await repo().charactersOfProject(projectId)).toEqual([a, b]);
    expect(await repo().charactersOfProject(uid("proj"))).toEqual([]);
  });

  it("stores a story with its new characters, skipping names already there (trimmed, any case)", async () => {
    const { projectId } = await seedProject(backend());
    await repo().insertCharacter(projectId, { name: "Ann", role: null, description: null });
    const story = { title: "Night", beats: ["a", "b"], nested: { zeta: 1, alpha: [true, null] } };
    const saved = await repo().saveStoryWithCharacters(projectId, story, [
      { name: " ann ", role: "lead", description: null },
      { name: " Bob ", role: "friend", description: "tall" },
      { name: "BOB", role: null, description: null },
      { name: "Cy", role: null, description: null },
    ]);
    expect(saved).toBe(true);
    const project = (await repo().projectById(projectId))!;
    expect(project.story).toEqual(story);
    expect(JSON.stringify(project.story)).toBe(JSON.stringify(story));
    const cast = await repo().charactersOfProject(projectId);
    expect(cast.map((c) => c.name).sort()).toEqual(["Ann", "Bob", "Cy"]);
    expect(cast.find((c) => c.name === "Bob")).toMatchObject({ role: "friend", description: "tall" });

    const missing = uid("proj");
    expect(await repo().saveStoryWithCharacters(missing, story, [{ name: "X", role: null, description: null }])).toBe(
      false,
    );
  });

  it("adds each character once when 10 saves of a story run at once", async () => {
    const { projectId } = await seedProject(backend());
    const cast = ["Ann", "Bob", "Cy", "Dee"].map((name) => ({ name, role: null, description: null }));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => repo().saveStoryWithCharacters(projectId, { take: i }, cast)),
    );
    expect(results).toEqual(Array(10).fill(true));
    const names = (await repo().charactersOfProject(projectId)).map((c) => c.name).sort();
    expect(names).toEqual(["Ann", "Bob", "Cy", "Dee"]);
  });

  it("stores a scene plan document; false for a missing project", async () => {
    const { projectId } = await seedProject(backend());
    const plan = { scenes: [{ code: "S1" }] };
    expect(await repo().setProjectDocument(projectId, { scenePlan: plan })).toBe(true);
    expect((await repo().projectById(projectId))!.scenePlan).toEqual(plan);
    expect(await repo().setProjectDocument(uid("proj"), { story: {} })).toBe(false);
  });

  it("reports a project's deletion as gone to members", async () => {
    const { userId, projectId } = await seedProject(backend());
    await repo().deleteProject(projectId);
    expect(await repo().canSeeProject(userId, projectId)).toBeUndefined();
    expect(await repo().visibleProject(userId, projectId)).toBeUndefined();
  });
});
