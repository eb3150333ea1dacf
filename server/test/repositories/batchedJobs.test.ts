// The batch's pending jobs go in as multi-row inserts of up to 32 rows (repositories/batchedJobs.ts): every job
// of a batch of any size is written whole, as newJob made it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { pendingJobRows } from "../../src/repositories/batchedJobs.js";
import { jobById, newJob } from "../../src/repositories/jobs.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-batched-jobs-"));
const db = openDatabase(join(dir, "db.sqlite"));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("pending jobs inserted per batch", () => {
  it.each([1, 31, 32, 33, 70])("writes all %i jobs of a batch, each as newJob made it", (size) => {
    const jobs = Array.from({ length: size }, (_, i) =>
      newJob({ kind: "mirror-asset", input: { assetVersionId: `asset_${size}_${i}` }, maxAttempts: 3 }),
    );
    db.$client.transaction(() => pendingJobRows(db).flush(jobs))();
    for (const job of jobs) expect(jobById(db, job.id)).toEqual(job);
  });
});
