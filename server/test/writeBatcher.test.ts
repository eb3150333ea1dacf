import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import { WriteBatcher } from "../src/db/writeBatcher.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-batch-"));
const db = openDatabase(join(dir, "db.sqlite"));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("WriteBatcher", () => {
  it("commits a burst in one transaction and rolls back only the item that throws", async () => {
    db.$client.exec("create table t (v integer primary key)");
    const insert = db.$client.prepare("insert into t (v) values (?)");
    const batcher = new WriteBatcher(db);
    let commits = 0;
    const before = db.$client.prepare("select count(*) as n from t");
    const results = await Promise.allSettled([
      batcher.run(() => insert.run(1).changes),
      batcher.run(() => {
        insert.run(2);
        throw new Error("second fails after writing");
      }),
      batcher.run(() => insert.run(1)), // duplicate key: fails alone
      batcher.run(() => {
        commits = db.$client.inTransaction ? commits + 1 : commits;
        return insert.run(3).changes;
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect(commits).toBe(1);
    const rows = db.$client.prepare("select v from t order by v").all() as { v: number }[];
    expect(rows.map((r) => r.v)).toEqual([1, 3]);
    expect((before.get() as { n: number }).n).toBe(2);
  });
});
