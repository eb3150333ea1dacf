/**
 * What only a bucket does (issue 15), against s3rver on a free port: multipart uploads, presigned GET with
 * Range and presigned PUT through real fetch, the leased local cache ffmpeg reads from (one download for
 * concurrent callers, LRU eviction, leased copies kept, nothing left by a cut or abandoned download), and S3
 * failures explained in terms of settings.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectMissingError, StorageError } from "../../src/storage/objectStore.js";
import { S3ObjectStore, type S3StoreOptions } from "../../src/storage/s3ObjectStore.js";
import { S3RVER_KEY, startS3, startSpoilingProxy, type TestS3 } from "../helpers/s3.js";
import { until } from "../helpers/wait.js";

const untilSoon = (check: () => Promise<boolean>, what: string) => until(check, what, 2_000);

let s3: TestS3;
const dirs: string[] = [];
const stores: S3ObjectStore[] = [];
let buckets = 0;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await s3?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function makeStore(overrides: Partial<S3StoreOptions> = {}): Promise<S3ObjectStore> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "dailies-s3store-"));
  dirs.push(dataDir);
  let bucket = overrides.bucket;
  if (!bucket) {
    bucket = `only-s3-${++buckets}`;
    await s3.createBucket(bucket);
  }
  const store = new S3ObjectStore({
    bucket,
    prefix: "",
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
    cacheDir: path.join(dataDir, "object-cache"),
    cacheMaxBytes: 10 * 1024 ** 2,
    dataDir,
    presignTtlSeconds: 600,
    partSizeBytes: 5 * 1024 ** 2,
    ...overrides,
  });
  stores.push(store);
  return store;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Every file under the cache folder, scratch files included. */
