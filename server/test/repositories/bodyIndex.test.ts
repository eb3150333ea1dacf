/**
 * The duplicate guard's in-memory index on SQLite (repositories/bodyIndex.ts): what one connection files, another
 * connection on the same file (another process in a role) finds; rolled-back, deleted, forgotten and emptied
 * versions are never answered; the first read takes only the window; and no table keeps an index by body hash.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { type DbHandle, openDatabase } from "../../src/db/client.js";
import { WriteBatcher } from "../../src/db/writeBatcher.js";
import { bodyIndex, indexFiledBody } from "../../src/repositories/bodyIndex.js";
import { findFiledBody, pruneIdempotency } from "../../src/repositories/idempotency.js";
import { createUser } from "../../src/repositories/users.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-repo-body-index-"));
const file = join(dir, "db.sqlite");
const api = openDatabase(file);
// A second connection to the same file, as a second process in a role would have.
const other = openDatabase(file);
afterAll(() => {
  api.$client.close();
  other.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const LONG_AGO = "2000-01-01T00:00:00.000Z";

let seq = 0;
const owner = createUser(api, { name: "owner" }).id;
api.$client.exec(`insert into workspaces (id, name, owner_id, personal) values ('ws', 'W', '${owner}', 1)`);
api.$client.exec(`insert into projects (id, workspace_id, owner_id, name) values ('proj', 'ws', '${owner}', 'F')`);
api.$client.exec("insert into scenes (id, project_id, scene_code) values ('scene', 'proj', '001')");
api.$client.exec(
  `insert into platforms (id, slug, name, provider, specialties, supported_output)
   values ('plat', 'openai-sora', 'OpenAI Sora', 'OpenAI', '[]', '[]')`,
);

/** Files a version with this body's hash on `db` and notes it in that connection's index, as an ingest does. */
function file_(db: DbHandle, user: string, sha256: string, createdAt: string): string {
  const id = `asset_${String(++seq).padStart(4, "0")}`;
  const { rowid } = db.$client
    .prepare<unknown[], { rowid: number }>(
      `insert into asset_versions (id, project_id, scene_id, platform_id, asset_type, version_number, prompt, tags,
         created_by, created_at, body_sha256)
       values (?, 'proj', 'scene', 'plat', 'VIDEO', ?, 'p', '[]', ?, ?, ?) returning rowid`,
    )
    .get(id, seq, user, createdAt, sha256)!;
  indexFiledBody(db, sha256, rowid, createdAt);
  return id;
}

