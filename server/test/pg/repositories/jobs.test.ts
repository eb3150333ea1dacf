import { expect, it } from "vitest";
import * as jobs from "../../../src/repositories/pg/jobs.js";
import { describeOnBoth } from "../../support/bothBackends.js";

describeOnBoth("jobs repository", { jobs }, (backend) => {
  const repo = () => backend().repos.jobs;
  let seq = 0;
  const uid = (prefix: string) => `${prefix}_${++seq}`;

  async function seedWorkspace() {
    const user = uid("user");
    const workspace = uid("ws");
    const projects = [uid("proj"), uid("proj")];
    await backend().exec(`insert into users (id, name) values ('${user}', 'Ada')`);
    await backend().exec(
      `insert into workspaces (id, name, owner_id, personal) values ('${workspace}', 'W', '${user}', false)`,
    );
    for (const [i, id] of projects.entries()) {
      await backend().exec(
        `insert into projects (id, workspace_id, owner_id, name) values ('${id}', '${workspace}', '${user}', 'Film ${i}')`,
      );
    }
    return { user, workspace, projects };
  }

  async function seedJob(
    id: string,
    at: string,
    over: { user?: string; workspace?: string | null; project?: string | null; status?: string } = {},
  ) {
    const text = (v: string | null | undefined) => (v ? `'${v}'` : "null");
    await backend().exec(
      `insert into jobs (id, kind, status, user_id, workspace_id, project_id, input, created_at)
       values ('${id}', 'export', '${over.status ?? "pending"}', ${text(over.user)}, ${text(over.workspace)},
         ${text(over.project)}, '{"format":"mp4","segments":[1,2]}', '${at}')`,
    );
  }

  it("reads a job with its JSON and numbers, and undefined for an unknown id", async () => {
    const ws = await seedWorkspace();
    const id = uid("job");
    await seedJob(id, "2026-03-01T10:00:00.000Z", { user: ws.user, project: ws.projects[0] });
    await backend().exec(
      `update jobs set status = 'completed', progress = 0.5, result = '{"mediaId":"m1","bytes":12}', attempts = 1
       where id = '${id}'`,
    );
    expect(await repo().jobById(id)).toEqual({
      id,
      kind: "export",
      status: "completed",
      progress: 0.5,
      userId: ws.user,
      workspaceId: null,
      projectId: ws.projects[0],
      input: { format: "mp4", segments: [1, 2] },
      result: { mediaId: "m1", bytes: 12 },
      error: null,
      attempts: 1,
      maxAttempts: 1,
      runAfter: expect.any(String),
      createdAt: "2026-03-01T10:00:00.000Z",
      startedAt: null,
      finishedAt: null,
      updatedAt: expect.any(String),
      leaseOwner: null,
      leaseUntil: null,
    });
    expect(await repo().jobById("job_missing")).toBeUndefined();
  });

  // Newest first; within one millisecond the later queued on SQLite (rowid) and the larger id on PostgreSQL, which
  // agree here: jobs are seeded in the order they were queued, as a server inserts them.
  it("lists a project's jobs newest first", async () => {
    const ws = await seedWorkspace();
    const [p1, p2] = ws.projects as [string, string];
    await seedJob("job_pa", "2026-03-02T10:00:00.000Z", { project: p1 });
    await seedJob("job_pb", "2026-03-02T11:00:00.000Z", { project: p1 });
    await seedJob("job_pc", "2026-03-02T11:00:00.000Z", { project: p1 });
    await seedJob("job_pz", "2026-03-02T12:00:00.000Z", { project: p2 });
    expect((await repo().jobsOfProject(p1)).map((j) => j.id)).toEqual(["job_pc", "job_pb", "job_pa"]);
    expect(await repo().jobsOfProject("proj_missing")).toEqual([]);
  });

  it("lists a workspace's jobs with their project's name, filtered and limited", async () => {
    const ws = await seedWorkspace();
    const other = await seedWorkspace();
    const [p1, p2] = ws.projects as [string, string];
    await seedJob("job_w1", "2026-03-03T10:00:00.000Z", { workspace: ws.workspace, user: ws.user });
    await seedJob("job_w2", "2026-03-03T11:00:00.000Z", { project: p1, status: "running" });
    await seedJob("job_w3", "2026-03-03T12:00:00.000Z", { workspace: ws.workspace, project: p2 });
    await seedJob("job_w4", "2026-03-03T12:00:00.000Z", { project: p1, status: "failed" });
    await seedJob("job_x1", "2026-03-03T13:00:00.000Z", { workspace: other.workspace, project: other.projects[0] });
    await seedJob("job_x2", "2026-03-03T13:00:00.000Z", { user: ws.user });

    const all = await repo().jobsOfWorkspace(ws.workspace, { limit: 10 });
    expect(all.map(({ job, projectName }) => [job.id, projectName])).toEqual([
      ["job_w4", "Film 0"],
      ["job_w3", "Film 1"],
      ["job_w2", "Film 0"],
      ["job_w1", null],
    ]);
    expect(all[0]!.job.input).toEqual({ format: "mp4", segments: [1, 2] });
    const ids = (rows: { job: { id: string } }[]) => rows.map((r) => r.job.id);
    expect(ids(await repo().jobsOfWorkspace(ws.workspace, { limit: 2 }))).toEqual(["job_w4", "job_w3"]);
    expect(ids(await repo().jobsOfWorkspace(ws.workspace, { projectId: p1, limit: 10 }))).toEqual(["job_w4", "job_w2"]);
    expect(ids(await repo().jobsOfWorkspace(ws.workspace, { status: "running", limit: 10 }))).toEqual(["job_w2"]);
    expect(ids(await repo().jobsOfWorkspace(ws.workspace, { projectId: p1, status: "completed", limit: 10 }))).toEqual(
      [],
    );
    expect(ids(await repo().jobsOfWorkspace(other.workspace, { limit: 10 }))).toEqual(["job_x1"]);
    expect(await repo().jobsOfWorkspace("ws_missing", { limit: 10 })).toEqual([]);
  });
});
