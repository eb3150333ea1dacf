// Migration 0011 moves the duplicate guard from records of its own (idempotency_keys, route `ingest-body`) onto
// the versions they filed (asset_versions.body_sha256). A database from before it keeps its guard: a re-send
// within the window is still answered as a duplicate after the upgrade, and Idempotency-Key answers stay.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { findFiledBody, findIdempotent } from "../../src/repositories/idempotency.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-guard-migration-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The committed migrations up to and including `last`, as a folder drizzle can apply. */
function migrationsUpTo(last: string): string {
  const folder = join(dir, "migrations");
  cpSync(fileURLToPath(new URL("../../src/db/migrations", import.meta.url)), folder, { recursive: true });
  const journalFile = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
  const end = journal.entries.findIndex((e) => e.tag.startsWith(last));
  expect(end).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, end + 1) }));
  return folder;
}

describe("migration 0011: the duplicate guard onto its versions", () => {
  it("moves the guard's records onto their versions and keeps Idempotency-Key answers", () => {
    const file = join(dir, "old.sqlite");
    const old = new Database(file);
    old.pragma("foreign_keys = ON");
    migrate(drizzle(old), { migrationsFolder: migrationsUpTo("0010") });
    const sha = "ab".repeat(32);
    const filedAt = new Date(Date.now() - 3600_000).toISOString();
    old.exec(`
      insert into users (id, name) values ('user_1', 'Ada'), ('user_2', 'Bo');
      insert into workspaces (id, name, owner_id, personal) values ('ws', 'W', 'user_1', 1);
      insert into projects (id, workspace_id, owner_id, name) values ('proj', 'ws', 'user_1', 'F');
      insert into scenes (id, project_id, scene_code) values ('scene', 'proj', '001');
      insert into platforms (id, slug, name, provider, specialties, supported_output)
        values ('plat', 'runway', 'Runway', 'Runway', '[]', '[]');
      insert into asset_versions (id, project_id, scene_id, platform_id, asset_type, version_number, prompt, tags,
          platform_label, created_by, created_at)
        values ('asset_guarded', 'proj', 'scene', 'plat', 'VIDEO', 1, 'p', '[]', 'Runway Gen-4', 'user_1', '${filedAt}'),
               ('asset_plain', 'proj', 'scene', 'plat', 'VIDEO', 2, 'p', '[]', null, 'user_1', '${filedAt}');
      insert into idempotency_keys (user_id, route, key, status_code, response, body_hash, created_at)
        values ('user_1', 'ingest-body', 'asset_guarded', 200,
                '{"sha256":"${sha}","versionNumber":1,"platformKey":"runway","platformLabel":"Runway Gen-4","promptPackageId":null}',
                ${Number.parseInt(sha.slice(0, 12), 16)}, '${filedAt}'),
               ('user_2', 'ingest-body', 'asset_gone', 200, '{"sha256":"${"cd".repeat(32)}"}', 1, '${filedAt}'),
               ('user_1', 'ingest', 'retry-1', 200, '{"fingerprint":"f","body":{"ok":true}}', null, '${filedAt}');
    `);
    old.close();

    const db = openDatabase(file);
    try {
      const versions = db.$client.prepare("select id, body_sha256 as sha256 from asset_versions order by id").all() as {
        id: string;
        sha256: string | null;
      }[];
      expect(versions).toEqual([
        { id: "asset_guarded", sha256: sha },
        { id: "asset_plain", sha256: null },
      ]);
      const keys = db.$client.prepare("select route, key from idempotency_keys").all();
      expect(keys).toEqual([{ route: "ingest", key: "retry-1" }]);
      const since = new Date(Date.now() - 24 * 3600_000).toISOString();
      expect(findFiledBody(db, "user_1", sha, since)).toEqual({
        versionId: "asset_guarded",
        versionNumber: 1,
        platformKey: "runway",
        platformLabel: "Runway Gen-4",
        promptPackageId: null,
        createdAt: filedAt,
      });
      expect(findFiledBody(db, "user_2", sha, since)).toBeUndefined();
      expect(findIdempotent(db, "user_1", "ingest", "retry-1")).toEqual({
        statusCode: 200,
        response: { fingerprint: "f", body: { ok: true } },
      });
    } finally {
      db.$client.close();
    }
  });
});
