/**
 * Helpers for the editing tests: tiny generated clips (testsrc2, 2–3 s), uploads through the two-step API,
 * fetching signed URLs through app.inject, and a counting ffmpeg runner swapped into the app.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import { createFfmpegRunner, type FfmpegRunner } from "../../src/media/ffmpeg.js";
import { measureMeanLuma } from "../../src/media/operations.js";
import type { ProbeResult } from "../../src/media/probe.js";
import type { TestApp } from "../helpers/app.js";
import { makeTestVideo, testFfmpegRunner } from "../helpers/videos.js";

export interface Clips {
  /** 3 s, 320x240, 25 fps, 440 Hz sine. */
  a: string;
  /** 2 s, 320x240, 25 fps, no audio. */
  silent: string;
  /** 2 s, 640x360, 30 fps, with audio: another size and frame rate. */
  wide: string;
}

export async function makeClips(dir: string): Promise<Clips> {
  const [a, silent, wide] = await Promise.all([
    makeTestVideo(dir, { seconds: 3 }),
    makeTestVideo(dir, { seconds: 2, audio: false }),
    makeTestVideo(dir, { seconds: 2, width: 640, height: 360, fps: 30 }),
  ]);
  return { a, silent, wide };
}

/** A URL the server handed out, as a path for app.inject. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** POST /upload then PUT the bytes; returns both responses. */
export async function upload(
  t: TestApp,
  projectId: string,
  file: string | Buffer,
  options: { fileName?: string; contentType?: string } = {},
) {
  const start = await t.call({
    method: "POST",
    url: `/api/project/${projectId}/upload`,
    payload: {
      file_name: options.fileName ?? (typeof file === "string" ? path.basename(file) : "upload.bin"),
      content_type: options.contentType ?? "video/mp4",
    },
  });
  expect(start.status, start.body).toBe(201);
  const body = typeof file === "string" ? await readFile(file) : file;
  const put = await t.call({
    method: "PUT",
    url: pathOf(start.json.upload_url),
    payload: body,
    headers: { "content-type": options.contentType ?? "video/mp4" },
    token: null,
  });
  return { start, put };
}

/** Uploads and expects success; returns the media view. */
export async function uploadOk(t: TestApp, projectId: string, file: string) {
  const { put } = await upload(t, projectId, file);
  expect(put.status, put.body).toBe(200);
  return put.json;
}

/** GETs a signed URL (no bearer) and returns the raw response. */
export async function fetchSigned(t: TestApp, url: string, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: "GET", url: pathOf(url), headers });
  return { status: res.statusCode, headers: res.headers, body: res.rawPayload };
}

/** Saves a signed URL's body to `dir/name` and returns the path. */
export async function download(t: TestApp, url: string, dir: string, name: string): Promise<string> {
  const res = await fetchSigned(t, url);
  expect(res.status).toBe(200);
  const file = path.join(dir, name);
  await writeFile(file, res.body);
  return file;
}

export interface Counting {
  runner: FfmpegRunner;
  runs: (readonly string[])[];
  /** Runs that rendered a timeline part (H.264 + AAC encodes). */
  renders: () => number;
  reset: () => void;
}

/** Replaces the app's ffmpeg runner by one that records every run. */
export async function countRuns(t: TestApp): Promise<Counting> {
  const { binaries } = await testFfmpegRunner();
  const runs: (readonly string[])[] = [];
  const runner = createFfmpegRunner({ ...binaries, onRun: (args) => runs.push(args) });
  t.app.deps.ffmpeg = runner;
  return {
    runner,
    runs,
    renders: () => runs.filter((a) => a.includes("libx264") && !a.includes("concat")).length,
    reset: () => {
      runs.length = 0;
    },
  };
}

export async function probe(file: string): Promise<ProbeResult> {
  return (await testFfmpegRunner()).probe(file);
}

export async function meanLuma(file: string): Promise<number> {
  return measureMeanLuma(await testFfmpegRunner(), { input: file });
}

/** Waits for the app's background jobs. */
export const idle = (t: TestApp) => t.app.deps.worker.idle(60_000);

/** The project as GET /api/project/{id} shows it. */
export async function details(t: TestApp, projectId: string) {
  const res = await t.call({ method: "GET", url: `/api/project/${projectId}` });
  expect(res.status, res.body).toBe(200);
  return res.json;
}
