import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, seedProject, type TestApp } from "./helpers/app.js";
import { testSql } from "./helpers/sql.js";

// Request shapes seen from a third-party capture extension speaking the extension-api.md contract.
let t: TestApp;
let projectId: string;

const ingest = (payload: Record<string, unknown>, query = "", headers: Record<string, string> = {}) =>
  t.call({ method: "POST", url: `/api/extension/ingest${query}`, payload, headers });
const capture = (extra: Record<string, unknown> = {}) => ({
  projectId,
  sceneId: "001",
  platformKey: "runway",
  assetType: "VIDEO",
  prompt: "A lighthouse in fog",
  outputUrl: "https://cdn.example.com/gen/abc.mp4",
  ...extra,
});
const assets = async (assetType = "VIDEO") =>
  (
    await t.call({
      method: "GET",
      url: `/api/extension/scene-assets?projectId=${projectId}&sceneId=001&assetType=${assetType}&limit=100`,
    })
  ).json.assets as Array<Record<string, unknown>>;

beforeAll(async () => {
  t = await buildTestApp({}, { startWorker: false });
  ({ projectId } = await seedProject(t, ["001"]));
});
afterAll(() => t.close());

describe("profile with keys the contract does not name", () => {
  it("answers 200, stores the contract's keys and names the ignored ones", async () => {
    const res = await t.call({
      method: "PUT",
      url: "/api/extension/profile",
      payload: {
        preferences: {
          lastProjectId: projectId,
          lastSceneId: "001",
          lastPlatform: "kling-ai",
          preferredAssetType: "IMAGE",
          preferredStatus: "GENERATED",
          lastActiveProjectId: projectId,
          enabledPlatforms: ["Kling-AI", "runway"],
        },
      },
    });
    expect(res.status, res.body).toBe(200);
    expect(res.json.ignoredKeys).toEqual([
      "lastProjectId",
      "lastSceneId",
      "lastPlatform",
      "preferredAssetType",
      "preferredStatus",
    ]);
    expect(res.json.preferences).toMatchObject({
      lastActiveProjectId: projectId,
      enabledPlatforms: ["kling", "runway"],
    });
    const stored = await t.call({ method: "GET", url: "/api/extension/profile" });
    expect(stored.json.preferences).not.toHaveProperty("lastProjectId");
    expect(stored.json).not.toHaveProperty("ignoredKeys");
    expect(stored.json.preferences.lastActiveProjectId).toBe(projectId);
  });
  it("still refuses a bad value for a known key, even beside unknown keys", async () => {
    const res = await t.call({
      method: "PUT",
      url: "/api/extension/profile",
      payload: { preferences: { lastPlatform: "x", defaultStatus: "FINAL_CUT" } },
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json.details.fieldErrors)).toEqual(["preferences.defaultStatus"]);
  });
});

describe("URL fields that are not http(s)", () => {
  it("stores any sourceUrl as given and never mirrors it", async () => {
    for (const sourceUrl of ["chrome-extension://abcdefgh/popup.html", "file:///Users/me/clip.mp4", "about:blank"]) {
      const res = await ingest(capture({ sourceUrl, prompt: `from ${sourceUrl}` }));
      expect(res.status, res.body).toBe(200);
      expect(res.json).not.toHaveProperty("warnings");
      const row = (await assets()).find((a) => a.id === res.json.asset.id)!;
      expect(row.sourceUrl).toBe(sourceUrl);
    }
    const jobs = (await testSql(t, "select input from jobs where kind = 'mirror-asset'")) as Array<{ input: string }>;
    expect(jobs.length).toBeGreaterThan(0);
    // The mirror job reads only outputUrl/thumbnailUrl of the version; sourceUrl is never a fetch target.
    expect(jobs.every((j) => !j.input.includes("chrome-extension"))).toBe(true);
  });
  it("drops a blob: thumbnailUrl with a warning and keeps the capture", async () => {
    const res = await ingest(capture({ thumbnailUrl: "blob:https://app.klingai.com/1234-5678", prompt: "blob thumb" }));
    expect(res.status, res.body).toBe(200);
    expect(res.json.warnings).toEqual([
      expect.objectContaining({ field: "thumbnailUrl", code: "unsupported_url_scheme" }),
    ]);
    expect(res.json.warnings[0].message).toContain("blob:");
    const row = (await assets()).find((a) => a.id === res.json.asset.id)!;
    expect(row.thumbnailUrl).toBeNull();
    expect(row.outputUrl).toBe("https://cdn.example.com/gen/abc.mp4");
  });
  it("keeps outputUrl http(s)-only", async () => {
    const res = await ingest(capture({ outputUrl: "blob:https://sora.com/xyz" }));
    expect(res.status).toBe(400);
    expect(res.json.details.fieldErrors).toEqual({ outputUrl: ["Invalid URL"] });
  });
});

