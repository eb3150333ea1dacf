import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import type { WorkerQueue } from "../src/jobs/queue.js";
import { MIRROR_JOB } from "../src/services/mirror.js";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";
import { testFfmpegRunner } from "./helpers/videos.js";
import { createTestDatabase } from "./support/testDatabase.js";

// A stand-in CDN: a real (tiny) mp4, a JPEG thumbnail, a 404, an oversized file and an HTML page. Mirrored
// files are probed like uploads (issue 9), so they must be real media.
let VIDEO: Buffer;
let JPEG: Buffer;
let cdn: Server;
let cdnUrl: string;
let flakyHits = 0;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "dailies-mirror-media-"));
  const ffmpeg = (await testFfmpegRunner()).binaries.ffmpegPath;
  const make = (args: string[], name: string) => {
    execFileSync(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...args, join(dir, name)]);
    return readFileSync(join(dir, name));
  };
  VIDEO = make(["-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=1", "-pix_fmt", "yuv420p"], "v.mp4");
  JPEG = make(["-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1"], "t.jpg");
  rmSync(dir, { recursive: true, force: true });
  cdn = createServer((req, res) => {
    if (req.url === "/v.mp4") return res.writeHead(200, { "content-type": "video/mp4" }).end(VIDEO);
    if (req.url === "/t.jpg") return res.writeHead(200, { "content-type": "image/jpeg" }).end(JPEG);
    if (req.url === "/big.mp4") return res.writeHead(200, { "content-type": "video/mp4" }).end(Buffer.alloc(300_000));
    if (req.url === "/page.mp4") return res.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>");
    if (req.url === "/flaky.mp4") {
      flakyHits++;
      if (flakyHits < 3) return res.writeHead(503).end();
      return res.writeHead(200, { "content-type": "video/mp4" }).end(VIDEO);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", r));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => cdn.close(() => r())));

async function ingestAndWait(t: TestApp, projectId: string, fields: Record<string, unknown>) {
  const res = await t.call({
    method: "POST",
    url: "/api/extension/ingest",
    payload: { projectId, sceneId: "001", platformKey: "openai-sora", assetType: "VIDEO", prompt: "p", ...fields },
  });
  expect(res.status, res.body).toBe(200);
  await t.app.deps.worker.idle();
  const list = await t.call({
    method: "GET",
    url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&limit=100`,
  });
  return list.json.assets.find((a: { id: string }) => a.id === res.json.asset.id);
}

describe("media mirroring (private addresses allowed for the local CDN)", () => {
  let t: TestApp;
  let projectId: string;
  beforeAll(async () => {
    t = await buildTestApp({
      DAILIES_MIRROR_ALLOW_PRIVATE: "1",
      DAILIES_MIRROR_MAX_BYTES: "100000",
      DAILIES_JOB_RETRY_BASE_MS: "10",
    });
    ({ projectId } = await seedProject(t));
  });
  afterAll(() => t.close());

  it("downloads output and thumbnail, content-addressed, and serves them by signed URL", async () => {
    const asset = await ingestAndWait(t, projectId, { outputUrl: `${cdnUrl}/v.mp4`, thumbnailUrl: `${cdnUrl}/t.jpg` });
    expect(asset).toMatchObject({ mirrorStatus: "mirrored", mirrorError: null, outputUrl: `${cdnUrl}/v.mp4` });
    expect(asset.mirrorUrl).toMatch(/\/media\/media_\w+\?exp=\d+&sig=/);
    const [row] = (await testSql(
      t,
      "select * from media where id = (select media_id from asset_versions where id = ?)",
      [asset.id],
    )) as [{ sha256: string; bytes: number; mime: string; path: string }];
    expect(row).toMatchObject({
      sha256: createHash("sha256").update(VIDEO).digest("hex"),
      bytes: VIDEO.length,
      mime: "video/mp4",
    });
    expect(readFileSync(join(t.dataDir, row.path)).equals(VIDEO)).toBe(true);
    const path = new URL(asset.mirrorUrl).pathname + new URL(asset.mirrorUrl).search;
    const file = await t.call({ method: "GET", url: path, token: null });
    expect(file.status).toBe(200);
    expect(file.headers["content-type"]).toBe("video/mp4");
    const ranged = await t.call({ method: "GET", url: path, token: null, headers: { range: "bytes=0-11" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers["content-range"]).toBe(`bytes 0-11/${VIDEO.length}`);
    const forged = await t.call({ method: "GET", url: path.replace(/sig=[^&]+/, "sig=forged"), token: null });
    expect(forged.status).toBe(403);
    const thumb = await t.call({
      method: "GET",
      url: new URL(asset.thumbnailMirrorUrl).pathname + new URL(asset.thumbnailMirrorUrl).search,
      token: null,
    });
    expect(thumb.headers["content-type"]).toBe("image/jpeg");
  });

  it("fails without retrying on 404, oversized and wrong content type; keeps the version", async () => {
    const missing = await ingestAndWait(t, projectId, { outputUrl: `${cdnUrl}/gone.mp4` });
    expect(missing).toMatchObject({ mirrorStatus: "failed", mirrorUrl: null });
    expect(missing.mirrorError).toContain("404");
    const big = await ingestAndWait(t, projectId, { outputUrl: `${cdnUrl}/big.mp4` });
    expect(big.mirrorStatus).toBe("failed");
    expect(big.mirrorError).toMatch(/limit/);
    const html = await ingestAndWait(t, projectId, { outputUrl: `${cdnUrl}/page.mp4` });
    expect(html.mirrorStatus).toBe("failed");
    expect(html.mirrorError).toMatch(/text\/html/);
    const jobs = (await testSql(t, "select attempts from jobs where kind = ? and status = 'failed'", [MIRROR_JOB])) as {
      attempts: number;
    }[];
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    expect(jobs.every((j) => j.attempts === 1)).toBe(true);
  });

  it("retries a 503 with backoff until it succeeds", async () => {
    flakyHits = 0;
    const res = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: {
        projectId,
        sceneId: "001",
        platformKey: "openai-sora",
        assetType: "VIDEO",
        prompt: "p",
        outputUrl: `${cdnUrl}/flaky.mp4`,
      },
    });
    const deadline = Date.now() + 10_000;
    let asset: { mirrorStatus: string } | undefined;
    while (Date.now() < deadline) {
      await t.app.deps.worker.idle();
      const list = await t.call({
        method: "GET",
        url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&limit=100`,
      });
      asset = list.json.assets.find((a: { id: string }) => a.id === res.json.asset.id);
      if (asset?.mirrorStatus === "mirrored") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(asset?.mirrorStatus).toBe("mirrored");
    expect(flakyHits).toBe(3);
  });
});