async function cacheFiles(store: S3ObjectStore): Promise<string[]> {
  const entries = await readdir(store.options.cacheDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

describe("S3 uploads", () => {
  it("sends a file above the part size in parts and reads back the same bytes", async () => {
    const store = await makeStore({ cacheMaxBytes: 20 * 1024 ** 2 });
    const bytes = randomBytes(11 * 1024 ** 2 + 123);
    const file = await store.tempPath(".mp4");
    await writeFile(file, bytes);
    const before = s3.requests.length;
    const stored = await store.putFile(file, "video/mp4");
    const parts = s3.requests.slice(before).filter((r) => r.startsWith("PUT ") && /[?&]partNumber=\d+/.test(r));
    expect(parts).toHaveLength(3); // 5 MiB + 5 MiB + the rest
    expect(stored.sha256).toBe(sha(bytes));
    expect(sha(await store.readBytes(stored.key))).toBe(sha(bytes));
    // The uploaded file became the cached copy: ffmpeg's next read downloads nothing.
    const gets = s3.requests.length;
    const lease = await store.localPath(stored.key);
    expect(s3.requests.slice(gets).filter((r) => r.startsWith("GET "))).toEqual([]);
    expect(sha(await readFile(lease.path))).toBe(sha(bytes));
    lease.release();
  });

  it("puts a small file in one request and skips the upload when the bytes are already stored", async () => {
    const store = await makeStore();
    const bytes = randomBytes(1000);
    const before = s3.requests.length;
    await store.put(bytes, null);
    await store.put(bytes, null);
    const puts = s3.requests.slice(before).filter((r) => r.startsWith("PUT "));
    expect(puts).toHaveLength(1);
  });
});

describe("presigned links", () => {
  it("serves a Range request of a presigned GET with 206 and the right bytes", async () => {
    const store = await makeStore();
    const bytes = randomBytes(100_000);
    const { key } = await store.put(bytes, "video/mp4");
    const url = await store.presignGet(key, { mime: "video/mp4" });
    expect(url.startsWith(`${s3.endpoint}/`)).toBe(true);
    const ranged = await fetch(url, { headers: { Range: "bytes=1000-1999" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe("bytes 1000-1999/100000");
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const download = await fetch(await store.presignGet(key, { downloadName: "take 1.mp4" }));
    expect(download.headers.get("content-disposition")).toContain('filename="take 1.mp4"');
    await download.arrayBuffer();
  });

  it("signs the lifetime it was given into the link", async () => {
    // s3rver checks the access key id but not V4 signatures or expiry: those are the bucket's job (MinIO,
    // S3, R2 refuse a tampered or expired link with 403); here we check what the link asks for.
    const store = await makeStore({ presignTtlSeconds: 900 });
    const { key } = await store.put(randomBytes(10), null);
    const url = new URL(await store.presignGet(key));
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    expect(url.pathname).toBe(`/${store.options.bucket}/${key}`);
    expect(new URL(await store.presignGet(key, { ttlSeconds: 60 })).searchParams.get("X-Amz-Expires")).toBe("60");
  });

  it("takes a direct upload through a presigned PUT, then adopts it", async () => {
    const store = await makeStore();
    const bytes = randomBytes(200_000);
    const put = await store.presignPut("uploads/media_abc", { contentType: "video/mp4" });
    expect(put.method).toBe("PUT");
    const answer = await fetch(put.url, { method: "PUT", headers: put.headers, body: bytes });
    expect(answer.status).toBe(200);
    expect((await store.head("uploads/media_abc"))?.bytes).toBe(200_000);
    const adopted = await store.adoptStaged("uploads/media_abc", "video/mp4");
    expect(adopted.sha256).toBe(sha(bytes));
    expect(await store.head("uploads/media_abc")).toBeNull();
    expect(new URL(put.url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host");
  });

  it("re-uploads a staged object too big for one CopyObject", async () => {
    const store = await makeStore({ copyLimitBytes: 1000 });
    const bytes = randomBytes(5000);
    const file = await store.tempPath();
    await writeFile(file, bytes);
    await store.putFileAs("uploads/media_big", file);
    const before = s3.requests.length;
    const adopted = await store.adoptStaged("uploads/media_big", null);
    expect(s3.requests.slice(before).some((r) => r.startsWith("PUT ") && r.includes(adopted.key))).toBe(true);
    expect(sha(await store.readBytes(adopted.key))).toBe(sha(bytes));
  });
});

describe("the local cache for ffmpeg", () => {
  async function storeWith(count: number, size: number, cacheMaxBytes: number) {
    const store = await makeStore({ cacheMaxBytes });
    const keys: string[] = [];
    for (let i = 0; i < count; i++) keys.push((await store.put(randomBytes(size), "video/mp4")).key);
    return { store, keys };
  }
  const getsOf = (key: string, since: number) =>
    s3.requests.slice(since).filter((r) => r.startsWith("GET ") && r.includes(key)).length;

  it("downloads once for concurrent callers", async () => {
    const { store, keys } = await storeWith(1, 300_000, 10 * 1024 ** 2);
    const key = keys[0] as string;
    const before = s3.requests.length;
    const leases = await Promise.all(Array.from({ length: 8 }, () => store.localPath(key)));
    expect(getsOf(key, before)).toBe(1);
    expect(new Set(leases.map((l) => l.path)).size).toBe(1);
    expect(store.cache.stats()).toMatchObject({ files: 1, leased: 1, downloads: 1 });
    for (const l of leases.slice(1)) l.release();
    // One copy, counted as leased until the last of its callers releases it.
    expect(store.cache.stats().leased).toBe(1);
    leases[0]?.release();
    expect(store.cache.stats().leased).toBe(0);
    // A later caller finds the copy.
    (await store.localPath(key)).release();
    expect(getsOf(key, before)).toBe(1);
  });

  it("evicts the least recently used copy above the cap", async () => {
    const { store, keys } = await storeWith(3, 100_000, 250_000);
    const [a, b, c] = keys as [string, string, string];
    const la = await store.localPath(a);
    la.release();
    const lb = await store.localPath(b);
    lb.release();
    (await store.localPath(a)).release(); // a is now more recent than b
    (await store.localPath(c)).release();
    expect(store.cache.has(b)).toBe(false);
    expect(store.cache.has(a)).toBe(true);
    await untilSoon(async () => !(await exists(lb.path)), "the evicted copy to go");
    expect(await exists(la.path)).toBe(true);
    expect(store.cache.stats()).toMatchObject({ files: 2, bytes: 200_000, evictions: 1 });
  });

  it("never evicts a leased copy, and lets it go once released", async () => {
    const { store, keys } = await storeWith(3, 100_000, 150_000);
    const [a, b, c] = keys as [string, string, string];
    const held = await store.localPath(a);
    (await store.localPath(b)).release();
    (await store.localPath(c)).release();
    expect(await exists(held.path)).toBe(true);
    expect((await readFile(held.path)).length).toBe(100_000);
    expect(store.cache.has(a)).toBe(true);
    // Removing the object while a copy is leased keeps the file until the lease ends.
    await store.remove(a);
    expect(await exists(held.path)).toBe(true);
    held.release();
    await untilSoon(async () => !(await exists(held.path)), "the released copy to go");
    expect(store.cache.stats().bytes).toBeLessThanOrEqual(150_000);
  });

  it("keeps nothing of a download cut off mid-way", async () => {
    const store = await makeStore();
    const { key } = await store.put(randomBytes(2 * 1024 ** 2), "video/mp4");
    const proxy = await startSpoilingProxy(s3.endpoint, "cut", 256 * 1024);
    try {
      const viaProxy = await makeStore({ bucket: store.options.bucket, endpoint: proxy.endpoint });
      const error = await viaProxy.localPath(key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toContain(key);
      expect(await cacheFiles(viaProxy)).toEqual([]);
      expect(viaProxy.cache.has(key)).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("keeps nothing of a download every caller abandoned", async () => {
    const store = await makeStore();
    const { key } = await store.put(randomBytes(2 * 1024 ** 2), "video/mp4");
    const proxy = await startSpoilingProxy(s3.endpoint, "stall", 64 * 1024);
    try {
      const viaProxy = await makeStore({ bucket: store.options.bucket, endpoint: proxy.endpoint });
      const first = new AbortController();
      const second = new AbortController();
      const a = viaProxy.localPath(key, { signal: first.signal }).catch((e: unknown) => e);
      const b = viaProxy.localPath(key, { signal: second.signal }).catch((e: unknown) => e);
      await untilSoon(async () => (await cacheFiles(viaProxy)).length > 0, "the scratch file");
      first.abort();
      expect(((await a) as Error).name).toBe("AbortError");
      expect(await cacheFiles(viaProxy)).toHaveLength(1); // the other caller still waits
      second.abort();
      expect(((await b) as Error).name).toBe("AbortError");
      await untilSoon(async () => (await cacheFiles(viaProxy)).length === 0, "the scratch file to go");
      expect(viaProxy.cache.stats().files).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it("starts from the copies a previous run left, without its scratch files", async () => {
    const { store, keys } = await storeWith(2, 1000, 10_000);
    for (const key of keys) (await store.localPath(key)).release();
    const leftover = path.join(store.options.cacheDir, "media", ".work.abc.tmp.mp4");
    await writeFile(leftover, "half");
    const again = await makeStore({ bucket: store.options.bucket, cacheDir: store.options.cacheDir });
    const before = s3.requests.length;
    for (const key of keys) (await again.localPath(key)).release();
    expect(s3.requests.slice(before).filter((r) => r.startsWith("GET "))).toEqual([]);
    expect(await exists(leftover)).toBe(false);
    await expect(again.localPath("media/00/nothing.mp4")).rejects.toBeInstanceOf(ObjectMissingError);
  });
});

describe("S3 failures name the setting", () => {
  it("a missing bucket", async () => {
    const store = await makeStore({ bucket: "no-such-bucket" });
    const error = (await store.check().catch((e: unknown) => e)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.setting).toBe("DAILIES_STORAGE_URL");
    expect(error.message).toContain('"no-such-bucket" does not exist');
    await expect(store.put(randomBytes(10), null)).rejects.toThrow(/DAILIES_STORAGE_URL/);
  });

  it("bad credentials", async () => {
    const store = await makeStore({ credentials: { accessKeyId: "WRONG", secretAccessKey: "nope-secret" } });
    const error = (await store.list("media/").catch((e: unknown) => e)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toMatch(/InvalidAccessKeyId.*DAILIES_S3_ACCESS_KEY_ID/);
    expect(error.message).not.toContain("nope-secret");
    // HEAD answers carry no error code: the message still names the settings to check.
    const denied = (await store.check().catch((e: unknown) => e)) as StorageError;
    expect(denied.setting).toBe("DAILIES_S3_ACCESS_KEY_ID / DAILIES_S3_SECRET_ACCESS_KEY");
    await expect(store.put(randomBytes(10), null)).rejects.toThrow(/DAILIES_S3_SECRET_ACCESS_KEY/);
  });

  it("no credentials: the AWS default chain is used, and its failure is explained", async () => {
    const saved = { ...process.env };
    const chain = {
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
    };
    try {
      for (const name of Object.keys(process.env)) if (name.startsWith("AWS_")) delete process.env[name];
      Object.assign(process.env, chain, { AWS_ACCESS_KEY_ID: S3RVER_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_KEY });
      const fromEnvironment = await makeStore({ credentials: undefined });
      await fromEnvironment.check();
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      const none = await makeStore({ credentials: undefined });
      const error = (await none.check().catch((e: unknown) => e)) as StorageError;
      expect(error).toBeInstanceOf(StorageError);
      expect(error.message).toMatch(/No S3 credentials found: set DAILIES_S3_ACCESS_KEY_ID/);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it("an endpoint nobody answers", async () => {
    const proxy = await startSpoilingProxy(s3.endpoint, "cut", 0);
    const endpoint = proxy.endpoint;
    await proxy.close(); // a port that was just free
    const store = await makeStore({ bucket: "only-s3-1", endpoint });
    const error = (await store.check().catch((e: unknown) => e)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.setting).toBe("DAILIES_S3_ENDPOINT");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).not.toMatch(/\n\s+at /);
  });
});