describe("platform aliases", () => {
  it("resolves other clients' slugs to ours and seeds the platforms they name", async () => {
    const pairs = [
      ["kling-ai", "kling"],
      ["Luma-Dream-Machine", "luma"],
      ["bfl-flux", "flux"],
      ["leonardo-ai", "leonardo"],
    ];
    for (const [sent, ours] of pairs) {
      const res = await ingest(capture({ platformKey: sent, assetType: "IMAGE", prompt: `alias ${sent}` }));
      expect(res.json.asset.platformKey).toBe(ours);
      // The same body under our slug is the same capture; a deliberate second one numbers on.
      const same = await ingest(capture({ platformKey: ours, assetType: "IMAGE", prompt: `alias ${sent}` }));
      expect(same.json).toMatchObject({ duplicate: true, asset: { id: res.json.asset.id } });
      const again = await ingest(
        capture({ platformKey: ours, assetType: "IMAGE", prompt: `alias ${sent}` }),
        "?allowDuplicate=true",
      );
      expect(again.json.asset.versionNumber).toBe(res.json.asset.versionNumber + 1);
    }
    const platforms = (await t.call({ method: "GET", url: "/api/extension/platforms" })).json.platforms as Array<{
      slug: string;
      custom: boolean;
    }>;
    for (const slug of ["stability-ai", "recraft", "haiper", "playht", "murf"]) {
      expect(platforms.find((p) => p.slug === slug)).toMatchObject({ custom: false });
    }
    for (const alias of ["kling-ai", "luma-dream-machine", "bfl-flux", "leonardo-ai"]) {
      expect(platforms.find((p) => p.slug === alias)).toBeUndefined();
    }
  });
});

describe("re-send without Idempotency-Key", () => {
  it("answers the existing version with duplicate: true for an identical body", async () => {
    const body = capture({ assetType: "AUDIO", title: "Take", metadata: { seed: 7, duration: 5 } });
    const first = await ingest(body);
    expect(first.json).not.toHaveProperty("duplicate");
    // same fields and values, keys in another order
    const reordered: Record<string, unknown> = Object.fromEntries(Object.entries(body).reverse());
    reordered.metadata = { duration: 5, seed: 7 };
    const again = await ingest(reordered);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, duplicate: true });
    expect(await assets("AUDIO")).toHaveLength(1);
  });
  it("files a new version for any difference, for ?allowDuplicate=true and for a fresh Idempotency-Key", async () => {
    const body = capture({ assetType: "MUSIC" });
    const first = await ingest(body);
    for (const change of [{ prompt: "other" }, { title: "t" }, { notes: "n" }, { metadata: { seed: 1 } }]) {
      const res = await ingest({ ...body, ...change });
      expect(res.json).not.toHaveProperty("duplicate");
    }
    const deliberate = await ingest(body, "?allowDuplicate=true");
    expect(deliberate.json).not.toHaveProperty("duplicate");
    expect(deliberate.json.asset.id).not.toBe(first.json.asset.id);
    const keyed = await ingest(body, "", { "idempotency-key": "recapture-1" });
    expect(keyed.json).not.toHaveProperty("duplicate");
    expect(await assets("MUSIC")).toHaveLength(7);
  });
  it("does not guard captures without outputUrl, nor across users, nor after 24 h", async () => {
    const note = { projectId, sceneId: "001", platformKey: "runway", assetType: "OTHER", prompt: "a note" };
    await ingest(note);
    expect((await ingest(note)).json).not.toHaveProperty("duplicate");
    const body = capture({ assetType: "VOICE" });
    const first = await ingest(body);
    await testSql(t, "update asset_versions set created_at = ? where id = ?", [
      new Date(Date.now() - 25 * 3600 * 1000).toISOString(),
      first.json.asset.id,
    ]);
    const later = await ingest(body);
    expect(later.json).not.toHaveProperty("duplicate");
    expect(later.json.asset.id).not.toBe(first.json.asset.id);
  });
  it("guards concurrent re-sends too", async () => {
    const body = capture({ assetType: "NARRATION" });
    const results = await Promise.all(Array.from({ length: 5 }, () => ingest(body)));
    expect(new Set(results.map((r) => r.json.asset.id)).size).toBe(1);
    expect(results.filter((r) => r.json.duplicate).length).toBe(4);
  });
});

describe("a body over the limit on a real socket", () => {
  let port: number;
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as { port: number }).port;
  });

  const big = (bytes: number) => JSON.stringify({ ...capture(), prompt: "x".repeat(bytes) });

  it("fetch receives the 413 in the error shape, not a reset", async () => {
    for (const size of [2 * 1024 * 1024, 24 * 1024 * 1024]) {
      const res = await fetch(`http://127.0.0.1:${port}/api/extension/ingest`, {
        method: "POST",
        headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
        body: big(size),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: "Request body too large", details: { limitBytes: 1024 * 1024 } });
    }
  });

  // A client that writes its whole body before reading (as many upload loops do): if the server closes with
  // unread data, the kernel resets the connection and the write fails with EPIPE/ECONNRESET.
  const sendWholeBodyThenRead = (size: number, chunked: boolean) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let received = "";
      let written = false;
      const finish = () => {
        if (written && received.includes("\r\n\r\n{") && received.endsWith("}")) {
          socket.destroy();
          resolve(received);
        }
      };
      socket.on("data", (d) => {
        received += d.toString();
        finish();
      });
      socket.on("error", (e) => reject(new Error(`${e.message} (received: ${received.slice(0, 40)})`)));
      const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${size}`;
      socket.write(
        `POST /api/extension/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`,
      );
      const part = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const n = Math.min(part.length, size - sent);
          sent += n;
          const data = chunked ? `${n.toString(16)}\r\n${part.subarray(0, n)}\r\n` : part.subarray(0, n);
          if (!socket.write(data)) return void socket.once("drain", pump);
        }
        socket.write(chunked ? "0\r\n\r\n" : "", () => {
          written = true;
          finish();
        });
      };
      pump();
    });

  it.each([false, true])(
    "a raw client writing all of a 24 MB body (chunked: %s) then reading gets the 413",
    async (chunked) => {
      const response = await sendWholeBodyThenRead(24 * 1024 * 1024, chunked);
      expect(response).toMatch(/^HTTP\/1.1 413 /);
      expect(JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4))).toEqual({
        error: "Request body too large",
        details: { limitBytes: 1024 * 1024 },
      });
    },
  );
});
