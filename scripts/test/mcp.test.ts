import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./helpers.js";

const CLI = join(import.meta.dirname, "..", "src", "cli.ts");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

const TOOLS = [
  "list_projects",
  "get_project_outline",
  "list_scene_takes",
  "list_platforms",
  "get_job",
  "create_project",
  "create_scene",
  "file_generation",
  "select_take",
  "update_take",
  "plan_story",
  "plan_scenes",
  "generate_images",
  "add_to_timeline",
  "split_segment",
  "trim_segment",
  "grade_segment",
  "generate_region_variants",
  "accept_variant",
  "export_film",
];

let s: TestServer;
let files: Server;
let clipUrl: string;

beforeAll(async () => {
  s = await startServer({ DAILIES_MIRROR_ALLOW_PRIVATE: "1" });
  const clip = join(s.workDir, "clip.mp4");
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=160x120:rate=25:duration=2",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:duration=2",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-shortest",
    "-y",
    clip,
  ]);
  const bytes = readFileSync(clip);
  // A stand-in for an AI platform's CDN: the mirror downloads the take from here.
  files = createServer((_req, res) => res.writeHead(200, { "content-type": "video/mp4" }).end(bytes));
  await new Promise<void>((ok) => files.listen(0, "127.0.0.1", ok));
  clipUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/gen/clip.mp4`;
});
afterAll(async () => {
  await new Promise((ok) => files?.close(ok));
  await s?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: test code reads structured tool results loosely
type Structured = Record<string, any>;
async function call(client: Client, name: string, args: Record<string, unknown>, onprogress?: (p: number) => void) {
  const res = (await client.callTool({ name, arguments: args }, undefined, {
    ...(onprogress && { onprogress: (p) => onprogress(p.progress) }),
    timeout: 120_000,
  })) as CallToolResult;
  return res;
}
async function ok(client: Client, name: string, args: Record<string, unknown>, onprogress?: (p: number) => void) {
  const res = await call(client, name, args, onprogress);
  if (res.isError) throw new Error(`${name}: ${JSON.stringify(res.content)}`);
  return res.structuredContent as Structured;
}

/** The same agent session on either transport. */
async function exercise(client: Client, label: string) {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
  for (const t of tools) {
    expect(t.description?.length, t.name).toBeGreaterThan(40);
    expect(t.inputSchema.type, t.name).toBe("object");
    expect(t.outputSchema?.type, t.name).toBe("object");
  }

  const project = await ok(client, "create_project", { name: `MCP ${label}` });
  await ok(client, "create_scene", { projectId: project.id, sceneId: "001", title: "Arrival" });
  const filed = await ok(client, "file_generation", {
    projectId: project.id,
    sceneId: "001",
    platformKey: "kling-ai",
    assetType: "VIDEO",
    prompt: "A train arrives at dawn",
    outputUrl: clipUrl,
  });
  expect(filed.asset).toMatchObject({ versionNumber: 1, platformKey: "kling", mirrorStatus: "pending" });
  const selected = await ok(client, "select_take", { assetId: filed.asset.id });
  expect(selected.asset).toMatchObject({ selected: true, status: "SELECTED" });

  const outline = await ok(client, "get_project_outline", { projectId: project.id });
  expect(outline.scenes).toEqual([
    expect.objectContaining({ sceneId: "001", title: "Arrival", takes: 1, selected: { VIDEO: filed.asset.id } }),
  ]);
  const resource = await client.readResource({ uri: `dailies://projects/${project.id}/scenes/001/takes` });
  const content = resource.contents[0] as { text?: string } | undefined;
  expect(JSON.parse(String(content?.text)).takes[0].id).toBe(filed.asset.id);

  const story = await ok(client, "plan_story", {
    topic: "A lighthouse keeper befriends a storm",
    projectId: project.id,
    provider: "local",
    maxMinutes: 1,
  });
  expect(story).toMatchObject({ done: true, status: "completed" });
  expect(typeof story.result.title).toBe("string");

  // Wait for the mirror, then cut and export with progress notifications.
  for (let i = 0; ; i++) {
    const takes = await ok(client, "list_scene_takes", { projectId: project.id, sceneId: "001" });
    if (takes.takes[0].mirrorStatus === "mirrored") break;
    if (i > 600) throw new Error(`mirror did not finish: ${JSON.stringify(takes.takes[0])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const segment = await ok(client, "add_to_timeline", { projectId: project.id, assetVersionId: filed.asset.id });
  expect(segment.end_ts).toBeGreaterThan(1.5);
  const split = await ok(client, "split_segment", { segmentId: segment.id, splitTs: 1 });
  expect(split.left.end_ts).toBe(1);
  const trimmed = await ok(client, "trim_segment", { segmentId: split.right.id, newStartTs: 1.2, newEndTs: 1.8 });
  expect(trimmed).toMatchObject({ start_ts: 1.2, end_ts: 1.8 });
  const graded = await ok(client, "grade_segment", { segmentId: split.left.id, brightness: 0.2, saturation: -0.5 });
  expect(graded.segment_id).toBeTruthy();
  const variants = await ok(client, "generate_region_variants", {
    projectId: project.id,
    prompt: "blur",
    startTs: 0,
    endTs: 0.5,
    box: { x: 0.25, y: 0.25, width: 0.5, height: 0.5 },
    provider: "local",
  });
  expect(variants).toMatchObject({ done: true, status: "completed" });
  expect(variants.result.variants.length).toBeGreaterThan(0);
  const accepted = await ok(client, "accept_variant", { variantId: variants.result.variants[0].id });
  expect(accepted.segment.source).toBe("generated");

  await ok(client, "plan_scenes", { projectId: project.id, provider: "local", maxMinutes: 1 }).then((plan) =>
    expect(plan).toMatchObject({ done: true, status: "completed" }),
  );
  const image = await ok(client, "generate_images", {
    prompt: "The lighthouse at night",
    projectId: project.id,
    sceneNumber: 1,
    provider: "local",
    aspectRatio: "1:1",
  });
  expect(image).toMatchObject({ done: true, status: "completed" });
  const job = await ok(client, "get_job", { jobId: image.jobId });
  expect(job).toMatchObject({ id: image.jobId, status: "completed" });
  const quick = await ok(client, "plan_story", { topic: "A short one", provider: "local", timeoutSeconds: 0 });
  expect(quick.jobId).toBeTruthy();
  const progress: number[] = [];
  const film = await ok(client, "export_film", { projectId: project.id, timeoutSeconds: 120 }, (p) => progress.push(p));
  expect(film).toMatchObject({ done: true, status: "completed", export: { status: "completed" } });
  expect(film.export.download_url).toMatch(/^http/);
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.every((p, i) => p >= 0 && p <= 1 && (i === 0 || p >= progress[i - 1]!))).toBe(true);
  const download = await fetch(film.export.download_url);
  expect(download.status).toBe(200);
  expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(1000);

  // Errors are tool results with the server's message, and the server keeps serving.
  const missing = await call(client, "select_take", { assetId: "asset_nope" });
  expect(missing.isError).toBe(true);
  expect(JSON.stringify(missing.content)).toContain("not found");
  const invalid = await call(client, "trim_segment", { segmentId: segment.id, newStartTs: "soon" });
  expect(invalid.isError).toBe(true);
  const badRange = await call(client, "trim_segment", { segmentId: segment.id, newStartTs: 5, newEndTs: 1 });
  expect(badRange.isError).toBe(true);
  expect((await ok(client, "list_projects", {})).projects.length).toBeGreaterThan(0);
}

describe("MCP over stdio (dailies mcp)", () => {
  it("serves every tool and runs a session end to end", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", TSX, CLI, "mcp"],
      env: { ...(process.env as Record<string, string>), DAILIES_URL: s.url, DAILIES_TOKEN: s.token },
      stderr: "pipe",
    });
    const client = new Client({ name: "dailies-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      await exercise(client, "stdio");
      const prompts = await client.listPrompts();
      expect(prompts.prompts.map((p) => p.name).sort()).toEqual(["plan_a_film", "review_scene_takes"]);
    } finally {
      await client.close();
    }
  }, 180_000);
});

describe("MCP over Streamable HTTP (/mcp)", () => {
  const connect = async (headers: Record<string, string>) => {
    const client = new Client({ name: "dailies-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers } }));
    return client;
  };

  it("serves the same tools with the bearer token", async () => {
    const client = await connect({ authorization: `Bearer ${s.token}` });
    try {
      await exercise(client, "http");
      const templates = await client.listResourceTemplates();
      expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
        "dailies://projects/{projectId}/outline",
        "dailies://projects/{projectId}/scenes/{sceneId}/takes",
      ]);
    } finally {
      await client.close();
    }
  }, 180_000);

  it("refuses a missing token and a foreign browser origin", async () => {
    await expect(connect({})).rejects.toThrow(/Unauthorized/);
    const init = { jsonrpc: "2.0", id: 1, method: "ping" };
    const foreign = await fetch(`${s.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${s.token}`,
        origin: "https://evil.example",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(init),
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: "Origin not allowed", details: { origin: "https://evil.example" } });
    const own = await fetch(`${s.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${s.token}`,
        origin: s.url,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(init),
    });
    expect(own.status).toBe(200);
  });
});
