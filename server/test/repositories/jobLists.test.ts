// SQLite lists jobs by rowid (repositories/jobs.ts), without an index on created_at (migration 0012): a list walks
// the table from its newest row and stops at the page size, and the jobs a batch queues come out newest first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { pendingJobRows } from "../../src/repositories/batchedJobs.js";
import { insertJob, jobsOfProject, jobsOfWorkspace, newJob } from "../../src/repositories/jobs.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-job-lists-"));
const db = openDatabase(join(dir, "db.sqlite"));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("job lists on SQLite", () => {
  it("has no index on created_at: queuing a job writes the row, its key and the claim index only", () => {
    const indexes = db.$client
      .prepare("select name from sqlite_master where type = 'index' and tbl_name = 'jobs' order by name")
      .pluck()
      .all();
    expect(indexes).toEqual(["jobs_due", "sqlite_autoindex_jobs_1"]);
  });

  it("lists jobs queued alone and in a batch newest first, and stops at the page size without sorting", () => {
    db.$client.exec(`insert into users (id, name) values ('user_1', 'Ada');
      insert into workspaces (id, name, owner_id, personal) values ('ws_1', 'W', 'user_1', 0);
      insert into projects (id, workspace_id, owner_id, name) values ('proj_1', 'ws_1', 'user_1', 'Film');`);
    const first = insertJob(db, { kind: "export", input: {}, projectId: "proj_1", id: "exp_zzz" });
    const batch = Array.from({ length: 40 }, (_, i) =>
      newJob({ kind: "mirror-asset", input: { assetVersionId: `asset_${i}` }, projectId: "proj_1" }),
    );
    db.$client.transaction(() => pendingJobRows(db).flush(batch))();
    const last = insertJob(db, { kind: "export", input: {}, projectId: "proj_1", id: "exp_aaa" });
    const newestFirst = [first, ...batch, last].map((job) => job.id).reverse();

    expect(jobsOfProject(db, "proj_1").map((job) => job.id)).toEqual(newestFirst);
    // The statement the list runs, as prepared, explained: a walk of the table, no sort of every job first.
    const statements: string[] = [];
    const prepare = db.$client.prepare.bind(db.$client);
    db.$client.prepare = ((source: string) => {
      statements.push(source);
      return prepare(source);
    }) as typeof db.$client.prepare;
    const page = jobsOfWorkspace(db, "ws_1", { limit: 5 });
    db.$client.prepare = prepare;
    expect(page.map(({ job }) => job.id)).toEqual(newestFirst.slice(0, 5));
    expect(page[0]?.projectName).toBe("Film");
    const list = statements.find((source) => source.includes('from "jobs"'));
    const plan = prepare(`explain query plan ${list}`).all("ws_1", "ws_1", 5) as { detail: string }[];
    expect(plan.map((step) => step.detail).join("; ")).toMatch(/^SCAN jobs/);
    expect(plan.map((step) => step.detail).join("; ")).not.toMatch(/TEMP B-TREE/);
  });
});
