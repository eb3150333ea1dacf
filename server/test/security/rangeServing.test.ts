/**
 * Signed files are served by `@fastify/static`'s `sendFile` behind our link check (issue 10): one range is a
 * 206, an unsatisfiable one a 416 that names the size, a stale If-Range gets the whole file, an unchanged
 * file answers 304 to If-None-Match, HEAD has the headers without the body, and our type, cache policy and
 * security headers stay in front.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pathOf, upload } from "../editing/helpers.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testFfmpegRunner } from "../helpers/videos.js";

let dir: string;
let clip: string;
let t: TestApp;
let url: string;
let size: number;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-ranges-"));
  clip = path.join(dir, "clip.mp4");
  const ffmpeg = (await testFfmpegRunner()).binaries.ffmpegPath;
  execFileSync(
    ffmpeg,
    ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=s=64x64:d=1:r=10"].concat([
      "-pix_fmt",
      "yuv420p",
      clip,
    ]),
  );
  size = (await stat(clip)).size;
  t = await buildTestApp();
  const { projectId } = await seedProject(t);
  const { put } = await upload(t, projectId, clip);
  expect(put.status, put.body).toBe(200);
  url = pathOf(put.json.url);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (headers: Record<string, string> = {}, method: "GET" | "HEAD" = "GET") =>
  t.app.inject({ method, url, headers });

describe("range serving", () => {
  it("answers one range with 206 and the exact bytes, with our headers", async () => {
    const whole = await get();
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.length).toBe(size);
    expect(whole.headers["accept-ranges"]).toBe("bytes");
    const part = await get({ range: "bytes=10-19" });
    expect(part.statusCode).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 10-19/${size}`);
    expect(part.rawPayload).toEqual(whole.rawPayload.subarray(10, 20));
    expect(part.headers["content-type"]).toBe("video/mp4");
    expect(part.headers["cache-control"]).toBe("private, max-age=3600");
    expect(part.headers["content-security-policy"]).toBe("default-src 'none'; sandbox");
    const tail = await get({ range: "bytes=-5" });
    expect(tail.rawPayload).toEqual(whole.rawPayload.subarray(size - 5));
  });

  it("answers an unsatisfiable range with 416 naming the size, as JSON", async () => {
    const res = await get({ range: `bytes=${size + 10}-` });
    expect(res.statusCode).toBe(416);
    expect(res.headers["content-range"]).toBe(`bytes */${size}`);
    expect(res.json().error).toMatch(/range not satisfiable/i);
  });

  it("supports If-Range, If-None-Match and HEAD", async () => {
    const first = await get();
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const fresh = await get({ range: "bytes=0-3", "if-range": etag });
    expect(fresh.statusCode).toBe(206);
    const stale = await get({ range: "bytes=0-3", "if-range": '"not-this-file"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.length).toBe(size);
    const unchanged = await get({ "if-none-match": etag });
    expect(unchanged.statusCode).toBe(304);
    const head = await get({}, "HEAD");
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers["content-length"])).toBe(size);
    expect(head.rawPayload.length).toBe(0);
  });

  it("still checks the signature first", async () => {
    const res = await t.app.inject({ method: "GET", url: url.replace(/sig=[^&]+/, "sig=AAAA"), headers: {} });
    expect(res.statusCode).toBe(403);
  });
});
