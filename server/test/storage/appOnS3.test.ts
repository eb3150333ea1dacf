/**
 * The whole app with DAILIES_STORAGE_URL=s3://… (issue 15, part 3), against s3rver on a free port: mirrored
 * captures, uploads, preview frames, rendered parts and exports land in the bucket under their
 * content-addressed keys and never in the data folder; signed links answer 302 to a presigned GET URL that
 * serves the bytes with Range; cache collection lists and removes through the bucket.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { collectCache } from "../../src/services/diskCache.js";
import { StorageError } from "../../src/storage/objectStore.js";
import { buildTestApp, ingestCapture, seedProject, type TestApp } from "../helpers/app.js";
import { startS3, type TestS3 } from "../helpers/s3.js";
import { testSql } from "../helpers/sql.js";
import { makeTestVideo, testFfmpegRunner } from "../helpers/videos.js";

const BUCKET = "dailies-media";
const PREFIX = "team";

let s3: TestS3;
let client: S3Client;
let dir: string;
let cdn: Server;
let cdnUrl: string;
let captured: Buffer;
let t: TestApp;
let projectId: string;
let s3Env: Record<string, string>;
/** The last test stops the first app to start a second one on its database and bucket. */
let closedFirst = false;
/** The mirrored capture's media, put on the timeline after the upload. */
let mirroredMediaId: string;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  client = s3.client;
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-app-s3-"));
  // A stand-in CDN serving what a capture's outputUrl points at: a real (tiny) mp4.
  const ffmpeg = (await testFfmpegRunner()).binaries.ffmpegPath;
  const file = path.join(dir, "captured.mp4");
  execFileSync(ffmpeg, [
    ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
    ...["-i", "testsrc=size=64x64:rate=10:duration=1", "-pix_fmt", "yuv420p", file],
  ]);
  captured = await readFile(file);
  cdn = createServer((req, res) => {
    if (req.url === "/take.mp4") return res.writeHead(200, { "content-type": "video/mp4" }).end(captured);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", r));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;

  s3Env = { DAILIES_STORAGE_URL: `s3://${BUCKET}/${PREFIX}`, ...s3.env };
  t = await buildTestApp({ ...s3Env, DAILIES_MIRROR_ALLOW_PRIVATE: "1" });
  ({ projectId } = await seedProject(t));
}, 60_000);

afterAll(async () => {
  if (t && !closedFirst) await t.close();
  else if (t) await rm(t.dataDir, { recursive: true, force: true });
  await s3?.close();
  await new Promise<void>((r) => (cdn ? cdn.close(() => r()) : r()));
  await rm(dir, { recursive: true, force: true });
});

