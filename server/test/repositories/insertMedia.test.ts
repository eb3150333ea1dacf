/**
 * insertMedia answers the row as stored, whether it runs prepared on the root database (the mirror path) or
 * through the query builder inside a transaction: schema defaults filled, booleans and nulls kept.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { newId } from "../../src/ids.js";
import { findMedia, insertMedia } from "../../src/repositories/media.js";

const dir = mkdtempSync(join(tmpdir(), "dailies-repo-insert-media-"));
const db = openDatabase(join(dir, "db.sqlite"));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("insertMedia", () => {
  it("returns what a read gives back, prepared or in a transaction", () => {
    const cases = [
      { origin: "mirror" as const, sha256: "ab".repeat(32), path: "media/ab/x.mp4", bytes: 1234, mime: "video/mp4" },
      { origin: "mirror" as const, kind: "video" as const, durationSec: 4.5, width: 64, height: 36, hasAudio: true },
      { origin: "upload" as const, status: "pending" as const, kind: "image" as const, hasAudio: false },
      { origin: "render" as const, hasAudio: undefined, fileName: "take.mov", error: null },
    ];
    for (const values of cases) {
      const prepared = insertMedia(db, { id: newId("media"), ...values });
      const built = db.transaction((tx) => insertMedia(tx, { id: newId("media"), ...values }));
      for (const row of [prepared, built]) expect(row).toEqual(findMedia(db, row.id));
      expect({ ...prepared, id: "", createdAt: "" }).toEqual({ ...built, id: "", createdAt: "" });
      expect(prepared.status).toBe(values.status ?? "ready");
      expect(prepared.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });
});
