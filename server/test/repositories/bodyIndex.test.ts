/**
 * The duplicate guard's in-memory index on SQLite (repositories/bodyIndex.ts): what one connection files, another
 * connection on the same file (another process in a role) finds; pruned, emptied and rolled-back records are
 * never answered; and the table keeps no index by body hash.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import {
  type FiledBody,
  findFiledBody,
  pruneIdempotency,
  rememberFiledBody,
} from "../../src/repositories/idempotency.js";
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
const filing = (versionId: string, createdAt: string): FiledBody => ({
  versionId,
  versionNumber: 1,
  platformKey: "openai-sora",
  platformLabel: "Sora",
  promptPackageId: null,
  createdAt,
});
const LONG_AGO = "2000-01-01T00:00:00.000Z";

describe("the duplicate guard's index by body hash", () => {
  it("finds what another connection filed, and what this one filed, by the full hash", () => {
    const user = createUser(api, { name: "guard" }).id;
    const body = sha("capture one");
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();
    rememberFiledBody(other, user, body, filing("asset_from_other", "2026-05-01T10:00:00.000Z"));
    expect(findFiledBody(api, user, body, LONG_AGO)).toEqual(filing("asset_from_other", "2026-05-01T10:00:00.000Z"));
    rememberFiledBody(api, user, body, filing("asset_from_api", "2026-05-01T11:00:00.000Z"));
    expect(findFiledBody(api, user, body, LONG_AGO)?.versionId).toBe("asset_from_api");
    expect(findFiledBody(other, user, body, LONG_AGO)?.versionId).toBe("asset_from_api");
    // A body sharing the 48-bit prefix but not the hash is another body.
    const twin = `${body.slice(0, 12)}${"0".repeat(52)}`;
    expect(findFiledBody(api, user, twin, LONG_AGO)).toBeUndefined();
    expect(findFiledBody(api, createUser(api, { name: "someone else" }).id, body, LONG_AGO)).toBeUndefined();
  });

  it("answers nothing for a record rolled back with its capture, pruned, or gone with an emptied table", () => {
    const user = createUser(api, { name: "rollbacks" }).id;
    const body = sha("capture two");
    api.$client.exec("savepoint capture");
    rememberFiledBody(api, user, body, filing("asset_rolled_back", "2026-05-02T10:00:00.000Z"));
    expect(findFiledBody(api, user, body, LONG_AGO)?.versionId).toBe("asset_rolled_back");
    api.$client.exec("rollback to capture; release capture");
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();

    rememberFiledBody(api, user, body, filing("asset_old", "2001-01-01T00:00:00.000Z"));
    expect(pruneIdempotency(api, "2002-01-01T00:00:00.000Z", LONG_AGO).bodies).toBeGreaterThanOrEqual(1);
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();

    // Emptied by another connection, then filled again from rowid 1: read in again, not skipped.
    rememberFiledBody(api, user, body, filing("asset_before_empty", "2026-05-02T11:00:00.000Z"));
    expect(findFiledBody(other, user, body, LONG_AGO)?.versionId).toBe("asset_before_empty");
    other.$client.exec("delete from idempotency_keys");
    expect(findFiledBody(api, user, body, LONG_AGO)).toBeUndefined();
    rememberFiledBody(other, user, body, filing("asset_after_empty", "2026-05-02T12:00:00.000Z"));
    expect(findFiledBody(api, user, body, LONG_AGO)?.versionId).toBe("asset_after_empty");
  });

  it("keeps no table index by body hash on SQLite (migration 0010)", () => {
    const indexes = api.$client
      .prepare<[string], { name: string }>("select name from sqlite_master where type = 'index' and tbl_name = ?")
      .all("idempotency_keys")
      .map((r) => r.name);
    expect(indexes).not.toContain("idempotency_keys_body");
  });
});
