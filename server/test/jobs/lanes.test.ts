import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upload } from "../editing/helpers.js";
import { buildTestApp, seedProject, type TestApp } from "../helpers/app.js";
import { makeTestVideo } from "../helpers/videos.js";

// A CDN whose /hang never answers (and notes when the downloader gives up the connection), and a real clip.
let cdn: Server;
let cdnUrl: string;
const hanging: IncomingMessage[] = [];
let closedHanging = 0;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 1)]);

beforeAll(async () => {
  cdn = createServer((req, res) => {
    if (req.url === "/t.jpg") return res.writeHead(200, { "content-type": "image/jpeg" }).end(JPEG);
    hanging.push(req);
    req.socket.on("close", () => closedHanging++);
  });
  await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", r));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const req of hanging) req.socket.destroy();
  return new Promise<void>((r) => cdn.close(() => r()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("job lanes and time limits, through the API", () => {
  let t: TestApp;
  let projectId: string;
  beforeAll(async () => {
    t = await buildTestApp({
      DAILIES_MIRROR_ALLOW_PRIVATE: "1",
      DAILIES_JOB_CONCURRENCY_DOWNLOADS: "1",
      DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS: "3",
    });
    ({ projectId } = await seedProject(t));
  });
  afterAll(() => t.close());

  const ingest = async (fields: Record<string, unknown>) => {
    const res = await t.call({
      method: "POST",
      url: "/api/extension/ingest",
      payload: { projectId, sceneId: "001", platformKey: "openai-sora", assetType: "VIDEO", prompt: "p", ...fields },
    });
    expect(res.status, res.body).toBe(200);
    return res.json.asset.id as string;
  };
  const version = (id: string) =>
    t.app.deps.db.$client
      .prepare("select mirror_status as mirrorStatus, mirror_error as mirrorError from asset_versions where id = ?")
      .get(id) as { mirrorStatus: string; mirrorError: string | null };
  const mirrorJob = (assetId: string) =>
    t.app.deps.db.$client
      .prepare(
        "select status, error from jobs where kind = 'mirror-asset' and json_extract(input, '$.assetVersionId') = ?",
      )
      .get(assetId) as { status: string; error: string | null };

  it("an export runs while a hanging download fills the downloads lane; the download times out and frees it", async () => {
    const clip = await makeTestVideo(t.dataDir, { seconds: 1 });
    expect((await upload(t, projectId, clip)).put.status).toBe(200);

    const stuck = await ingest({ outputUrl: `${cdnUrl}/hang.mp4` });
    const next = await ingest({ thumbnailUrl: `${cdnUrl}/t.jpg` });
    const deadline = Date.now() + 2000;
    while (mirrorJob(stuck).status !== "running" && Date.now() < deadline) await sleep(10);
    expect(mirrorJob(stuck).status).toBe("running");

    const started = await t.call({
      method: "POST",
      url: "/api/export",
      payload: { project_id: projectId, format: "mp4" },
    });
    expect(started.status, started.body).toBe(202);
    let exportStatus: { status: string } = { status: "pending" };
    while (exportStatus.status === "pending" || exportStatus.status === "running") {
      await sleep(50);
      exportStatus = (await t.call({ method: "GET", url: `/api/export/${started.json.export_job_id}` })).json;
    }
    expect(exportStatus.status).toBe("completed");
    // The export did not wait for the downloads lane: the hanging mirror still holds it, the next one waits.
    expect(mirrorJob(stuck).status).toBe("running");
    expect(mirrorJob(next).status).toBe("pending");

    await t.app.deps.worker.idle(15_000);
    expect(mirrorJob(stuck)).toEqual({
      status: "failed",
      error: "mirror-asset job timed out after 3 s (raise DAILIES_JOB_TIMEOUT_DOWNLOADS_SECONDS to allow more)",
    });
    expect(version(stuck)).toEqual({
      mirrorStatus: "failed",
      mirrorError: expect.stringMatching(/timed out after 3 s/),
    });
    // The abort reached the socket: the download stopped, it did not just lose its slot.
    expect(closedHanging).toBe(1);
    expect(mirrorJob(next).status).toBe("completed");
    expect(version(next).mirrorStatus).toBe("mirrored");
  }, 30_000);
});
