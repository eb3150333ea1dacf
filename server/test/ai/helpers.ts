/**
 * Helpers for the AI region generation tests: a project with uploaded clips on its timeline (through the
 * upload API), running a generation to its end, and saving signed files for measurement.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import type { TestApp } from "../helpers/app.js";

/** A URL the server handed out, as a path for app.inject. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

export async function createProject(t: TestApp, name = "Film", token?: string): Promise<string> {
  const res = await t.call({ method: "POST", url: "/api/project", payload: { name }, token });
  expect(res.status, res.body).toBe(201);
  return res.json.id as string;
}

/** Uploads a clip (POST /upload, then PUT the bytes); the first video becomes the first segment. */
export async function uploadClip(t: TestApp, projectId: string, file: string, token?: string): Promise<string> {
  const start = await t.call({
    method: "POST",
    url: `/api/project/${projectId}/upload`,
    payload: { file_name: path.basename(file), content_type: "video/mp4" },
    token,
  });
  expect(start.status, start.body).toBe(201);
  const put = await t.call({
    method: "PUT",
    url: pathOf(start.json.upload_url),
    payload: await readFile(file),
    headers: { "content-type": "video/mp4" },
    token: null,
  });
  expect(put.status, put.body).toBe(200);
  return start.json.asset_id as string;
}

/** GET /api/project/{id}: its active timeline and duration. */
export async function timeline(t: TestApp, projectId: string, token?: string) {
  const res = await t.call({ method: "GET", url: `/api/project/${projectId}`, token });
  expect(res.status, res.body).toBe(200);
  return res.json as {
    duration: number;
    segments: {
      id: string;
      media_id: string;
      start_ts: number;
      end_ts: number;
      source: string;
      variant_id: string | null;
      order_index: number;
      timeline_start: number;
    }[];
  };
}

/** POST /api/ai/generate, wait for the worker, GET /api/job/{id}. */
export async function generate(t: TestApp, body: Record<string, unknown>, token?: string) {
  const res = await t.call({ method: "POST", url: "/api/ai/generate", payload: body, token });
  expect(res.status, res.body).toBe(202);
  await t.app.deps.worker.idle(120_000);
  const job = await t.call({ method: "GET", url: `/api/job/${res.json.job_id}`, token });
  expect(job.status, job.body).toBe(200);
  return { accepted: res.json, job: job.json };
}

/** Saves a signed URL's body (no bearer) to `dir/name`. */
export async function download(t: TestApp, url: string, dir: string, name: string) {
  const res = await t.app.inject({ method: "GET", url: pathOf(url) });
  expect(res.statusCode).toBe(200);
  const file = path.join(dir, name);
  await writeFile(file, res.rawPayload);
  return { file, contentType: String(res.headers["content-type"]) };
}
