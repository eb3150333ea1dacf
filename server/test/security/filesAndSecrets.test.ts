/** Issue 9, item 7: a private data folder, and a first-start token that never lands in a log. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { announceFirstStart, FIRST_START_TOKEN_FILE } from "../../src/firstStart.js";
import { tightenDataDir } from "../../src/storage/permissions.js";

const mode = (path: string) => statSync(path).mode & 0o777;
const scratch = mkdtempSync(join(tmpdir(), "dailies-perms-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("data folder permissions", () => {
  it("tightens an existing 0755/0644 install on start and creates new files owner-only", async () => {
    const dataDir = join(scratch, "old-install");
    mkdirSync(join(dataDir, "media", "ab"), { recursive: true });
    writeFileSync(join(dataDir, "media", "ab", "x.mp4"), "x");
    writeFileSync(join(dataDir, "signing.key"), "k");
    chmodSync(join(dataDir, "media", "ab", "x.mp4"), 0o644);
    chmodSync(join(dataDir, "signing.key"), 0o644);
    for (const d of [dataDir, join(dataDir, "media"), join(dataDir, "media", "ab")]) chmodSync(d, 0o755);

    const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "silent" }), {
      logger: false,
      startWorker: false,
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, "media", "ab"))).toBe(0o700);
      expect(mode(join(dataDir, "media", "ab", "x.mp4"))).toBe(0o600);
      expect(mode(join(dataDir, "signing.key"))).toBe(0o600);
      // Created by this start: the database (and its WAL) and a fresh folder.
      expect(mode(join(dataDir, "dailies.sqlite"))).toBe(0o600);
      const tmp = await app.deps.files.dir("tmp");
      expect(mode(tmp)).toBe(0o700);
      writeFileSync(join(tmp, "new"), "n");
      expect(mode(join(tmp, "new"))).toBe(0o600);
    } finally {
      await app.close();
    }
    expect(tightenDataDir(dataDir)).toBe(0);
  });
});

describe("first-start token", () => {
  it("is printed on a terminal", () => {
    let text = "";
    const where = announceFirstStart("dly_secret", scratch, { isTTY: true, write: (t) => (text += t) });
    expect(where).toEqual({ printed: true });
    expect(text).toContain("dly_secret");
  });

  it("goes to a 0600 file whose path is printed when stdout is not a terminal", () => {
    let text = "";
    const where = announceFirstStart("dly_secret", scratch, { isTTY: false, write: (t) => (text += t) });
    const file = join(scratch, FIRST_START_TOKEN_FILE);
    expect(where).toEqual({ file });
    expect(text).not.toContain("dly_secret");
    expect(text).toContain(file);
    expect(readFileSync(file, "utf8").trim()).toBe("dly_secret");
    expect(mode(file)).toBe(0o600);
  });
});
