/**
 * Uploads (signed single-use PUT, probe, rejection), video_url imports, and preview frames and strips on the
 * project timeline, with real ffmpeg on tiny generated clips.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractFrame } from "../../src/media/operations.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { testFfmpegRunner } from "../helpers/videos.js";
import {
  type Clips,
  type Counting,
  countRuns,
  details,
  download,
  fetchSigned,
  idle,
  makeClips,
  pathOf,
  probe,
  upload,
  uploadOk,
} from "./helpers.js";

let dir: string;
let clips: Clips;
let t: TestApp;
let counting: Counting;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-editing-up-"));
  clips = await makeClips(dir);
  t = await buildTestApp({ DAILIES_UPLOAD_LIMIT_BYTES: String(2 * 1024 * 1024) });
  counting = await countRuns(t);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe("upload", () => {
  it("accepts a video, probes it, stores it by content, and makes it the first segment", async () => {
    const { projectId } = await seedProject(t);
    const { start, put } = await upload(t, projectId, clips.a, {
      fileName: "../../etc/passwd.mp4",
      contentType: "text/plain",
    });
    expect(start.json).toMatchObject({
      asset_id: expect.stringMatching(/^media_/),
      method: "PUT",
      upload_url: expect.stringMatching(/\/uploads\/media_\w+\?exp=\d+&sig=/),
      max_bytes: 2 * 1024 * 1024,
    });
    expect(put.status, put.body).toBe(200);
    expect(put.json).toMatchObject({
      id: start.json.asset_id,
      origin: "upload",
      status: "ready",
      kind: "video",
      mime: "video/mp4", // from what ffprobe found, not the claimed text/plain
      width: 320,
      height: 240,
      fps: 25,
      video_codec: "h264",
      audio_codec: "aac",
      has_audio: true,
      file_name: "../../etc/passwd.mp4",
    });
    expect(put.json.duration).toBeCloseTo(3, 1);

    // Content-addressed: the client's name never became a path.
    const bytes = await readFile(clips.a);
    const sha = createHash("sha256").update(bytes).digest("hex");
    const [row] = (await testSql(t, "select path, sha256, bytes from media where id = ?", [put.json.id])) as [
      {
        path: string;
        sha256: string;
        bytes: number;
      },
    ];
    expect(row).toEqual({ path: `media/${sha.slice(0, 2)}/${sha}.mp4`, sha256: sha, bytes: bytes.length });
    expect((await stat(path.join(t.dataDir, row.path))).size).toBe(bytes.length);
    expect(await readdir(path.join(t.dataDir, "tmp"))).toEqual([]);

    const project = await details(t, projectId);
    expect(project.media).toHaveLength(1);
    expect(project.segments).toEqual([
      expect.objectContaining({
        media_id: put.json.id,
        start_ts: 0,
        end_ts: put.json.duration,
        order_index: 0,
        active: true,
        source: "original",
        timeline_start: 0,
      }),
    ]);
    expect(project.duration).toBe(put.json.duration);

    // A second video is stored but does not change a timeline that exists.
    const second = await uploadOk(t, projectId, clips.wide);
    expect(second).toMatchObject({ width: 640, height: 360, fps: 30 });
    expect((await details(t, projectId)).segments).toHaveLength(1);
  });

  it("rejects a text file with 415 and deletes it", async () => {
    const { projectId } = await seedProject(t);
    const { start, put } = await upload(t, projectId, Buffer.from("just some text\nnot a video\n"), {
      fileName: "notes.mp4",
      contentType: "video/mp4",
    });
    expect(put.status).toBe(415);
    expect(put.json).toMatchObject({
      error: expect.stringContaining("Not a supported"),
      details: { reason: "not a supported video, audio or image file" },
    });
    // Our words only: no temp path, no ffmpeg stderr (issue 9).
    expect(put.body).not.toContain(t.dataDir);
    // Nothing left behind: no media row, no file.
    expect(await testSql(t, "select id from media where id = ?", [start.json.asset_id])).toEqual([]);
    expect(await readdir(path.join(t.dataDir, "tmp"))).toEqual([]);
    expect((await details(t, projectId)).segments).toEqual([]);
  });

  it("accepts an image and a sound file, and rejects a broken video stream", async () => {
    const { projectId } = await seedProject(t);
    const runner = await testFfmpegRunner();
    const jpg = path.join(dir, "still.jpg");
    await extractFrame(runner, { input: clips.a, atSec: 1, output: jpg });
    const image = await uploadOk(t, projectId, jpg);
    expect(image).toMatchObject({ kind: "image", mime: "image/jpeg", width: 320, height: 240 });
    const wav = path.join(dir, "tone.wav");
    await runner.run(["-f", "lavfi", "-i", "sine=frequency=220:duration=1", wav]);
    // Any content type is streamed as bytes, even JSON's (the API's JSON parser does not see the PUT).
    const { put: soundPut } = await upload(t, projectId, wav, { contentType: "application/json" });
    expect(soundPut.status, soundPut.body).toBe(200);
    expect(soundPut.json).toMatchObject({ kind: "audio", mime: "audio/wav", has_audio: true });
    // A valid header with garbage after it: ffprobe alone would accept it, the decode check does not.
    const good = await readFile(clips.silent);
    const broken = Buffer.concat([good.subarray(0, 2000), Buffer.alloc(good.length - 2000, 0x55)]);
    const { put } = await upload(t, projectId, broken);
    expect(put.status).toBe(415);
    expect((await details(t, projectId)).segments).toEqual([]);
  });

  it("refuses a reused, forged or expired URL, and a body past the limit", async () => {
    const { projectId } = await seedProject(t);
    const { start, put } = await upload(t, projectId, clips.silent);
    expect(put.status).toBe(200);
    const again = await t.call({
      method: "PUT",
      url: pathOf(start.json.upload_url),
      payload: Buffer.from("x"),
      token: null,
    });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/already used/);

    const fresh = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/upload`,
      payload: { file_name: "a.mp4", content_type: "video/mp4" },
    });
    const forged = pathOf(fresh.json.upload_url).replace(/sig=[^&]+/, "sig=AAAA");
    expect((await t.call({ method: "PUT", url: forged, payload: Buffer.from("x"), token: null })).status).toBe(403);
    const other = pathOf(fresh.json.upload_url).replace(fresh.json.asset_id, start.json.asset_id);
    expect((await t.call({ method: "PUT", url: other, payload: Buffer.from("x"), token: null })).status).toBe(403);

    const big = Buffer.alloc(2 * 1024 * 1024 + 10, 1);
    const tooBig = await t.call({
      method: "PUT",
      url: pathOf(fresh.json.upload_url),
      payload: big,
      headers: { "content-type": "application/octet-stream" },
      token: null,
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.details).toMatchObject({ limitBytes: 2 * 1024 * 1024 });
    expect(await readdir(path.join(t.dataDir, "tmp"))).toEqual([]);

    // Another user's project is 404, and so is an unknown one.
    const foreign = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/upload`,
      payload: { file_name: "a.mp4", content_type: "video/mp4" },
      token: t.other.token,
    });
    expect(foreign.status).toBe(404);
    const invalid = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/upload`,
      payload: { file_name: "" },
    });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.json.details.fieldErrors).sort()).toEqual(["content_type", "file_name"]);
  });

  it("a streamed body past the limit without content-length is cut off with 413", async () => {
    const { projectId } = await seedProject(t);
    const fresh = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/upload`,
      payload: { file_name: "a.mp4", content_type: "video/mp4" },
    });
    const { Readable } = await import("node:stream");
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 2)); // 2.5 MiB
    const res = await t.app.inject({
      method: "PUT",
      url: pathOf(fresh.json.upload_url),
      payload: Readable.from(chunks),
      headers: { "content-type": "video/mp4" },
    });
    expect(res.statusCode).toBe(413);
    expect(await readdir(path.join(t.dataDir, "tmp"))).toEqual([]);

    // No content-type header at all is fine too.
    const next = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/upload`,
      payload: { file_name: "a.mp4", content_type: "video/mp4" },
    });
    const bare = await t.app.inject({
      method: "PUT",
      url: pathOf(next.json.upload_url),
      payload: await readFile(clips.silent),
    });
    expect(bare.headers["content-type"]).toMatch(/json/);
    expect(bare.statusCode, bare.body).toBe(200);
  });
});

describe("video_url", () => {
  let cdn: Server;
  let cdnUrl: string;
  let local: TestApp;
  beforeAll(async () => {
    const video = await readFile(clips.silent);
    cdn = createServer((req, res) => {
      if (req.url === "/film.mp4") return res.writeHead(200, { "content-type": "video/mp4" }).end(video);
      if (req.url === "/fake.mp4")
        return res.writeHead(200, { "content-type": "video/mp4" }).end(Buffer.from("<html>not a video</html>"));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", r));
    cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
    local = await buildTestApp({ DAILIES_MIRROR_ALLOW_PRIVATE: "1", DAILIES_MIRROR_MAX_ATTEMPTS: "1" });
  });
  afterAll(async () => {
    await local.close();
    await new Promise<void>((r) => cdn.close(() => r()));
  });

  it("downloads and probes video_url and makes it the first segment", async () => {
    const created = await local.call({
      method: "POST",
      url: "/api/project",
      payload: { name: "From URL", video_url: `${cdnUrl}/film.mp4` },
    });
    expect(created.status).toBe(201);
    await idle(local);
    const project = await details(local, created.json.id);
    expect(project.media).toEqual([
      expect.objectContaining({ origin: "mirror", kind: "video", width: 320, height: 240, fps: 25, has_audio: false }),
    ]);
    expect(project.segments).toEqual([
      expect.objectContaining({ media_id: project.media[0].id, start_ts: 0, end_ts: project.media[0].duration }),
    ]);
    expect(project.duration).toBeCloseTo(2, 1);
  });

  it("fails the import of a file that is not a video, leaving no segment", async () => {
    const created = await local.call({
      method: "POST",
      url: "/api/project",
      payload: { name: "Fake", video_url: `${cdnUrl}/fake.mp4` },
    });
    await idle(local);
    const [job] = (await testSql(
      local,
      "select id, status, error from jobs where project_id = ? and kind = 'import-video'",
      [created.json.id],
    )) as [{ id: string; status: string; error: string }];
    expect(job).toMatchObject({
      status: "failed",
      error: expect.stringContaining("not a supported video, audio or image file"),
    });
    const project = await details(local, created.json.id);
    expect(project.segments).toEqual([]);
    // Refused from the probe: the download is deleted and never becomes media.
    expect(project.media.filter((m: { status: string }) => m.status === "ready")).toEqual([]);
    // The editing view of the same job.
    const view = await local.call({ method: "GET", url: `/api/job/${job.id}` });
    expect(view.json).toMatchObject({ id: job.id, kind: "import-video", status: "failed", variants: [] });
  });
});

describe("preview", () => {
  let projectId: string;
  let a: { id: string; duration: number };
  let silent: { id: string; duration: number };

  beforeAll(async () => {
    ({ projectId } = await seedProject(t));
    a = await uploadOk(t, projectId, clips.a);
    silent = await uploadOk(t, projectId, clips.silent);
    const added = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/segments`,
      payload: { media_id: silent.id },
    });
    expect(added.status, added.body).toBe(201);
  });

  it("answers a JPEG of the source's size at a timeline time, the exact frame of the right segment", async () => {
    counting.reset();
    const res = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: a.duration + 0.5 },
    });
    expect(res.status, res.body).toBe(200);
    // The frame on screen at 0.5 s of a 25 fps clip is frame 12 (0.48 .. 0.52).
    expect(res.json).toMatchObject({ timestamp: a.duration + 0.5, source_ts: 0.48 });
    expect(res.json.frame_url).toMatch(/\/frames\/[a-f0-9]{64}\.jpg\?p=proj_\w+&exp=\d+&sig=/);
    const project = await details(t, projectId);
    expect(res.json.segment_id).toBe(project.segments[1].id);
    expect(counting.runs).toHaveLength(1);
    expect(counting.runs[0]?.indexOf("-ss")).toBe(0); // seek before decoding

    const file = await download(t, res.json.frame_url, dir, "frame.jpg");
    expect(await probe(file)).toMatchObject({ kind: "image", videoCodec: "mjpeg", width: 320, height: 240 });
    // The same picture as extracting frame 12 of the silent clip directly.
    const direct = path.join(dir, "direct.jpg");
    await extractFrame(await testFfmpegRunner(), { input: clips.silent, atSec: 0.48, output: direct });
    expect((await readFile(file)).equals(await readFile(direct))).toBe(true);
  });

  it("serves a repeated frame from the cache without ffmpeg", async () => {
    const first = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 1.2 },
    });
    counting.reset();
    const again = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 1.2 },
    });
    // Another time inside the same frame (1.2 .. 1.24 at 25 fps) is the same frame.
    const sameFrame = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 1.21 },
    });
    expect(counting.runs).toHaveLength(0);
    expect(new URL(again.json.frame_url).pathname).toBe(new URL(first.json.frame_url).pathname);
    expect(new URL(sameFrame.json.frame_url).pathname).toBe(new URL(first.json.frame_url).pathname);
    expect(sameFrame.json).toMatchObject({ timestamp: 1.21, source_ts: 1.2 });
  });

  it("the timeline's end shows the last frame; outside the timeline is a 400", async () => {
    const end = a.duration + silent.duration;
    const last = await t.call({ method: "POST", url: `/api/project/${projectId}/preview/frame`, payload: { ts: end } });
    expect(last.status, last.body).toBe(200);
    expect(last.json.source_ts).toBeCloseTo(silent.duration - 0.04, 5);
    for (const ts of [end + 0.1, -1]) {
      const res = await t.call({ method: "POST", url: `/api/project/${projectId}/preview/frame`, payload: { ts } });
      expect(res.status).toBe(400);
      expect(res.json.details.fieldErrors).toHaveProperty("ts");
    }
    const missing = await t.call({ method: "POST", url: `/api/project/${projectId}/preview/frame`, payload: {} });
    expect(missing.json.details.fieldErrors).toEqual({ ts: ["Required"] });
    const { projectId: empty } = await seedProject(t);
    const none = await t.call({ method: "POST", url: `/api/project/${empty}/preview/frame`, payload: { ts: 0 } });
    expect(none.status).toBe(400);
    expect(none.json.details.fieldErrors.ts[0]).toMatch(/empty/);
    const foreign = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 0 },
      token: t.other.token,
    });
    expect(foreign.status).toBe(404);
  });

  it("a strip has ceil((end-start)*fps) frames at start + i/fps, across segments, equal to single frames", async () => {
    const res = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/strip`,
      payload: { start: 2, end: 4, fps: 2 },
    });
    expect(res.status, res.body).toBe(200);
    const project = await details(t, projectId);
    const [segA, segB] = project.segments;
    expect(res.json.frames.map((f: { timestamp: number }) => f.timestamp)).toEqual([2, 2.5, 3, 3.5]);
    expect(res.json.frames.map((f: { segment_id: string }) => f.segment_id)).toEqual([
      segA.id,
      segA.id,
      segB.id,
      segB.id,
    ]);
    expect(res.json.frames.map((f: { source_ts: number }) => f.source_ts)).toEqual([2, 2.48, 0, 0.48]);
    const single = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 2.5 },
    });
    expect(new URL(single.json.frame_url).pathname).toBe(new URL(res.json.frames[1].frame_url).pathname);

    // A dense strip (decoding pass) gives the same pictures as seeking frame by frame.
    counting.reset();
    const dense = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/strip`,
      payload: { start: 0.1, end: 0.5, fps: 10 },
    });
    expect(dense.json.frames).toHaveLength(4);
    expect(counting.runs.some((args) => args.includes("-filter_complex"))).toBe(true);
    // 0.3 s is inside frame 7 (0.28 .. 0.32).
    expect(dense.json.frames[2]).toMatchObject({ timestamp: 0.3, source_ts: 0.28 });
    const strip = await download(t, dense.json.frames[2].frame_url, dir, "dense.jpg");
    const direct = path.join(dir, "direct-0.28.jpg");
    await extractFrame(await testFfmpegRunner(), { input: clips.a, atSec: 0.28, output: direct });
    expect((await readFile(strip)).equals(await readFile(direct))).toBe(true);
    expect((await fetchSigned(t, dense.json.frames[0].frame_url)).headers["content-type"]).toBe("image/jpeg");
  });

  it("strip validation: end <= start, fps <= 0, more than 200 frames, outside the timeline", async () => {
    const cases: [Record<string, number>, string][] = [
      [{ start: 2, end: 2, fps: 1 }, "end"],
      [{ start: 2, end: 1, fps: 1 }, "end"],
      [{ start: 0, end: 2, fps: 0 }, "fps"],
      [{ start: 0, end: 2, fps: -3 }, "fps"],
      [{ start: 0, end: 4, fps: 60 }, "fps"],
      [{ start: 0, end: 9, fps: 1 }, "end"],
      [{ start: 7, end: 9, fps: 1 }, "start"],
      [{ start: -1, end: 1, fps: 1 }, "start"],
    ];
    for (const [payload, field] of cases) {
      const res = await t.call({ method: "POST", url: `/api/project/${projectId}/preview/strip`, payload });
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(res.json.details.fieldErrors, JSON.stringify(payload)).toHaveProperty(field);
    }
    const exactly200 = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/strip`,
      payload: { start: 0, end: 4, fps: 50 },
    });
    expect(exactly200.status, exactly200.body).toBe(200);
    expect(exactly200.json.frames).toHaveLength(200);
  });

  it("frame links are signed", async () => {
    const res = await t.call({ method: "POST", url: `/api/project/${projectId}/preview/frame`, payload: { ts: 0 } });
    const url = pathOf(res.json.frame_url);
    expect((await t.app.inject({ method: "GET", url })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: url.replace(/sig=[^&]+/, "sig=x") })).statusCode).toBe(403);
    const ranged = await t.app.inject({ method: "GET", url, headers: { range: "bytes=0-9" } });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.rawPayload).toHaveLength(10);
  });
});

describe("without ffmpeg", () => {
  it("health says so and media routes answer 503 in the error shape", async () => {
    const bare = await buildTestApp({ FFMPEG_PATH: "/nonexistent/ffmpeg", FFPROBE_PATH: "/nonexistent/ffprobe" });
    try {
      const health = await bare.call({ method: "GET", url: "/api/health", token: null });
      expect(health.json).toMatchObject({ status: "degraded", ffmpeg: { found: false, version: null } });
      const { projectId } = await seedProject(bare);
      const up = await bare.call({
        method: "POST",
        url: `/api/project/${projectId}/upload`,
        payload: { file_name: "a.mp4", content_type: "video/mp4" },
      });
      expect(up.status).toBe(503);
      expect(up.json).toMatchObject({
        error: "ffmpeg is not available: install ffmpeg or set FFMPEG_PATH",
        details: { hint: expect.any(String) },
      });
      expect(up.body).not.toContain("/nonexistent");
      const exp = await bare.call({
        method: "POST",
        url: "/api/export",
        payload: { project_id: projectId, format: "mp4" },
      });
      expect(exp.status).toBe(503);
    } finally {
      await bare.close();
    }
  });

  it("health reports the ffmpeg found", async () => {
    const health = await t.call({ method: "GET", url: "/api/health" });
    expect(health.json.ffmpeg).toMatchObject({ found: true, version: expect.any(String) });
    expect(health.json.details.ffmpeg).toMatchObject({ path: expect.any(String) });
  });
});
