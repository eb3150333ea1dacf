/**
 * Issue 9, items 1 and 3: media files must not reach outside themselves, and decompression bombs are refused
 * from the probe. Every hostile file is generated here. Real ffmpeg, real HTTP, a real SQLite data folder.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { details, idle, upload } from "../editing/helpers.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { testFfmpegRunner } from "../helpers/videos.js";

let dir: string;
let ffmpeg: string;
/** Outside every data folder: what the playlists try to read. */
let victim: string;
const real: Record<"mp4" | "webm" | "png" | "m4a", string> = { mp4: "", webm: "", png: "", m4a: "" };

function make(args: string[], name: string): string {
  const out = path.join(dir, name);
  execFileSync(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...args, out]);
  return out;
}

/** An HLS playlist naming `target`; `live` leaves out #EXT-X-ENDLIST and declares a huge target duration. */
function playlist(target: string, options: { live?: boolean; extended?: boolean } = {}): Buffer {
  const lines = ["#EXTM3U"];
  if (options.extended !== false) {
    lines.push("#EXT-X-VERSION:3", `#EXT-X-TARGETDURATION:${options.live ? 100000 : 3}`, "#EXT-X-MEDIA-SEQUENCE:0");
  }
  lines.push("#EXTINF:3.0,", target);
  if (!options.live && options.extended !== false) lines.push("#EXT-X-ENDLIST");
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** A PNG header declaring width × height, with one row of data: a few hundred bytes, a huge decode. */
function pngBomb(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc(width * 3 + 1))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const SVG_BOMB = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"><script>alert(1)</script></svg>',
);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-hostile-"));
  ffmpeg = (await testFfmpegRunner()).binaries.ffmpegPath;
  victim = make(
    ["-f", "lavfi", "-i", "color=c=red:s=64x64:d=3:r=10", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "victim.mkv",
  );
  real.mp4 = make(
    ["-f", "lavfi", "-i", "testsrc=s=64x64:d=1:r=10", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "real.mp4",
  );
  real.webm = make(
    ["-f", "lavfi", "-i", "testsrc=s=64x64:d=1:r=10", "-c:v", "libvpx-vp9", "-b:v", "100k"],
    "real.webm",
  );
  real.png = make(["-f", "lavfi", "-i", "testsrc=s=64x64", "-frames:v", "1"], "real.png");
  real.m4a = make(["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac"], "real.m4a");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A local "CDN" that also counts requests, to prove a playlist never made ffmpeg call out. */
async function startCdn(routes: Record<string, { type: string; body: () => Buffer }>) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const route = routes[req.url ?? ""];
    if (!route) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": route.type }).end(route.body());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("uploads", () => {
  let t: TestApp;
  let projectId: string;
  let cdn: Awaited<ReturnType<typeof startCdn>>;
  beforeAll(async () => {
    t = await buildTestApp();
    ({ projectId } = await seedProject(t));
    cdn = await startCdn({ "/seg.ts": { type: "video/mp2t", body: () => Buffer.alloc(188, 0x47) } });
  });
  afterAll(async () => {
    await t.close();
    await cdn.close();
  });

  async function expectRefused(bytes: Buffer, fileName: string, contentType = "video/mp4") {
    const { start, put } = await upload(t, projectId, bytes, { fileName, contentType });
    expect(put.status, put.body).toBe(415);
    expect(put.json).toMatchObject({ error: expect.any(String), details: { reason: expect.any(String) } });
    expect(put.body).not.toContain(t.dataDir);
    expect(put.body).not.toContain(dir);
    // No media row is left (issue 9: "leaves no media row").
    expect(await testSql(t, "select id from media where id = ?", [start.json.asset_id])).toEqual([]);
    return put.json;
  }

  it("refuses HLS playlists naming a file outside the data folder, as .mp4 and .m3u8, plain and #EXT-X-", async () => {
    for (const extended of [true, false]) {
      const json = await expectRefused(playlist(victim, { extended }), "innocent.mp4");
      expect(json.details.reason).toBe("not a supported video, audio or image file");
      await expectRefused(playlist(victim, { extended }), "innocent.m3u8", "application/vnd.apple.mpegurl");
    }
    // No ready media and no stored file came of it.
    const project = await details(t, projectId);
    expect(project.media.filter((m: { status: string }) => m.status === "ready")).toEqual([]);
    expect(await readdir(path.join(t.dataDir, "tmp"))).toEqual([]);
  });

  it("refuses playlists naming the data folder's own media and an http://127.0.0.1 segment", async () => {
    const { put } = await upload(t, projectId, real.mp4, { fileName: "real.mp4" });
    expect(put.status, put.body).toBe(200);
    const [stored] = (await testSql(t, "select path from media where id = ?", [put.json.id])) as [{ path: string }];
    await expectRefused(playlist(path.join(t.dataDir, stored.path)), "own.mp4");
    await expectRefused(playlist(`${cdn.url}/seg.ts`), "net.mp4");
    await expectRefused(playlist(`${cdn.url}/seg.ts`, { live: true }), "live.m3u8");
    expect(cdn.hits).toEqual([]);
  });

  it("refuses SVG and a PNG bomb from the probe, before any decode", async () => {
    await expectRefused(SVG_BOMB, "bomb.svg", "image/svg+xml");
    const bomb = pngBomb(16000, 16000);
    expect(bomb.length).toBeLessThan(2000);
    const json = await expectRefused(bomb, "bomb.png", "image/png");
    expect(json.details.reason).toMatch(/16000×16000.*pixel limit/);
  });

  it("still accepts a real H.264 mp4, a VP9 WebM, a PNG and an m4a", async () => {
    const expected = [
      [real.mp4, "video/mp4", "video", "video/mp4"],
      [real.webm, "video/webm", "video", "video/webm"],
      [real.png, "image/png", "image", "image/png"],
      [real.m4a, "audio/mp4", "audio", "audio/mp4"],
    ] as const;
    for (const [file, claimed, kind, mime] of expected) {
      const { put } = await upload(t, projectId, await readFile(file), {
        fileName: path.basename(file),
        contentType: claimed,
      });
      expect(put.status, `${file}: ${put.body}`).toBe(200);
      expect(put.json).toMatchObject({ status: "ready", kind, mime });
    }
  });
});

