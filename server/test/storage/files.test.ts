/**
 * The data folder's one door (issue 10): atomic writes leave no scratch file, one scratch-name scheme,
 * content-addressed puts store identical bytes once, and removal of what is already gone is fine.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FileStore,
  fileInfo,
  isNonEmptyFile,
  isScratchName,
  listFiles,
  readBytes,
  removeFiles,
  scratchName,
  scratchSibling,
  writeAtomic,
} from "../../src/storage/files.js";

let dir: string;
let store: FileStore;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-storage-"));
  store = new FileStore(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("scratch names", () => {
  it("are hidden, unique and keep the suffix (ffmpeg picks the muxer from it)", () => {
    const a = scratchName("clip", ".mp4");
    expect(a).toMatch(/^\.clip\.[0-9a-f]{12}\.tmp\.mp4$/);
    expect(scratchName("clip", ".mp4")).not.toBe(a);
    const sibling = scratchSibling("/data/renders/ab/key.mp4");
    expect(path.dirname(sibling)).toBe("/data/renders/ab");
    expect(path.basename(sibling)).toMatch(/^\.key\.[0-9a-f]{12}\.tmp\.mp4$/);
  });

  it("tempPath is one of them under tmp/", async () => {
    const temp = await store.tempPath(".upload");
    expect(path.dirname(temp)).toBe(path.join(dir, "tmp"));
    expect(path.basename(temp)).toMatch(/^\.work\.[0-9a-f]{12}\.tmp\.upload$/);
  });
});

describe("writes and reads", () => {
  it("writes atomically, replacing the whole file, and leaves no scratch file", async () => {
    const file = path.join(dir, "exports", "a.txt");
    await writeAtomic(file, "first");
    await writeAtomic(file, new Uint8Array([104, 105]));
    expect(await readFile(file, "utf8")).toBe("hi");
    expect(await readdir(path.dirname(file))).toEqual(["a.txt"]);
    expect(await readBytes(file)).toEqual(new Uint8Array([104, 105]));
    expect(await fileInfo(file)).toMatchObject({ bytes: 2 });
    expect(await isNonEmptyFile(file)).toBe(true);
    expect(await fileInfo(path.join(dir, "missing"))).toBeNull();
    expect(await isNonEmptyFile(path.dirname(file))).toBe(false);
  });

  it("lists files recursively, and none for a missing folder", async () => {
    await writeAtomic(path.join(dir, "frames", "ab", "x.jpg"), "x");
    expect(await listFiles(path.join(dir, "frames"))).toEqual([path.join(dir, "frames", "ab", "x.jpg")]);
    expect(await listFiles(path.join(dir, "nowhere"))).toEqual([]);
  });
});

describe("content-addressed store", () => {
  it("puts bytes under media/<2>/<sha256>.<ext> once, and removes by relative path", async () => {
    const bytes = new TextEncoder().encode("same bytes");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const first = await store.put(bytes, "image/png");
    expect(first).toEqual({ rel: path.join("media", sha256.slice(0, 2), `${sha256}.png`), sha256, bytes: 10 });
    const scratch = await store.tempPath(".img");
    await writeFile(scratch, bytes);
    const again = await store.putFile(scratch, "image/png");
    expect(again.rel).toBe(first.rel);
    expect(await fileInfo(scratch)).toBeNull();
    expect(await readdir(path.join(dir, "tmp"))).toEqual([]);
    await store.remove(first.rel);
    expect(await fileInfo(store.absolute(first.rel))).toBeNull();
    await removeFiles(store.absolute(first.rel));
  });
});

describe("stale scratch files", () => {
  it("removes scratch files unchanged for longer than the limit, and nothing else", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dailies-scratch-"));
    try {
      const store = new FileStore(dir);
      const renders = await store.dir("renders");
      const old = path.join(renders, scratchName("part", ".mp4"));
      const fresh = path.join(renders, scratchName("part", ".mp4"));
      const finished = path.join(renders, "abc123.mp4");
      const tmpOld = path.join(await store.dir("tmp"), scratchName("work"));
      for (const f of [old, fresh, finished, tmpOld]) writeFileSync(f, "x".repeat(10));
      const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
      for (const f of [old, finished, tmpOld]) utimesSync(f, dayAgo, dayAgo);

      expect(await store.removeStaleScratch(24 * 3600 * 1000)).toEqual({ files: 2, bytes: 20 });
      expect(existsSync(old)).toBe(false);
      expect(existsSync(tmpOld)).toBe(false);
      // Live work (recently written) and finished files stay, however old.
      expect(existsSync(fresh)).toBe(true);
      expect(existsSync(finished)).toBe(true);
      expect(isScratchName("abc123.mp4")).toBe(false);
      expect(isScratchName(".part.0123456789ab.tmp.mp4")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