describe("the duplicate guard's index by body hash", () => {
  it("finds what another connection filed, and what this one filed, by the full hash", () => {
    const user = createUser(api, { name: "guard" }).id;
    const body = sha("capture one");
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();
    const fromOther = file_(other, user, body, "2026-05-01T10:00:00.000Z");
    expect(findFiledBody(api, user, body, LONG_AGO)).toEqual({
      versionId: fromOther,
      versionNumber: seq,
      platformKey: "openai-sora",
      platformLabel: "OpenAI Sora",
      promptPackageId: null,
      createdAt: "2026-05-01T10:00:00.000Z",
    });
    const fromApi = file_(api, user, body, "2026-05-01T11:00:00.000Z");
    expect(findFiledBody(api, user, body, LONG_AGO)?.versionId).toBe(fromApi);
    expect(findFiledBody(other, user, body, LONG_AGO)?.versionId).toBe(fromApi);
    // A body sharing the 48-bit prefix but not the hash is another body, filed or not.
    const twin = `${body.slice(0, 12)}${"0".repeat(52)}`;
    expect(findFiledBody(api, user, twin, LONG_AGO)).toBeUndefined();
    const twinVersion = file_(other, user, twin, "2026-05-01T11:30:00.000Z");
    expect(findFiledBody(api, user, twin, LONG_AGO)?.versionId).toBe(twinVersion);
    expect(findFiledBody(api, user, body, LONG_AGO)?.versionId).toBe(fromApi);
    expect(findFiledBody(api, createUser(api, { name: "someone else" }).id, body, LONG_AGO)).toBeUndefined();
    // Only filings after `since` count.
    expect(findFiledBody(api, user, body, "2026-05-01T11:00:00.000Z")).toBeUndefined();
  });

  it("asks SQLite what other connections filed once per write batch, and again in the next batch", async () => {
    const user = createUser(api, { name: "batches" }).id;
    const [first, second] = [sha("batch one"), sha("batch two")];
    const batcher = new WriteBatcher(api);
    // While a batch holds the write lock no other connection can file: its first lookup reads them in for all.
    // Counted at the index's `PRAGMA data_version` statement.
    const ask = vi.spyOn((bodyIndex(api) as unknown as { version: { get: () => unknown } }).version, "get");
    const inOneBatch = await Promise.all(
      [first, second, first].map((body) =>
        batcher.run((scope) => findFiledBody(api, user, body, LONG_AGO, scope.batchId)),
      ),
    );
    expect(inOneBatch).toEqual([undefined, undefined, undefined]);
    expect(ask).toHaveBeenCalledTimes(1);
    // Filed by the other connection between two batches: the next batch finds it.
    const filed = file_(other, user, second, "2026-05-02T10:00:00.000Z");
    const next = await batcher.run((scope) => findFiledBody(api, user, second, LONG_AGO, scope.batchId));
    expect(next?.versionId).toBe(filed);
    expect(ask).toHaveBeenCalledTimes(2);
    ask.mockRestore();
  });

  it("answers nothing for a version rolled back with its capture, deleted, forgotten, or gone with an emptied table", () => {
    const user = createUser(api, { name: "rollbacks" }).id;
    const body = sha("capture two");
    api.$client.exec("savepoint capture");
    file_(api, user, body, "2026-05-02T10:00:00.000Z");
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeDefined();
    api.$client.exec("rollback to capture; release capture");
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();

    const deleted = file_(api, user, body, "2026-05-02T10:30:00.000Z");
    api.$client.prepare("delete from asset_versions where id = ?").run(deleted);
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();

    // Pruning forgets the index entries filed before the window's minute: the row stays, the guard no longer
    // finds it.
    const old = sha("an old capture");
    const newer = sha("a newer capture");
    file_(api, user, old, "2026-05-02T10:31:00.000Z");
    file_(api, user, newer, "2026-05-02T10:45:00.000Z");
    expect(findFiledBody(api, user, old, LONG_AGO)).toBeDefined();
    pruneIdempotency(api, "2026-05-02T10:40:00.000Z", LONG_AGO);
    // The window starts within the minute of the newer filing's mark only at 10:45: nothing before it goes yet.
    expect(findFiledBody(api, user, old, LONG_AGO)).toBeDefined();
    pruneIdempotency(api, "2026-05-02T10:46:00.000Z", LONG_AGO);
    expect(findFiledBody(api, user, old, LONG_AGO)).toBeUndefined();
    expect(findFiledBody(api, user, newer, LONG_AGO)).toBeDefined();

    // Emptied by another connection, then filled again from rowid 1: read in again, not skipped.
    file_(api, user, body, "2026-05-02T11:00:00.000Z");
    expect(findFiledBody(other, user, body, LONG_AGO)).toBeDefined();
    other.$client.exec("delete from asset_versions");
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();
    const after = file_(other, user, body, "2026-05-02T12:00:00.000Z");
    expect(findFiledBody(api, user, body, LONG_AGO)?.versionId).toBe(after);
  });

  it("reads in only the window on a connection's first look", () => {
    const third = openDatabase(file);
    try {
      const user = createUser(api, { name: "window" }).id;
      const inWindow = sha("in the window");
      const before = sha("before the window");
      file_(api, user, before, "2026-05-03T08:00:00.000Z");
      const id = file_(api, user, inWindow, "2026-05-03T10:00:00.000Z");
      expect(findFiledBody(third, user, inWindow, "2026-05-03T09:00:00.000Z")?.versionId).toBe(id);
      // The older version was never read in: even a wider window does not find it on this connection.
      expect(findFiledBody(third, user, before, LONG_AGO)).toBeUndefined();
      expect(bodyIndex(third).rowidsOf(Number.parseInt(before.slice(0, 12), 16), LONG_AGO)).toEqual([]);
    } finally {
      third.$client.close();
    }
  });

  it("keeps no table index by body hash on SQLite", () => {
    const indexes = api.$client
      .prepare<[], { name: string; sql: string | null }>("select name, sql from sqlite_master where type = 'index'")
      .all();
    expect(indexes.filter((i) => /body/i.test(`${i.name} ${i.sql ?? ""}`))).toEqual([]);
    const columns = api.$client.pragma("table_info(idempotency_keys)") as { name: string }[];
    expect(columns.map((c) => c.name)).not.toContain("body_hash");
  });
});