describe("limits from the probe", () => {
  it("refuses a video over the frame size, frame rate or duration limits (configurable)", async () => {
    const small = await buildTestApp({ DAILIES_MAX_VIDEO_PIXELS: String(32 * 32) });
    const slow = await buildTestApp({ DAILIES_MAX_FPS: "5" });
    const short = await buildTestApp({ DAILIES_MAX_DURATION_SECONDS: "1" });
    try {
      const long = make(
        ["-f", "lavfi", "-i", "testsrc=s=32x32:d=2:r=4", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
        "long.mp4",
      );
      const cases: [TestApp, string, RegExp][] = [
        [small, real.mp4, /64×64.*frame limit/],
        [slow, real.mp4, /10 frames per second/],
        [short, long, /lasts 2 s/],
      ];
      for (const [app, file, reason] of cases) {
        const { projectId } = await seedProject(app);
        const { put } = await upload(app, projectId, file);
        expect(put.status, put.body).toBe(415);
        expect(put.json.details.reason).toMatch(reason);
      }
    } finally {
      await Promise.all([small.close(), slow.close(), short.close()]);
    }
  });
});

describe("mirroring and video_url", () => {
  let t: TestApp;
  let cdn: Awaited<ReturnType<typeof startCdn>>;
  beforeAll(async () => {
    cdn = await startCdn({
      "/innocent.mp4": { type: "video/mp4", body: () => playlist(victim) },
      "/live.m3u8": { type: "video/mp4", body: () => playlist(`${cdn.url}/seg.ts`, { live: true }) },
      "/thumb.svg": { type: "image/svg+xml", body: () => SVG_BOMB },
      "/bomb.png": { type: "image/png", body: () => pngBomb(16000, 16000) },
      // A real H.264 mp4 over this app's frame limit: read from its headers (media/headerProbe.ts), not ffprobe.
      "/large.mp4": { type: "video/mp4", body: () => readFileSync(real.mp4) },
    });
    t = await buildTestApp({
      DAILIES_MIRROR_ALLOW_PRIVATE: "1",
      DAILIES_MIRROR_MAX_ATTEMPTS: "1",
      DAILIES_MAX_VIDEO_PIXELS: String(64 * 64 - 1),
    });
  });
  afterAll(async () => {
    await t.close();
    await cdn.close();
  });

  it("a video_url playlist import ends failed with a clear reason, and its download is gone", async () => {
    for (const route of ["/innocent.mp4", "/live.m3u8"]) {
      const created = await t.call({
        method: "POST",
        url: "/api/project",
        payload: { name: "Hostile", video_url: `${cdn.url}${route}` },
      });
      expect(created.status).toBe(201);
      await idle(t);
      const [job] = (await testSql(t, "select status, error from jobs where project_id = ? and kind = 'import-video'", [
        created.json.id,
      ])) as [{ status: string; error: string }];
      expect(job.status).toBe("failed");
      expect(job.error).toContain("not a supported video, audio or image file");
      expect(job.error).not.toContain(t.dataDir);
      const project = await details(t, created.json.id);
      expect(project.media).toEqual([]);
      expect(project.segments).toEqual([]);
    }
    expect(cdn.hits.filter((h) => h === "/seg.ts")).toEqual([]);
    const stored = await readdir(path.join(t.dataDir, "media"), { recursive: true }).catch(() => []);
    expect(stored.filter((f) => String(f).includes("."))).toEqual([]);
  });

  it("capture mirroring of a playlist, an SVG, a PNG bomb and an H.264 frame over the limit ends mirror_failed", async () => {
    const { projectId } = await seedProject(t);
    const cases = [
      ["/innocent.mp4", "VIDEO", "not a supported video, audio or image file"],
      ["/thumb.svg", "IMAGE", "not a supported video, audio or image file"],
      ["/bomb.png", "IMAGE", "pixel limit"],
      ["/large.mp4", "VIDEO", "the video is 64×64, more than the 4095-pixel frame limit"],
    ] as const;
    for (const [route, assetType, reason] of cases) {
      const res = await t.call({
        method: "POST",
        url: "/api/extension/ingest",
        payload: {
          projectId,
          sceneId: "001",
          platformKey: "openai-sora",
          assetType,
          prompt: "p",
          outputUrl: `${cdn.url}${route}`,
        },
      });
      expect(res.status, res.body).toBe(200);
      await idle(t);
      const [row] = (await testSql(t, "select mirror_status, mirror_error, media_id from asset_versions where id = ?", [
        res.json.asset.id,
      ])) as [{ mirror_status: string; mirror_error: string; media_id: string | null }];
      expect(row).toMatchObject({ mirror_status: "failed", media_id: null });
      expect(row.mirror_error).toContain(reason);
    }
  });
});

describe("ffmpeg never sees an unsafe input name", () => {
  it("refuses URLs and image2 patterns before starting ffmpeg", async () => {
    const runner = await testFfmpegRunner();
    await expect(runner.probe("http://127.0.0.1:1/x.mp4")).rejects.toThrow(/plain local file/);
    await expect(runner.run(["-i", path.join(dir, "img%03d.png"), "-f", "null", "-"])).rejects.toThrow(
      /plain local file/,
    );
    await writeFile(path.join(dir, "list.m3u8"), playlist(victim));
    await expect(runner.probe(path.join(dir, "list.m3u8"))).rejects.toThrow(/not on whitelist|Invalid/);
  });
});
