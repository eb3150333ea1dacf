import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";
import { type FakeServer, PNG_BYTES, startFakeServer } from "../providers/fakeServer.js";
import { createProject, runJob } from "./helpers.js";

let server: FakeServer;
let t: TestApp;

beforeAll(async () => {
  server = await startFakeServer((req) => {
    if (req.method === "POST" && req.path === "/v1/images/generations") {
      return { json: { data: [{ b64_json: Buffer.from(PNG_BYTES).toString("base64") }], output_format: "png" } };
    }
    return { status: 404, json: { error: { message: "no route" } } };
  });
  // OPENAI_BASE_URL alone enables openai (a self-hosted, keyless server).
  t = await buildTestApp({ OPENAI_BASE_URL: `${server.url}/v1` });
});
afterAll(async () => {
  await t.close();
  await server.close();
});

describe("a remote image provider (openai against a fake server)", () => {
  it("stores the image, measures it, and files it under the provider's platform with the requested model", async () => {
    const projectId = await createProject(t);
    await t.call({ method: "POST", url: `/api/project/${projectId}/scenes`, payload: { sceneId: "001" } });
    const job = await runJob(t, "/api/images/generate", {
      prompt: "A lighthouse at dusk",
      provider: "openai",
      model: "dall-e-3",
      aspectRatio: "1:1",
      projectId,
      sceneNumber: 1,
    });
    expect(job.status, job.error).toBe("completed");
    // The fake answers a 1×1 PNG: the stored size is what ffprobe measures, not what was asked for.
    expect(job.result).toMatchObject({
      provider: "openai",
      model: "dall-e-3",
      width: 1,
      height: 1,
      versionNumber: 1,
      platformKey: "openai-images",
    });
    expect(job.result.note).toBeUndefined();
    expect((server.requests[0]!.json as { model: string }).model).toBe("dall-e-3");

    const session = (await t.call({ method: "GET", url: `/api/session/${projectId}` })).json;
    expect(session.images[0]).toMatchObject({ modelName: "dall-e-3", platformKey: "openai-images", tags: [] });
    const timeline = (await t.call({ method: "GET", url: "/api/ai/timeline" })).json;
    expect(timeline.items[0]).toMatchObject({ provider: "openai", model: "dall-e-3", kind: "image", jobId: job.id });
  });
});
