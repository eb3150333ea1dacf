/**
 * The leased cache on its own (objectCache.ts), with fills that write real files: the races around
 * abandoned and failed downloads that the bucket tests cannot time precisely.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FillFn, keyOfCopy, LeasedFileCache } from "../../src/storage/objectCache.js";

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "dailies-cache-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshCache(maxBytes: number): Promise<LeasedFileCache> {
  const cache = new LeasedFileCache(path.join(root, `c${++n}`), maxBytes);
  await cache.init();
  return cache;
}

/** A fill that waits for `gate` (or the abort signal) before writing `content`. */
function gatedFill(content: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let calls = 0;
  const fill: FillFn = async (file, signal) => {
    calls++;
    await writeFile(file, content.slice(0, 1));
    await new Promise<void>((resolve, reject) => {
      const abort = () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
      if (signal.aborted) return abort();
      gate.then(resolve);
      signal.addEventListener("abort", abort);
    });
    await writeFile(file, content);
  };
  return { fill, open, calls: () => calls };
}

const files = async (cache: LeasedFileCache) =>
  (await readdir(cache.dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);

describe("LeasedFileCache", () => {
  it("starts a fresh download for a caller arriving after every earlier caller gave up", async () => {
    const cache = await freshCache(1000);
    const first = gatedFill("first");
    const quitter = new AbortController();
    const gaveUp = cache.acquire("media/aa/a.mp4", first.fill, quitter.signal).catch((e: Error) => e.name);
    quitter.abort();
    const second = gatedFill("second");
    const late = cache.acquire("media/aa/a.mp4", second.fill);
    second.open();
    const lease = await late;
    expect(await gaveUp).toBe("AbortError");
    expect(await readFile(lease.path, "utf8")).toBe("second");
    expect(second.calls()).toBe(1);
    lease.release();
    // The abandoned download's scratch file goes too; only the finished copy stays.
    for (let i = 0; i < 50 && (await files(cache)).length > 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await files(cache)).toEqual([path.basename(lease.path)]);
  });

  it("rejects every waiter of a failed download and keeps no file", async () => {
    const cache = await freshCache(1000);
    const failing: FillFn = async (file) => {
      await writeFile(file, "half");
      throw new Error("connection reset");
    };
    const results = await Promise.allSettled([
      cache.acquire("media/bb/b.mp4", failing),
      cache.acquire("media/bb/b.mp4", failing),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await files(cache)).toEqual([]);
    expect(cache.stats()).toMatchObject({ files: 0, bytes: 0, downloads: 1 });
  });

  it("keeps a copy bigger than the cap while leased, and drops it on release", async () => {
    const cache = await freshCache(3);
    const lease = await cache.acquire("renders/cc/big.mp4", async (file) => writeFile(file, "0123456789"));
    expect(await readFile(lease.path, "utf8")).toBe("0123456789");
    lease.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(await files(cache)).toEqual([]);
  });

  it("maps copy file names back to keys and ignores strays", () => {
    expect(keyOfCopy(path.join("media", "ab", "mk3f9a2b~abc.mp4"))).toBe("media/ab/abc.mp4");
    expect(keyOfCopy(path.join("media", "ab", "abc.mp4"))).toBeNull();
    expect(keyOfCopy("~x")).toBeNull();
  });
});
