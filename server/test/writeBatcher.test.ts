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

  it("inserts the rows items leave for later once per batch, before the commit, and drops a failed item's", async () => {
    db.$client.exec("create table item (v integer primary key); create table later_row (v integer primary key)");
    const batcher = new WriteBatcher(db);
    const flushes: { rows: number[]; inTransaction: boolean; items: number }[] = [];
    const laterRows = {
      flush: (rows: number[]) => {
        const items = (db.$client.prepare("select count(*) as n from item").get() as { n: number }).n;
        flushes.push({ rows, inTransaction: db.$client.inTransaction, items });
        for (const v of rows) db.$client.prepare("insert into later_row (v) values (?)").run(v);
      },
    };
    const item = (v: number, fail = false) =>
      batcher.run((scope) => {
        db.$client.prepare("insert into item (v) values (?)").run(v);
        scope.later(laterRows, v * 10);
        if (fail) throw new Error("fails after leaving a row");
        return v;
      });
    const results = await Promise.allSettled([item(1), item(2, true), item(3)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    // One flush, with the rows of the items that committed, inside the batch's transaction after its items.
    expect(flushes).toEqual([{ rows: [10, 30], inTransaction: true, items: 2 }]);
    const rows = db.$client.prepare("select v from later_row order by v").all() as { v: number }[];
    expect(rows.map((r) => r.v)).toEqual([10, 30]);
  });

  it("rolls back the whole batch and rejects every item when the rows left for later cannot be written", async () => {
    db.$client.exec("create table kept (v integer primary key); create table strict_row (v integer not null)");
    const batcher = new WriteBatcher(db);
    const broken = {
      flush: (rows: (number | null)[]) => {
        for (const v of rows) db.$client.prepare("insert into strict_row (v) values (?)").run(v);
      },
    };
    const results = await Promise.allSettled(
      [1, 2].map((v) =>
        batcher.run((scope) => {
          db.$client.prepare("insert into kept (v) values (?)").run(v);
          scope.later(broken, v === 2 ? null : v);
          return v;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(db.$client.prepare("select count(*) as n from kept").get()).toEqual({ n: 0 });
    expect(db.$client.prepare("select count(*) as n from strict_row").get()).toEqual({ n: 0 });
  });
});
