// PostgreSQL migration 0006 moves the duplicate guard's records (idempotency_keys, route `ingest-body`) onto the
// versions they filed (asset_versions.body_sha256), as SQLite's 0011 does: run here on real rows, statement by
// statement, on a database built by the migrations before it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgMigrationsFolder } from "../../src/db/pg/migrate.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

const journal = JSON.parse(readFileSync(join(pgMigrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};
const statements = (tag: string) =>
  readFileSync(join(pgMigrationsFolder, `${tag}.sql`), "utf8")
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter(Boolean);

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on("error", () => {});
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe("PostgreSQL migration 0006: the duplicate guard onto its versions", () => {
  it("moves the records' hashes onto their versions, drops the records, and keeps key answers", async () => {
    const target = journal.entries.findIndex((e) => e.tag.startsWith("0006_"));
    expect(target).toBeGreaterThan(0);
    for (const entry of journal.entries.slice(0, target))
      for (const sql of statements(entry.tag)) await pool.query(sql);

    const sha = "ab".repeat(32);
    await pool.query(`
      insert into users (id, name) values ('user_1', 'Ada');
      insert into workspaces (id, name, owner_id, personal) values ('ws', 'W', 'user_1', true);
      insert into projects (id, workspace_id, owner_id, name) values ('proj', 'ws', 'user_1', 'F');
      insert into scenes (id, project_id, scene_code) values ('scene', 'proj', '001');
      insert into platforms (id, slug, name, provider, specialties, supported_output)
        values ('plat', 'runway', 'Runway', 'Runway', '[]', '[]');
      insert into asset_versions (id, project_id, scene_id, platform_id, asset_type, version_number, prompt, tags, created_by)
        values ('asset_guarded', 'proj', 'scene', 'plat', 'VIDEO', 1, 'p', '[]', 'user_1'),
               ('asset_plain', 'proj', 'scene', 'plat', 'VIDEO', 2, 'p', '[]', 'user_1');
      insert into idempotency_keys (user_id, route, key, status_code, response, body_hash)
        values ('user_1', 'ingest-body', 'asset_guarded', 200, '{"sha256":"${sha}","versionNumber":1}', 1),
               ('user_1', 'ingest-body', 'asset_gone', 200, '{"sha256":"${"cd".repeat(32)}"}', 2),
               ('user_1', 'ingest', 'retry-1', 200, '{"ok":true}', null);
    `);
    for (const sql of statements(journal.entries[target]!.tag)) await pool.query(sql);

    const versions = await pool.query("select id, body_sha256 from asset_versions order by id");
    expect(versions.rows).toEqual([
      { id: "asset_guarded", body_sha256: sha },
      { id: "asset_plain", body_sha256: null },
    ]);
    const keys = await pool.query("select route, key from idempotency_keys");
    expect(keys.rows).toEqual([{ route: "ingest", key: "retry-1" }]);
    const columns = await pool.query(
      "select column_name from information_schema.columns where table_name = 'idempotency_keys' order by column_name",
    );
    expect(columns.rows.map((r) => r.column_name)).not.toContain("body_hash");
    const indexes = await pool.query("select indexname from pg_indexes where tablename = 'asset_versions'");
    expect(indexes.rows.map((r) => r.indexname)).toContain("asset_versions_body");
  });
});
