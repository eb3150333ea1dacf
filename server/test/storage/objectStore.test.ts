/**
 * One contract, two backends (issue 15): the data folder and an S3-compatible bucket (s3rver on a free
 * port) answer put/read/range/head/remove/list, content addressing and local paths the same way.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../src/storage/localObjectStore.js";
import {
  contentKey,
  InvalidKeyError,
  ObjectMissingError,
  type ObjectStore,
  ObjectTooLargeError,
  withLocalPath,
} from "../../src/storage/objectStore.js";
import { S3ObjectStore } from "../../src/storage/s3ObjectStore.js";
import { S3RVER_KEY, startS3, type TestS3 } from "../helpers/s3.js";

interface Backend {
  store: ObjectStore;
  dataDir: string;
  close(): Promise<void>;
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

async function localBackend(): Promise<Backend> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "dailies-objects-"));
  return { store: new LocalObjectStore(dataDir), dataDir, close: () => rm(dataDir, { recursive: true, force: true }) };
}

let buckets = 0;
async function s3Backend(): Promise<Backend> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "dailies-objects-"));
  const bucket = `contract-${++buckets}`;
  await s3.createBucket(bucket);
  const store = new S3ObjectStore({
    bucket,
    prefix: "team/media",
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
    cacheDir: path.join(dataDir, "object-cache"),
    cacheMaxBytes: 1024 ** 2,
    dataDir,
    presignTtlSeconds: 600,
    partSizeBytes: 5 * 1024 ** 2,
  });
  return {
    store,
    dataDir,
    close: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe.each([
  ["data folder", localBackend],
  ["S3 bucket", s3Backend],
])("ObjectStore contract: %s", (_name, make) => {
  let backend: Backend;
  let store: ObjectStore;
  beforeAll(async () => {
    backend = await make();
    store = backend.store;
    await store.check();
  });
  afterAll(async () => {
    await backend?.close();
  });

  it("puts bytes content-addressed and reads, heads and removes them", async () => {
    const bytes = randomBytes(3000);
    const stored = await store.put(bytes, "video/mp4");
    expect(stored).toEqual({ key: contentKey(sha(bytes), "video/mp4"), sha256: sha(bytes), bytes: 3000 });
    expect(stored.key).toMatch(/^media\/[0-9a-f]{2}\/[0-9a-f]{64}\.mp4$/);
    expect((await store.head(stored.key))?.bytes).toBe(3000);
    expect(Buffer.from(await store.readBytes(stored.key)).equals(bytes)).toBe(true);
    await store.remove(stored.key);
    expect(await store.head(stored.key)).toBeNull();
    await expect(store.readBytes(stored.key)).rejects.toBeInstanceOf(ObjectMissingError);
    await expect(store.readStream(stored.key)).rejects.toBeInstanceOf(ObjectMissingError);
    await expect(store.localPath(stored.key)).rejects.toBeInstanceOf(ObjectMissingError);
    await store.remove(stored.key); // already gone: fine
  });

  it("stores the same bytes once, whether given as bytes or as a file", async () => {
    const bytes = randomBytes(2048);
    const first = await store.put(bytes, "image/png");
    const second = await store.put(bytes, "image/png");
    const file = await store.tempPath(".png");
    await writeFile(file, bytes);
    const third = await store.putFile(file, "image/png");
    expect(second.key).toBe(first.key);
    expect(third.key).toBe(first.key);
    await expect(readFile(file)).rejects.toThrow(); // consumed
    const listed = await store.list(`media/${first.sha256.slice(0, 2)}/`);
    expect(listed.filter((o) => o.key === first.key)).toHaveLength(1);
    // A hash the caller computed while writing is taken as given.
    const fresh = randomBytes(777);
    const hashed = await store.tempPath();
    await writeFile(hashed, fresh);
    const known = await store.putFile(hashed, "image/png", sha(fresh));
    expect(known).toEqual({ key: contentKey(sha(fresh), "image/png"), sha256: sha(fresh), bytes: 777 });
    expect(Buffer.from(await store.readBytes(known.key)).equals(fresh)).toBe(true);
  });

  it("lists only stored objects, not the database, keys or work in progress", async () => {
    await writeFile(path.join(backend.dataDir, "dailies.db"), "not media");
    await store.tempPath(".mp4").then((f) => writeFile(f, "in progress"));
    const keys = (await store.list("")).map((o) => o.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => /^(media|renders|exports|uploads)\//.test(k))).toBe(true);
  });

  it("reads a byte range", async () => {
    const bytes = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz");
    const { key } = await store.put(bytes, null);
    expect(key.endsWith(".bin")).toBe(true);
    expect(await text(await store.readStream(key, { start: 10, end: 19 }))).toBe("abcdefghij");
    expect(await text(await store.readStream(key, { start: 30, end: 35 }))).toBe("uvwxyz");
    expect(await text(await store.readStream(key))).toBe(bytes.toString());
  });

  it("stores derived files under their own keys and lists by prefix", async () => {
    for (const key of ["renders/ab/part1.mp4", "renders/ab/part2.mp4", "renders/cd/part3.mp4", "exports/e1.mp4"]) {
      const file = await store.tempPath(".mp4");
      await writeFile(file, key);
      expect(await store.putFileAs(key, file, "video/mp4")).toEqual({ key, bytes: key.length });
      await expect(readFile(file)).rejects.toThrow();
    }
    expect((await store.list("renders/")).map((o) => o.key)).toEqual([
      "renders/ab/part1.mp4",
      "renders/ab/part2.mp4",
      "renders/cd/part3.mp4",
    ]);
    expect((await store.list("renders/ab/part2")).map((o) => o.key)).toEqual(["renders/ab/part2.mp4"]);
    expect(await store.list("nothing/")).toEqual([]);
    const [listed] = await store.list("exports/");
    expect(listed?.bytes).toBe("exports/e1.mp4".length);
    expect(listed?.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // A new file under the same key replaces it.
    const file = await store.tempPath(".mp4");
    await writeFile(file, "replaced");
    await store.putFileAs("exports/e1.mp4", file);
    expect(Buffer.from(await store.readBytes("exports/e1.mp4")).toString()).toBe("replaced");
  });

  it("moves a staged upload to its content address", async () => {
    const bytes = randomBytes(5000);
    const file = await store.tempPath();
    await writeFile(file, bytes);
    await store.putFileAs("uploads/media_staged1", file);
    const adopted = await store.adoptStaged("uploads/media_staged1", "video/webm");
    expect(adopted).toEqual({ key: contentKey(sha(bytes), "video/webm"), sha256: sha(bytes), bytes: 5000 });
    expect(await store.head("uploads/media_staged1")).toBeNull();
    expect(Buffer.from(await store.readBytes(adopted.key)).equals(bytes)).toBe(true);
    await expect(store.adoptStaged("uploads/media_missing", null)).rejects.toBeInstanceOf(ObjectMissingError);
    const big = await store.tempPath();
    await writeFile(big, randomBytes(2000));
    await store.putFileAs("uploads/media_big", big);
    await expect(store.adoptStaged("uploads/media_big", null, { maxBytes: 1999 })).rejects.toBeInstanceOf(
      ObjectTooLargeError,
    );
    expect(await store.head("uploads/media_big")).toBeNull();
  });

  it("hands ffmpeg a local path with the object's bytes", async () => {
    const bytes = randomBytes(4096);
    const { key } = await store.put(bytes, "video/mp4");
    const lease = await store.localPath(key);
    expect(path.isAbsolute(lease.path)).toBe(true);
    expect(lease.path.endsWith(".mp4")).toBe(true);
    expect((await readFile(lease.path)).equals(bytes)).toBe(true);
    lease.release();
    lease.release(); // idempotent
    const size = await withLocalPath(store, key, async (file) => (await readFile(file)).length);
    expect(size).toBe(4096);
    await expect(
      withLocalPath(store, key, async () => {
        throw new Error("ffmpeg failed");
      }),
    ).rejects.toThrow("ffmpeg failed");
  });

  it("refuses keys that could leave the store", async () => {
    for (const key of ["../etc/passwd", "/abs/file", "media//x", ".hidden/x", "media/./x", "", "a\\b"]) {
      await expect(store.head(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.readBytes(key)).rejects.toBeInstanceOf(InvalidKeyError);
    }
    await expect(store.remove("../x")).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it("presigns links only where a bucket serves them", async () => {
    const { key } = await store.put(randomBytes(10), null);
    const get = await store.presignGet(key);
    const put = await store.presignPut("uploads/media_direct", { contentType: "video/mp4" });
    if (store.kind === "local") {
      expect(get).toBeNull(); // the API's own /media/:id links serve the data folder
      expect(put).toBeNull(); // uploads keep the /uploads/:id route
    } else {
      expect(get).toMatch(/X-Amz-Signature=/);
      expect(put?.url).toMatch(/X-Amz-Signature=/);
    }
  });
});
