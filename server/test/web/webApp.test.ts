import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../helpers/app.js";

describe("serving the web app", () => {
  let t: TestApp;
  let dist: string;
  const html = "<!doctype html><title>Dailies</title><div id=app></div>";
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "dailies-web-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), html);
    writeFileSync(join(dist, "assets", "app-abc123.js"), "console.log('app')");
    writeFileSync(join(dist, "assets", "app-abc123.js.gz"), gzipSync("console.log('app')"));
    t = await buildTestApp({}, { webDistDir: dist });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("answers the app's HTML at / and for deep links, without auth and never cached", async () => {
    for (const url of ["/", "/p/proj_1", "/p/proj_1/s/001", "/compare?v=a,b", "/v/av_1", "/settings", "/signin"]) {
      const res = await t.call({ method: "GET", url, token: null });
      expect(res.status, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
      expect(res.body).toBe(html);
      expect(res.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("serves hashed assets for a year, precompressed when accepted", async () => {
    const res = await t.call({
      method: "GET",
      url: "/assets/app-abc123.js",
      token: null,
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers["cache-control"]).toMatch(/immutable/);
    const missing = await t.call({ method: "GET", url: "/assets/gone-000.js", token: null });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: "Route not found" });
  });

  it("keeps the JSON 404 for unknown API and media paths", async () => {
    for (const url of ["/api/nope", "/api/project/x/unknown", "/media/a/b", "/api"]) {
      const res = await t.call({ method: "GET", url, token: null });
      expect(res.status, url).toBe(404);
      expect(res.headers["content-type"]).toMatch(/application\/json/);
    }
  });

  it("never reads outside the build folder", async () => {
    const res = await t.call({ method: "GET", url: "/..%2f..%2fetc%2fpasswd", token: null });
    expect(res.body).not.toMatch(/root:/);
  });

  it("says how to build the app when it is missing", async () => {
    const bare = await buildTestApp({}, { webDistDir: join(dist, "missing") });
    try {
      const res = await bare.call({ method: "GET", url: "/p/x", token: null });
      expect(res.status).toBe(503);
      expect(res.body).toMatch(/pnpm --filter @dailies\/web build/);
    } finally {
      await bare.close();
    }
  });
});