describe("media mirroring (default: private addresses refused)", () => {
  let t: TestApp;
  afterAll(() => t.close());
  it("refuses a loopback target and says how to allow it", async () => {
    t = await buildTestApp();
    const { projectId } = await seedProject(t);
    const asset = await ingestAndWait(t, projectId, { outputUrl: `${cdnUrl}/v.mp4` });
    expect(asset.mirrorStatus).toBe("failed");
    expect(asset.mirrorError).toMatch(/DAILIES_MIRROR_ALLOW_PRIVATE=1/);
  });
});

describe("job queue crash recovery", () => {
  it("resumes at start a job whose worker process on this host is gone, without waiting out its lease", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "dailies-crash-"));
    // Both processes on one database: the data folder's SQLite file, or one PostgreSQL database of the run.
    const database = process.env.DAILIES_TEST_BACKEND === "postgres" ? await createTestDatabase() : undefined;
    const config = loadConfig({
      DAILIES_DATA_DIR: dataDir,
      DAILIES_LOG_LEVEL: "silent",
      DAILIES_MIRROR_ALLOW_PRIVATE: "1",
      ...(database && { DAILIES_DATABASE_URL: database.url }),
    });
    const first = await buildApp(config, { logger: false, startWorker: false });
    await first.ready();
    const workerQueue = (app: typeof first) => (app.deps.worker as unknown as { queue: WorkerQueue }).queue;
    const { createToken } = await import("../src/services/users.js");
    const user = await first.deps.repos.users.createUser({ name: "Crash" });
    const token = (await createToken(first.deps.repos, user.id, "t")).token;
    const project = await first.inject({
      method: "POST",
      url: "/api/project",
      headers: { authorization: `Bearer ${token}` },
      payload: { name: "P" },
    });
    const projectId = project.json().id;
    await first.inject({
      method: "POST",
      url: `/api/project/${projectId}/scenes`,
      headers: { authorization: `Bearer ${token}` },
      payload: { sceneId: "001" },
    });
    const ingest = await first.inject({
      method: "POST",
      url: "/api/extension/ingest",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        projectId,
        sceneId: "001",
        platformKey: "x",
        assetType: "VIDEO",
        prompt: "p",
        outputUrl: `${cdnUrl}/v.mp4`,
      },
    });
    expect(ingest.statusCode).toBe(200);
    // Simulate a crash mid-job: a worker process of this host claimed it, then died (kill -9: its lease,
    // 30 s by default, is still running).
    const claimed = await workerQueue(first).claimNext();
    expect(claimed?.status).toBe("running");
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    await testSql(first, "update jobs set lease_owner = ? where id = ?", [`${hostname()}:${gone}:dead00`, claimed!.id]);
    await first.close();

    const second = await buildApp(config, { logger: false, startWorker: false });
    await second.ready();
    expect(await second.deps.jobs.get(claimed!.id)).toMatchObject({
      status: "running",
      leaseOwner: `${hostname()}:${gone}:dead00`,
    });
    expect(Date.parse((await second.deps.jobs.get(claimed!.id))!.leaseUntil!)).toBeGreaterThan(Date.now() + 20_000);
    second.deps.worker.start();
    await second.deps.worker.idle();
    expect(await second.deps.jobs.get(claimed!.id)).toMatchObject({
      status: "completed",
      attempts: 2,
      leaseOwner: second.deps.worker.workerId,
    });
    expect(await testSql(second, "select mirror_status from asset_versions")).toEqual([{ mirror_status: "mirrored" }]);
    await second.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