/** Every object under the app's prefix: key (without the prefix) → size. */
async function bucketObjects(): Promise<Map<string, number>> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/` }));
  return new Map((out.Contents ?? []).map((o) => [String(o.Key).slice(PREFIX.length + 1), o.Size ?? 0]));
}

/** Regular files under a folder of the data folder (none when it does not exist). */
async function filesUnder(sub: string): Promise<string[]> {
  const entries = await readdir(path.join(t.dataDir, sub), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** Follows a signed link: expects the 302 and returns the presigned URL it points at. */
async function presigned(url: string): Promise<URL> {
  const res = await t.app.inject({ method: "GET", url: pathOf(url) });
  expect(res.statusCode, res.body).toBe(302);
  expect(res.headers["cache-control"]).toBe("private, no-store");
  const location = new URL(String(res.headers.location));
  expect(location.origin).toBe(s3.endpoint);
  expect(location.pathname).toMatch(new RegExp(`^/${BUCKET}/${PREFIX}/`));
  expect(location.searchParams.get("X-Amz-Signature")).toMatch(/^[a-f0-9]{64}$/);
  return location;
}

const row = async (id: string) =>
  (
    (await testSql(t, "select * from media where id = ?", [id])) as {
      path: string;
      sha256: string;
      bytes: number;
      mime: string;
      duration_sec: number | null;
    }[]
  )[0]!;

describe("media in an S3 bucket", () => {
  it("a mirrored capture lands in the bucket, not in the data folder, and its link redirects with Range", async () => {
    const ingest = await ingestCapture(t, projectId, { outputUrl: `${cdnUrl}/take.mp4` });
    expect(ingest.status, ingest.body).toBe(200);
    await t.app.deps.worker.idle(60_000);
    const list = await t.call({ method: "GET", url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001` });
    const asset = list.json.assets.find((a: { id: string }) => a.id === ingest.json.asset.id);
    expect(asset).toMatchObject({ mirrorStatus: "mirrored", mirrorError: null });

    const [{ media_id: mediaId }] = (await testSql(t, "select media_id from asset_versions where id = ?", [
      asset.id,
    ])) as [{ media_id: string }];
    mirroredMediaId = mediaId;
    const stored = await row(mediaId);
    const sha256 = createHash("sha256").update(captured).digest("hex");
    expect(stored).toMatchObject({ sha256, bytes: captured.length, mime: "video/mp4" });
    expect(stored.path).toBe(`media/${sha256.slice(0, 2)}/${sha256}.mp4`);
    expect((await bucketObjects()).get(stored.path)).toBe(captured.length);
    expect(await filesUnder("media")).toEqual([]);
    expect(await filesUnder("tmp")).toEqual([]);

    const location = await presigned(asset.mirrorUrl);
    const whole = await fetch(location);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await whole.arrayBuffer()).equals(captured)).toBe(true);
    const ranged = await fetch(location, { headers: { range: "bytes=4-15" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 4-15/${captured.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(captured.subarray(4, 16))).toBe(true);

    // Downloads carry their attachment name in the presigned URL; a forged link never reaches the bucket.
    const attachment = await presigned(`${asset.mirrorUrl}&download=1`);
    expect(attachment.searchParams.get("response-content-disposition")).toMatch(/^attachment; filename="/);
    const forged = await t.app.inject({ method: "GET", url: pathOf(asset.mirrorUrl).replace(/sig=[^&]+/, "sig=x") });
    expect(forged.statusCode).toBe(403);
  });

  it("an upload is probed and stored in the bucket", async () => {
    const clip = await makeTestVideo(dir, { seconds: 2 });
    const bytes = await readFile(clip);
    const start = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/upload`,
      payload: { file_name: "clip.mp4", content_type: "video/mp4" },
    });
    expect(start.status, start.body).toBe(201);
    const put = await t.call({
      method: "PUT",
      url: pathOf(start.json.upload_url),
      payload: bytes,
      headers: { "content-type": "video/mp4" },
      token: null,
    });
    expect(put.status, put.body).toBe(200);
    const stored = await row(put.json.id);
    expect(stored.duration_sec).toBeCloseTo(2, 1);
    expect(stored.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect((await bucketObjects()).get(stored.path)).toBe(bytes.length);
    expect(await filesUnder("media")).toEqual([]);
    expect(await filesUnder("tmp")).toEqual([]);
  });

  it("preview frames and an export render into the bucket; the export has the timeline's duration", async () => {
    // Timeline: the upload (2 s, 320x240) then the mirrored take (1 s, 64x64, other rate: normalized).
    const added = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/segments`,
      payload: { media_id: mirroredMediaId },
    });
    expect(added.status, added.body).toBe(201);
    const frame = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 0.5 },
    });
    expect(frame.status, frame.body).toBe(200);
    const frameKey = `frames/${new URL(frame.json.frame_url).pathname.split("/").pop()?.slice(0, 2)}/${new URL(frame.json.frame_url).pathname.split("/").pop()}`;
    expect((await bucketObjects()).has(frameKey)).toBe(true);
    const jpeg = await fetch(await presigned(frame.json.frame_url));
    expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
    expect(
      Buffer.from(await jpeg.arrayBuffer())
        .subarray(0, 2)
        .toString("hex"),
    ).toBe("ffd8");

    const start = await t.call({
      method: "POST",
      url: "/api/export",
      payload: { project_id: projectId, format: "mp4" },
    });
    expect(start.status, start.body).toBe(202);
    await t.app.deps.worker.idle(60_000);
    const status = await t.call({ method: "GET", url: `/api/export/${start.json.export_job_id}` });
    expect(status.json, JSON.stringify(status.json)).toMatchObject({ status: "completed", error: null });
    const segments = (
      (await testSql(t, "select start_ts, end_ts from segments where project_id = ? and active", [projectId])) as {
        start_ts: number;
        end_ts: number;
      }[]
    ).reduce((sum, s) => sum + (s.end_ts - s.start_ts), 0);
    expect(segments).toBeGreaterThan(0);

    const objects = await bucketObjects();
    const exportKeys = [...objects.keys()].filter((k) => k.startsWith("exports/"));
    const partKeys = [...objects.keys()].filter((k) => k.startsWith("renders/"));
    expect(exportKeys).toHaveLength(1);
    expect(partKeys.length).toBeGreaterThan(0);
    expect(await filesUnder("exports")).toEqual([]);
    expect(await filesUnder("renders")).toEqual([]);
    expect(await filesUnder("frames")).toEqual([]);
    expect(await filesUnder("tmp")).toEqual([]);

    // The file a client downloads from the bucket is the whole export.
    const body = Buffer.from(await (await fetch(await presigned(status.json.export_url))).arrayBuffer());
    expect(body.length).toBe(objects.get(exportKeys[0] as string));
    const local = path.join(dir, "export.mp4");
    await writeFile(local, body);
    const probe = await (await testFfmpegRunner()).probe(local);
    expect(probe.durationSec).toBeCloseTo(segments, 1);
    expect(status.json.duration).toBeCloseTo(segments, 1);

    // A second export of the unchanged timeline reuses the stored file (found by a HEAD on the bucket).
    const again = await t.call({
      method: "POST",
      url: "/api/export",
      payload: { project_id: projectId, format: "mp4" },
    });
    await t.app.deps.worker.idle(60_000);
    const reused = await t.call({ method: "GET", url: `/api/export/${again.json.export_job_id}` });
    expect(reused.json).toMatchObject({ status: "completed", rendered_parts: 0 });
  });

  it("cache collection lists and removes through the bucket", async () => {
    const before = await bucketObjects();
    const frames = [...before.keys()].filter((k) => k.startsWith("frames/"));
    expect(frames.length).toBeGreaterThan(0);
    // Cap 0, frames old enough: every frame goes; the current timeline's parts and export stay.
    const result = await collectCache(t.app.deps, 0, Date.now() + 120_000);
    expect(result.removed.frames).toBe(frames.length);
    const after = await bucketObjects();
    for (const key of frames) expect(after.has(key)).toBe(false);
    expect([...after.keys()].some((k) => k.startsWith("exports/"))).toBe(true);
    expect([...after.keys()].some((k) => k.startsWith("renders/"))).toBe(true);
    expect([...after.keys()].some((k) => k.startsWith("media/"))).toBe(true);
  });

  it("another process on the same database and bucket reuses the parts from the bucket", async () => {
    const segments = (await testSql(
      t,
      "select id, start_ts, end_ts from segments where project_id = ? and active order by order_index",
      [projectId],
    )) as { id: string; start_ts: number; end_ts: number }[];
    const databaseUrl = t.app.deps.config.DAILIES_DATABASE_URL;
    expect(segments.length).toBeGreaterThanOrEqual(2);
    await t.app.close();
    closedFirst = true;
    // The first process's ffmpeg copies are gone: whatever the second one needs comes from the bucket.
    await rm(path.join(t.dataDir, "object-cache"), { recursive: true, force: true });
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), "dailies-app-s3-cache-"));
    const second = await buildApp(
      loadConfig({
        DAILIES_DATA_DIR: t.dataDir,
        DAILIES_LOG_LEVEL: "silent",
        DAILIES_S3_CACHE_DIR: cacheDir,
        ...(databaseUrl && { DAILIES_DATABASE_URL: databaseUrl }),
        ...s3Env,
      }),
      { logger: false },
    );
    try {
      await second.ready();
      const call = (method: "GET" | "POST", url: string, payload?: object) =>
        second.inject({ method, url, payload, headers: { authorization: `Bearer ${t.token}` } });
      const last = segments.at(-1) as { id: string; start_ts: number; end_ts: number };
      const trim = await call("POST", `/api/segment/${last.id}/trim`, { new_start_ts: 0.2, new_end_ts: 0.8 });
      expect(trim.statusCode, trim.body).toBe(200);
      const start = await call("POST", "/api/export", { project_id: projectId, format: "mp4" });
      expect(start.statusCode, start.body).toBe(202);
      await second.deps.worker.idle(60_000);
      const status = (await call("GET", `/api/export/${start.json().export_job_id}`)).json();
      expect(status, JSON.stringify(status)).toMatchObject({
        status: "completed",
        rendered_parts: 1,
        reused_parts: segments.length - 1,
      });
      const expected = segments.slice(0, -1).reduce((sum, s) => sum + (s.end_ts - s.start_ts), 0.6);
      expect(status.duration).toBeCloseTo(expected, 1);
      // The reused parts and the trimmed segment's source were downloaded into this process's cache.
      const copies = (await readdir(cacheDir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => path.relative(cacheDir, path.join(e.parentPath, e.name)).split(path.sep)[0]);
      expect(copies.filter((c) => c === "renders").length).toBeGreaterThanOrEqual(segments.length);
      expect(copies).toContain("media");
      expect([...(await bucketObjects()).keys()].filter((k) => k.startsWith("exports/"))).toHaveLength(2);
      expect(await filesUnder("exports")).toEqual([]);
      expect(await filesUnder("renders")).toEqual([]);
    } finally {
      await second.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it("a bucket that does not exist stops the start with a message naming the setting", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "dailies-app-s3-missing-"));
    try {
      const config = loadConfig({
        DAILIES_DATA_DIR: dataDir,
        DAILIES_LOG_LEVEL: "silent",
        ...s3Env,
        DAILIES_STORAGE_URL: "s3://no-such-bucket",
      });
      const failure = await buildApp(config, { logger: false }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(StorageError);
      expect((failure as StorageError).message).toMatch(/no-such-bucket/);
      expect((failure as StorageError).setting).toBe("DAILIES_STORAGE_URL");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
