/**
 * Issue 9, items 2 and 4 (process half): every ffprobe/ffmpeg run has a time limit and is killed with its
 * process group; one global limiter with a bounded wait answers 503 + Retry-After past it. A hanging input (a
 * FIFO nobody writes) and a fake slow ffmpeg (a shell script with a child) stand in for hostile media.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFfmpegRunner, FfmpegError, runTimeoutMs } from "../../src/media/ffmpeg.js";
import { FfmpegBusyError, ProcessLimiter } from "../../src/media/limiter.js";
import { upload } from "../editing/helpers.js";
import { buildTestApp, seedProject } from "../helpers/app.js";
import { testFfmpegRunner } from "../helpers/videos.js";

let dir: string;
let slowFfmpeg: string;
let pidFile: string;
let clip: string;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-limits-"));
  pidFile = path.join(dir, "child.pid");
  // Answers `-version` like ffmpeg (start-up detection), otherwise starts a child and waits for it forever.
  slowFfmpeg = path.join(dir, "slow-ffmpeg.sh");
  await writeFile(
    slowFfmpeg,
    [
      "#!/bin/sh",
      'for a in "$@"; do if [ "$a" = "-version" ]; then echo "ffmpeg version 9.9-slow"; exit 0; fi; done',
      "sleep 300 &",
      `echo $! > "${pidFile}"`,
      "wait",
      "",
    ].join("\n"),
  );
  await chmod(slowFfmpeg, 0o755);
  const real = (await testFfmpegRunner()).binaries.ffmpegPath;
  clip = path.join(dir, "clip.mp4");
  execFileSync(real, [
    "-hide_banner",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc=s=64x64:d=1:r=10",
    "-pix_fmt",
    "yuv420p",
    clip,
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("time limits", () => {
  it("are seconds for probes and checks, proportional with a floor for renders", () => {
    const limits = { probeTimeoutMs: 5000, runFloorMs: 60_000, runMsPerMediaSecond: 4000 };
    expect(runTimeoutMs(limits, { check: true, mediaDurationSec: 3600 })).toBe(5000);
    expect(runTimeoutMs(limits, {})).toBe(60_000);
    expect(runTimeoutMs(limits, { mediaDurationSec: 2 })).toBe(60_000);
    expect(runTimeoutMs(limits, { mediaDurationSec: 600 })).toBe(2_400_000);
  });

  it("kills an ffprobe stuck on a hanging input at the probe limit", async () => {
    const fifo = path.join(dir, "hang.mp4");
    execFileSync("mkfifo", [fifo]);
    const real = (await testFfmpegRunner()).binaries;
    const runner = createFfmpegRunner({ ...real, limits: { probeTimeoutMs: 800 } });
    const started = Date.now();
    const error = await runner.probe(fifo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(runner.limiter.active).toBe(0);
  });

  it("kills a slow ffmpeg and everything it started (its process group) at the render limit", async () => {
    const real = (await testFfmpegRunner()).binaries;
    const runner = createFfmpegRunner({ ...real, ffmpegPath: slowFfmpeg, limits: { runFloorMs: 800 } });
    const error = await runner.run(["-i", clip, "-f", "null", "-"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).timedOut).toBe(true);
    const child = Number(await readFile(pidFile, "utf8"));
    expect(child).toBeGreaterThan(0);
    expect(await waitDead(child)).toBe(true);
  });

  it("kills the group on cancellation too", async () => {
    await rm(pidFile, { force: true });
    const real = (await testFfmpegRunner()).binaries;
    const runner = createFfmpegRunner({ ...real, ffmpegPath: slowFfmpeg });
    const controller = new AbortController();
    const running = runner.run(["-i", clip, "-f", "null", "-"], { signal: controller.signal });
    let child = 0;
    for (let i = 0; i < 100 && !child; i++) {
      await new Promise((r) => setTimeout(r, 50));
      child = Number(await readFile(pidFile, "utf8").catch(() => "0"));
    }
    controller.abort(new Error("stop"));
    await expect(running).rejects.toThrow("stop");
    expect(await waitDead(child)).toBe(true);
  });

  it("an upload whose decode check hangs answers 415 at the limit instead of holding the request", async () => {
    const t = await buildTestApp({ FFMPEG_PATH: slowFfmpeg, DAILIES_PROBE_TIMEOUT_SECONDS: "1" });
    try {
      const { projectId } = await seedProject(t);
      const { put } = await upload(t, projectId, clip);
      expect(put.status, put.body).toBe(415);
      expect(put.json.details.reason).toBe("reading the file took too long");
    } finally {
      await t.close();
    }
  });
});

describe("global ffmpeg limit", () => {
  it("queues up to its bound and refuses past it with FfmpegBusyError", async () => {
    const limiter = new ProcessLimiter({ concurrency: 1, maxWaiting: 1, retryAfterSeconds: 7 });
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const second = limiter.run(async () => "second");
    const third = limiter.run(async () => "third").catch((e: unknown) => e);
    // A background job (unbounded) waits its turn even past the bound.
    const job = limiter.run(async () => "job", undefined, false);
    const refused = (await third) as FfmpegBusyError;
    expect(refused).toBeInstanceOf(FfmpegBusyError);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers).toEqual({ "retry-after": "7" });
    expect(limiter.queued).toBe(2);
    release();
    await first;
    expect(await second).toBe("second");
    expect(await job).toBe("job");
    expect(limiter.active).toBe(0);
  });

  it("answers 503 with Retry-After in the error shape when every slot and the queue are taken", async () => {
    const t = await buildTestApp({
      FFMPEG_PATH: slowFfmpeg,
      DAILIES_PROBE_TIMEOUT_SECONDS: "3",
      DAILIES_FFMPEG_CONCURRENCY: "1",
      DAILIES_FFMPEG_QUEUE: "0",
    });
    try {
      const { projectId } = await seedProject(t);
      const busy = upload(t, projectId, clip);
      // Wait until the first upload holds the only slot (its decode check is hanging).
      for (let i = 0; i < 100 && t.app.deps.ffmpeg?.limiter.active === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      const { put } = await upload(t, projectId, clip);
      expect(put.status, put.body).toBe(503);
      expect(put.headers["retry-after"]).toMatch(/^\d+$/);
      expect(put.json).toMatchObject({ error: expect.stringContaining("busy"), details: { retryAfterSeconds: 5 } });
      expect((await busy).put.status).toBe(415);
    } finally {
      await t.close();
    }
  });
});
