/**
 * Issue 9, items 5, 6 and 8: served files carry nosniff and a sandboxing CSP with the type from our probe;
 * signed links stop working once their project is deleted; the default link lifetime is a few hours.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { servedInline } from "../../src/routes/media.js";
import { fetchSigned, upload } from "../editing/helpers.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { testSql } from "../helpers/sql.js";
import { testFfmpegRunner } from "../helpers/videos.js";

let dir: string;
let clip: string;
let t: TestApp;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dailies-served-"));
  clip = path.join(dir, "clip.mp4");
  const ffmpeg = (await testFfmpegRunner()).binaries.ffmpegPath;
  execFileSync(ffmpeg, [
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
  t = await buildTestApp();
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe("served files", () => {
  it("carry nosniff and a sandboxing CSP, with the probed type whatever the client claimed", async () => {
    const { projectId } = await seedProject(t);
    const { put } = await upload(t, projectId, clip, { contentType: "image/svg+xml", fileName: "x.svg" });
    expect(put.status, put.body).toBe(200);
    const file = await fetchSigned(t, put.json.url);
    expect(file.status).toBe(200);
    expect(file.headers["content-type"]).toBe("video/mp4");
    expect(file.headers["x-content-type-options"]).toBe("nosniff");
    expect(file.headers["content-security-policy"]).toBe("default-src 'none'; sandbox");
    expect(file.headers["content-disposition"]).toBeUndefined();
  });

  it("serves anything that is not probed video, audio or raster image as an attachment", () => {
    for (const mime of ["video/mp4", "audio/mp4", "image/png", "image/jpeg", "image/webp"])
      expect(servedInline(mime)).toBe(true);
    for (const mime of ["image/svg+xml", "text/html", "application/octet-stream", "application/xml"])
      expect(servedInline(mime)).toBe(false);
  });

  it("an SVG row that slipped in (no ffmpeg at mirror time) downloads as an attachment, never inline", async () => {
    const { projectId } = await seedProject(t);
    const { put } = await upload(t, projectId, clip);
    await testSql(t, "update media set mime = 'image/svg+xml' where id = ?", [put.json.id]);
    const view = await t.call({ method: "GET", url: `/api/project/${projectId}` });
    const url = view.json.media.find((m: { id: string }) => m.id === put.json.id).url;
    const file = await fetchSigned(t, url);
    expect(file.headers["content-type"]).toBe("application/octet-stream");
    expect(String(file.headers["content-disposition"])).toMatch(/^attachment/);
  });

  it("every API answer says nosniff too", async () => {
    const res = await t.call({ method: "GET", url: "/api/health", token: null });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("signed links", () => {
  it("stop answering once their project is deleted (media and frames)", async () => {
    const { projectId } = await seedProject(t);
    const { put } = await upload(t, projectId, clip);
    expect(put.status, put.body).toBe(200);
    const frame = await t.call({
      method: "POST",
      url: `/api/project/${projectId}/preview/frame`,
      payload: { ts: 0.5 },
    });
    expect(frame.status, frame.body).toBe(200);
    const frameUrl = frame.json.frame_url as string;
    expect(frameUrl).toMatch(/\/frames\/[a-f0-9]{64}\.jpg\?p=/);
    expect((await fetchSigned(t, frameUrl)).status).toBe(200);
    expect((await fetchSigned(t, put.json.url)).status).toBe(200);
    // A frame link is bound to its project: moving it to another project breaks the signature.
    const other = await seedProject(t);
    expect((await fetchSigned(t, frameUrl.replace(/p=[^&]+/, `p=${other.projectId}`))).status).toBe(403);

    const del = await t.call({ method: "DELETE", url: `/api/project/${projectId}` });
    expect(del.status, del.body).toBeLessThan(300);
    expect((await fetchSigned(t, frameUrl)).status).toBe(404);
    expect((await fetchSigned(t, put.json.url)).status).toBe(404);
  });

  it("last four hours by default", () => {
    const config = loadConfig({});
    expect(config.DAILIES_SIGNED_URL_TTL_SECONDS).toBe(4 * 3600);
  });
});
