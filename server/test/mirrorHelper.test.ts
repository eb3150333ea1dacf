// Mirror downloads and probes in a helper process (issue 17): the same stored file, sha256, media row and
// probe as on the API's event loop; the H.264 video read by its headers without ffprobe, the GIF thumbnail (which
// the header reader leaves alone) by ffprobe really spawned by the low-priority helper, not by the server; and the
// job's time limit still stops a download that crossed into the helper (its socket closed, no partial file left).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIRROR_HELPER_NICE } from "../src/services/mirrorTransfer.js";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";
import { testFfmpegRunner } from "./helpers/videos.js";

let scratch: string;
let VIDEO: Buffer;
let GIF: Buffer;
let cdn: Server;
let cdnUrl: string;
/** The slow download's request: closed by the server once the job's time limit aborted it. */
let slowClosedAt: number | undefined;
const hanging: IncomingMessage[] = [];
let fakeProbe: string;
let niceLog: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "dailies-mirror-helper-"));
  const { ffmpegPath, ffprobePath } = (await testFfmpegRunner()).binaries;
  const make = (args: string[], name: string) => {
    execFileSync(ffmpegPath, ["-hide_banner", "-loglevel", "error", "-y", ...args, join(scratch, name)]);
    return readFileSync(join(scratch, name));
  };
  VIDEO = make(["-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=1", "-pix_fmt", "yuv420p"], "v.mp4");
  GIF = make(["-f", "lavfi", "-i", "testsrc=size=48x32", "-frames:v", "1"], "t.gif");
  // The real ffprobe behind a wrapper that notes its own nice value and its parent, the process that spawned it
  // (fields 19 and 4 of /proc/self/stat).
  niceLog = join(scratch, "nice.log");
  fakeProbe = join(scratch, "ffprobe");
  writeFileSync(
    fakeProbe,
    `#!/bin/sh\nawk '{print $19, $4}' /proc/$$/stat >> '${niceLog}'\nexec '${ffprobePath}' "$@"\n`,
  );
  chmodSync(fakeProbe, 0o755);

  cdn = createServer((req, res) => {
    if (req.url?.startsWith("/v")) return res.writeHead(200, { "content-type": "video/mp4" }).end(VIDEO);
    if (req.url?.startsWith("/t")) return res.writeHead(200, { "content-type": "image/gif" }).end(GIF);
    if (req.url === "/slow.mp4") {
      // A CDN that starts an answer and then trickles: the download is mid-body when the limit hits.
      hanging.push(req);
      res.writeHead(200, { "content-type": "video/mp4", "content-length": String(VIDEO.length * 100) });
      res.write(VIDEO.subarray(0, 4096));
      const trickle = setInterval(() => res.write(Buffer.alloc(64)), 100);
      req.socket.on("close", () => {
        clearInterval(trickle);
        slowClosedAt = Date.now();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", r));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const req of hanging) req.socket.destroy();
  await new Promise<void>((r) => cdn.close(() => r()));
  rmSync(scratch, { recursive: true, force: true });
});

/** Each ffprobe run: its nice value and the process that spawned it. */
const probeRuns = () =>
  readFileSync(niceLog, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [nice, parent] = line.split(" ").map(Number);
      return { nice: nice as number, parent: parent as number };
    });

/** Files one Sora capture with these URLs in a new project of the app's user. */
async function captureWith(t: TestApp, urls: { outputUrl: string; thumbnailUrl?: string }) {
  const { projectId } = await seedProject(t);
  return t.call({
    method: "POST",
    url: "/api/extension/ingest",
    payload: { projectId, sceneId: "001", platformKey: "openai-sora", assetType: "VIDEO", prompt: "p", ...urls },
  });
}

/** One app per way of running mirrors; everything else identical. */
async function mirrorOnce(processes: "0" | "1") {
  rmSync(niceLog, { force: true });
  const t = await buildTestApp({
    DAILIES_MIRROR_ALLOW_PRIVATE: "1",
    DAILIES_MIRROR_PROCESSES: processes,
    FFPROBE_PATH: fakeProbe,
  });
  try {
    const res = await captureWith(t, { outputUrl: `${cdnUrl}/v.mp4`, thumbnailUrl: `${cdnUrl}/t.gif` });
    expect(res.status, res.body).toBe(200);
    await t.app.deps.worker.idle();
    const [version] = (await testSql(
      t,
      "select mirror_status, mirror_error, media_id, thumbnail_media_id from asset_versions where id = ?",
      [res.json.asset.id],
    )) as [Record<string, string | null>];
    const media = await testSql(t, "select * from media");
    const row = (id: string | null | undefined) => {
      const m = media.find((r) => r.id === id) as Record<string, unknown>;
      const { id: _id, created_at: _c, updated_at: _u, project_id: _p, ...rest } = m;
      return { ...rest, stored: readFileSync(t.app.deps.files.absolute(String(m.path))) };
    };
    // The probe results themselves, straight from the transfer, for the same stored files.
    const stored = (id: string | null | undefined) =>
      t.app.deps.files.absolute(String((media.find((r) => r.id === id) as { path: string }).path));
    const probe = {
      output: await t.app.deps.mirrorTransfer.probe(stored(version.media_id)),
      thumbnail: await t.app.deps.mirrorTransfer.probe(stored(version.thumbnail_media_id)),
    };
    const tmpLeft = readdirSync(await t.app.deps.files.dir("tmp"));
    const helpers = t.app.deps.mirrorTransfer.helperPids();
    return {
      version: { status: version.mirror_status, error: version.mirror_error },
      output: row(version.media_id),
      thumbnail: row(version.thumbnail_media_id),
      probe,
      tmpLeft,
      runs: probeRuns(),
      helpers,
    };
  } finally {
    await t.close();
  }
}

describe("mirroring in a helper process", () => {
  it("stores the same file, sha256, media row and probe as on the event loop, probing from a lower-priority helper", async () => {
    const onLoop = await mirrorOnce("0");
    const inHelper = await mirrorOnce("1");
    expect(inHelper.version).toEqual({ status: "mirrored", error: null });
    expect(onLoop.version).toEqual(inHelper.version);
    expect(inHelper.output.stored.equals(VIDEO)).toBe(true);
    expect(inHelper.thumbnail.stored.equals(GIF)).toBe(true);
    expect(inHelper.output).toMatchObject({ kind: "video", width: 96, height: 64, mime: "video/mp4" });
    expect(inHelper.thumbnail).toMatchObject({ width: 48, height: 32, mime: "image/gif" });
    expect(inHelper.output).toEqual(onLoop.output);
    expect(inHelper.thumbnail).toEqual(onLoop.thumbnail);
    expect(inHelper.probe).toEqual(onLoop.probe);
    expect(inHelper.tmpLeft).toEqual([]);
    // ffprobe ran for the thumbnail and its direct probe only (the video's headers were read): on the loop
    // spawned by the server at its priority, with a helper spawned by the helper, lower. (An app's start may also
    // run the wrapper for ffprobe's version, from the server at its priority.)
    const base = onLoop.runs[0]?.nice as number;
    expect(base).toBeLessThan(MIRROR_HELPER_NICE);
    expect(onLoop.helpers).toEqual([]);
    expect(onLoop.runs.length).toBeGreaterThanOrEqual(2);
    expect(onLoop.runs.every((r) => r.nice === base && r.parent === process.pid)).toBe(true);
    expect(inHelper.helpers).toHaveLength(1);
    const fromHelper = inHelper.runs.filter((r) => r.parent !== process.pid);
    expect(fromHelper).toEqual(Array(2).fill({ nice: MIRROR_HELPER_NICE, parent: inHelper.helpers[0] }));
    expect(inHelper.runs.every((r) => r.parent === process.pid || r.parent === inHelper.helpers[0])).toBe(true);
  }, 60_000);

  it("the job's time limit stops a download in the helper: socket closed, no partial file, failure recorded", async () => {
    const t = await buildTestApp({
      DAILIES_MIRROR_ALLOW_PRIVATE: "1",
      DAILIES_MIRROR_PROCESSES: "1",
      DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS: "2",
    });
    try {
      const res = await captureWith(t, { outputUrl: `${cdnUrl}/slow.mp4` });
      expect(res.status, res.body).toBe(200);
      const started = Date.now();
      await t.app.deps.worker.idle(15_000);
      expect(await testSql(t, "select status, error from jobs where kind = 'mirror-asset'")).toEqual([
        {
          status: "failed",
          error: "mirror-asset job timed out after 2 s (raise DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS to allow more)",
        },
      ]);
      expect(
        await testSql(t, "select mirror_status, mirror_error, media_id from asset_versions where id = ?", [
          res.json.asset.id,
        ]),
      ).toEqual([
        {
          mirror_status: "failed",
          mirror_error: expect.stringMatching(/timed out after 2 s/),
          media_id: null,
        },
      ]);
      // The abort crossed into the helper: the download's socket closed soon after the limit, well before the
      // download's own 300 s budget, and the partial file is gone.
      const deadline = Date.now() + 3000;
      while (slowClosedAt === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(slowClosedAt).toBeDefined();
      expect((slowClosedAt as number) - started).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(await t.app.deps.files.dir("tmp"))).toEqual([]);
      expect(await testSql(t, "select count(*) as n from media")).toEqual([{ n: 0 }]);
    } finally {
      await t.close();
    }
  }, 30_000);
});
