/**
 * Direct uploads (DAILIES_S3_DIRECT_UPLOADS=1, issue 15) against s3rver: the client PUTs to a presigned URL of
 * the bucket, a worker checks the object with the upload rules and the media ends ready (probed, on the empty
 * timeline) or failed with the reason and no object left. The upload's bytes never reach the API's data folder.
 */
import { createHash, randomBytes } from "node:crypto";
import { watch } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { startS3, type TestS3 } from "../helpers/s3.js";
import { makeTestVideo } from "../helpers/videos.js";

const BUCKET = "dailies-direct";
const PREFIX = "team";
const LIMIT = 400_000;

let s3: TestS3;
let dir: string;
let cacheDir: string;
let t: TestApp;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-direct-"));
  // The worker's leased copies go outside the data folder, so the data folder shows what the API process wrote.
  cacheDir = await mkdtemp(path.join(os.tmpdir(), "dailies-direct-cache-"));
  t = await buildTestApp({
    DAILIES_STORAGE_URL: `s3://${BUCKET}/${PREFIX}`,
    ...s3.env,
    DAILIES_S3_DIRECT_UPLOADS: "1",
    DAILIES_S3_CACHE_DIR: cacheDir,
    DAILIES_UPLOAD_LIMIT_BYTES: String(LIMIT),
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

async function bucketKeys(): Promise<Map<string, number>> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/` }));
  return new Map((out.Contents ?? []).map((o) => [String(o.Key).slice(PREFIX.length + 1), o.Size ?? 0]));
}

/** sha256 of every regular file under the data folder. */
async function dataFolderHashes(): Promise<Set<string>> {
  const entries = await readdir(t.dataDir, { recursive: true, withFileTypes: true });
  const hashes = new Set<string>();
  for (const e of entries.filter((x) => x.isFile()))
    hashes.add(
      createHash("sha256")
        .update(await readFile(path.join(e.parentPath, e.name)))
        .digest("hex"),
    );
  return hashes;
}

async function startUpload(projectId: string, fileName: string, contentType: string) {
  const start = await t.call({
    method: "POST",
    url: `/api/project/${projectId}/upload`,
    payload: { file_name: fileName, content_type: contentType },
  });
  expect(start.status, start.body).toBe(201);
  return start.json as {
    upload_url: string;
    asset_id: string;
    direct: boolean;
    headers: Record<string, string>;
    status_url: string;
    max_bytes: number;
  };
}

/** The project's jobs as GET /api/jobs lists them (one direct upload per project in these tests). */
async function uploadJobs(projectId: string) {
  const list = await t.call({ method: "GET", url: `/api/jobs?project_id=${projectId}` });
  expect(list.status, list.body).toBe(200);
  return (list.json.jobs as { kind: string; status: string; error: string | null }[]).map((j) => ({
    kind: j.kind,
    status: j.status,
    error: j.error,
  }));
}

/** What a client does: PUT to the bucket (no bearer), then poll the status URL until the media settles. */
async function putAndSettle(slot: Awaited<ReturnType<typeof startUpload>>, body: Uint8Array) {
  const put = await fetch(slot.upload_url, { method: "PUT", headers: slot.headers, body });
  expect(put.status, await put.clone().text()).toBe(200);
  await t.app.deps.worker.idle(60_000);
  const status = await t.call({ method: "GET", url: new URL(slot.status_url).pathname });
  expect(status.status, status.body).toBe(200);
  return status.json;
}

describe("direct uploads to the bucket", () => {
  it("hands out a presigned PUT of the staging key with the content type bound", async () => {
    const { projectId } = await seedProject(t);
    const slot = await startUpload(projectId, "take.mp4", "video/mp4");
    const url = new URL(slot.upload_url);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.pathname).toBe(`/${BUCKET}/${PREFIX}/uploads/${slot.asset_id}`);
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host");
    expect(Number(url.searchParams.get("X-Amz-Expires"))).toBe(t.app.deps.config.DAILIES_SIGNED_URL_TTL_SECONDS);
    expect(slot).toMatchObject({ direct: true, headers: { "content-type": "video/mp4" }, max_bytes: LIMIT });
    // (AWS S3, MinIO and R2 refuse a PUT with another content type, the signature covers it; s3rver does not check.)
    // Pending while nothing has arrived; another user's look answers 404.
    const pending = await t.call({ method: "GET", url: new URL(slot.status_url).pathname });
    expect(pending.json).toMatchObject({ id: slot.asset_id, status: "pending", url: null });
    const other = await t.call({ method: "GET", url: new URL(slot.status_url).pathname, token: t.other.token });
    expect(other.status).toBe(404);
    // Settle it so the waiting job does not outlive the test.
    const clip = await readFile(await makeTestVideo(dir, { seconds: 1, name: "settle.mp4" }));
    expect((await putAndSettle(slot, clip)).status).toBe("ready");
  });

  it("a video ends ready with its probe, content-addressed in the bucket, and on the empty timeline", async () => {
    const { projectId } = await seedProject(t);
    const bytes = await readFile(await makeTestVideo(dir, { seconds: 2, name: "clip.mp4" }));
    expect(bytes.length).toBeLessThan(LIMIT);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    // Every file the process touches in its data folder while the upload goes on, the database's aside.
    const touched: string[] = [];
    const watcher = watch(t.dataDir, { recursive: true }, (_event, name) => {
      if (name && !/(^|\/)[^/]*\.(db|sqlite)(-wal|-shm|-journal)?$/.test(name)) touched.push(name);
    });
    const slot = await startUpload(projectId, "clip.mp4", "video/mp4");
    const media = await putAndSettle(slot, bytes);
    watcher.close();
    expect(media).toMatchObject({ id: slot.asset_id, status: "ready", kind: "video", mime: "video/mp4", error: null });
    expect(media.bytes).toBe(bytes.length);
    expect(media.duration).toBeCloseTo(2, 1);
    expect(media.width).toBe(320);

    const keys = await bucketKeys();
    expect(keys.get(`media/${sha256.slice(0, 2)}/${sha256}.mp4`)).toBe(bytes.length);
    expect(keys.has(`uploads/${slot.asset_id}`)).toBe(false);

    const details = await t.call({ method: "GET", url: `/api/project/${projectId}` });
    expect(details.json.segments).toHaveLength(1);
    expect(details.json.segments[0]).toMatchObject({ media_id: slot.asset_id, start_ts: 0 });
    expect(details.json.segments[0].end_ts).toBeCloseTo(2, 1);

    // The bytes went client → bucket → worker cache: the API's data folder never held them.
    expect((await dataFolderHashes()).has(sha256)).toBe(false);
    expect(touched).toEqual([]);
    expect(await uploadJobs(projectId)).toEqual([{ kind: "direct-upload", status: "completed", error: null }]);
  });

  it("an object past DAILIES_UPLOAD_LIMIT_BYTES is deleted and the media failed with the reason", async () => {
    const { projectId } = await seedProject(t);
    const slot = await startUpload(projectId, "huge.mp4", "video/mp4");
    const media = await putAndSettle(slot, randomBytes(LIMIT + 1));
    expect(media).toMatchObject({ status: "failed", url: null });
    expect(media.error).toBe(
      `Upload too large: ${LIMIT + 1} bytes, the limit is ${LIMIT} (DAILIES_UPLOAD_LIMIT_BYTES)`,
    );
    expect((await bucketKeys()).has(`uploads/${slot.asset_id}`)).toBe(false);
    const details = await t.call({ method: "GET", url: `/api/project/${projectId}` });
    expect(details.json.segments).toHaveLength(0);
  });

  it("a file that is not media is deleted and the media failed with the reason; nothing stays in the bucket", async () => {
    const { projectId } = await seedProject(t);
    const before = await bucketKeys();
    const slot = await startUpload(projectId, "notes.mp4", "video/mp4");
    const bytes = Buffer.from("<html><body>not a video at all</body></html>".repeat(50));
    const media = await putAndSettle(slot, bytes);
    expect(media.status).toBe("failed");
    expect(media.error).toBe("The file was refused and deleted: not a supported video, audio or image file");
    expect(media.error).not.toContain(cacheDir);
    const after = await bucketKeys();
    expect([...after.keys()].filter((k) => !before.has(k))).toEqual([]);
    expect(await uploadJobs(projectId)).toEqual([{ kind: "direct-upload", status: "failed", error: media.error }]);
  });

  it("a file swapped by a second PUT after the check is refused, and neither file is kept", async () => {
    const { projectId } = await seedProject(t);
    const first = await readFile(await makeTestVideo(dir, { seconds: 1, name: "first.mp4" }));
    const second = await readFile(
      await makeTestVideo(dir, { seconds: 1, width: 160, height: 120, name: "second.mp4" }),
    );
    const before = await bucketKeys();
    const slot = await startUpload(projectId, "first.mp4", "video/mp4");
    // The URL still works after the worker has copied the first file for its check: PUT another one right then.
    const store = t.app.deps.store;
    const localPath = store.localPath.bind(store);
    store.localPath = async (key, options) => {
      const lease = await localPath(key, options);
      store.localPath = localPath;
      const again = await fetch(slot.upload_url, { method: "PUT", headers: slot.headers, body: second });
      expect(again.status).toBe(200);
      return lease;
    };
    const media = await putAndSettle(slot, first);
    store.localPath = localPath;
    expect(media).toMatchObject({ status: "failed", url: null });
    expect(media.error).toBe("The file changed while it was being checked (a second PUT to the URL): upload it again");
    expect([...(await bucketKeys()).keys()].filter((k) => !before.has(k))).toEqual([]);
  });

  it("no file before the URL expired (and its grace): the media ends failed", async () => {
    const { projectId } = await seedProject(t);
    const row = await t.app.deps.repos.media.insertMedia({
      id: `media_expired${Date.now()}`,
      projectId,
      origin: "upload",
      status: "pending",
      fileName: "never.mp4",
      mime: "video/mp4",
    });
    await t.app.deps.jobs.enqueue({
      kind: "direct-upload",
      input: { mediaId: row.id, expiresAt: new Date(Date.now() - 11 * 60_000).toISOString() },
      projectId,
    });
    await t.app.deps.worker.idle(30_000);
    const status = await t.call({ method: "GET", url: `/api/project/${projectId}/media/${row.id}` });
    expect(status.json).toMatchObject({
      status: "failed",
      error: "No file was uploaded before the upload URL expired",
    });
  });
});
