// `pnpm bench web`: the web app, measured in Debian Chromium against a real server on loopback.
//   first-route JS      gzipped JavaScript + CSS the first page (/) loads                     aim ≤ 120 KB
//   first card          navigation → first take card painted, scene with 1,000 versions      aim ≤ 1 s (median of 5)
//   ingest → card       API ingest → its card on an open scene page through SSE               aim ≤ 500 ms p95 (30 runs)
//   compare drift       two 30 fps clips played together for 10 s, max |Δt| between them     aim ≤ 1 frame
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { buildApp, createToken, loadConfig } from "@dailies/server";
import { createClient } from "@dailies/shared/client";
import { chromium } from "@playwright/test";
import { percentile, testClip } from "./clips.js";

const WEB = resolve(import.meta.dirname, "..", "web");

function firstRouteKb(): number {
  const html = readFileSync(join(WEB, "dist", "index.html"), "utf8");
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const bytes = assets.reduce((sum, a) => sum + gzipSync(readFileSync(join(WEB, "dist", a)), { level: 9 }).length, 0);
  return bytes / 1024;
}

export async function benchWeb(): Promise<void> {
  process.stdout.write("web: building the app…\n");
  execFileSync("pnpm", ["run", "build"], { cwd: WEB, stdio: "ignore" });
  const kb = firstRouteKb();

  const dataDir = mkdtempSync(join(tmpdir(), "dailies-bench-web-"));
  const clipsDir = mkdtempSync(join(tmpdir(), "dailies-bench-clips-"));
  const app = await buildApp(
    loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "warn", DAILIES_MIRROR_ALLOW_PRIVATE: "1" }),
    { logger: false },
  );
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const user = await app.deps.repos.users.createUser({ name: "bench" });
  const token = (await createToken(app.deps.repos, user.id, "bench")).token;
  const api = createClient({ baseUrl: base, token });
  const files = createServer((req, res) => {
    const body = readFileSync(join(clipsDir, (req.url ?? "/").slice(1)));
    res.writeHead(200, { "content-type": "video/mp4", "content-length": body.length }).end(body);
  });
  await new Promise<void>((r) => files.listen(0, "127.0.0.1", r));
  const filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  try {
    const project = await api.projects.create({ name: "Bench" });
    await api.projects.createScene(project.id, { sceneId: "001" });
    await api.projects.createScene(project.id, { sceneId: "002" });
    process.stdout.write("web: ingesting 1,000 versions…\n");
    for (let i = 0; i < 1000; i++) {
      await api.extension.ingest({
        projectId: project.id,
        sceneId: "001",
        assetType: i % 5 === 0 ? "IMAGE" : "VIDEO",
        platformKey: ["sora", "runway", "kling", "veo"][i % 4],
        prompt: `take ${i}: a red fox wakes at dawn, slow dolly in, golden light, ${"detail ".repeat(i % 7)}`,
        tags: i % 3 === 0 ? ["hero"] : [],
      });
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signIn = await context.request.post(`${base}/api/auth/session`, {
      data: { token },
      headers: { origin: base, "sec-fetch-site": "same-origin" },
    });
    if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
    // Records when the first card / each new card is painted (a frame after it enters the DOM).
    await context.addInitScript(() => {
      const w = window as unknown as { __firstCard?: number; __cardAt: Record<string, number> };
      w.__cardAt = {};
      new MutationObserver(() => {
        for (const el of document.querySelectorAll<HTMLElement>("[data-take-id]")) {
          const id = el.dataset.takeId!;
          if (w.__cardAt[id]) continue;
          w.__cardAt[id] = -1;
          requestAnimationFrame(() => {
            w.__cardAt[id] = performance.timeOrigin + performance.now();
            w.__firstCard ??= performance.now();
          });
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    const firstCard: number[] = [];
    for (let i = 0; i < 6; i++) {
      await page.goto(`${base}/p/${project.id}/s/001`);
      await page.waitForFunction(() => (window as unknown as { __firstCard?: number }).__firstCard !== undefined);
      if (i > 0) firstCard.push(await page.evaluate(() => (window as unknown as { __firstCard: number }).__firstCard));
    }
    // Scrolling through the whole list: time to render every card (paginated rendering) as a smoothness check.
    const scrollMs = await page.evaluate(async () => {
      const t0 = performance.now();
      for (let i = 0; i < 400; i++) {
        window.scrollTo(0, document.body.scrollHeight);
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        if (document.querySelectorAll("[data-take-id]").length >= 1000) break;
      }
      return { ms: performance.now() - t0, cards: document.querySelectorAll("[data-take-id]").length };
    });

    // Ingest → card through SSE, on scene 002's page.
    await page.goto(`${base}/p/${project.id}/s/002`);
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = Date.now();
      const { asset } = await api.extension.ingest({
        projectId: project.id,
        sceneId: "002",
        assetType: "VIDEO",
        platformKey: "sora",
        prompt: `live ${i}`,
      });
      const at = await page.waitForFunction(
        (id) => {
          const v = (window as unknown as { __cardAt: Record<string, number> }).__cardAt[id];
          return v && v > 0 ? v : false;
        },
        asset.id,
        { polling: 5 },
      );
      latencies.push(((await at.jsonValue()) as number) - started);
    }

    // Compare drift: two 14 s 30 fps clips, mirrored by the server, played together; sampled every frame for 10 s.
    process.stdout.write("web: compare drift…\n");
    testClip(clipsDir, "a.mp4", "testsrc2");
    testClip(clipsDir, "b.mp4", "smptebars");
    const ids: string[] = [];
    for (const name of ["a.mp4", "b.mp4"]) {
      const { asset } = await api.extension.ingest({
        projectId: project.id,
        sceneId: "002",
        assetType: "VIDEO",
        platformKey: "sora",
        prompt: `clip ${name}`,
        outputUrl: `${filesUrl}/${name}`,
        metadata: { fps: 30 },
      });
      ids.push(asset.id);
    }
    for (const id of ids) {
      for (let i = 0; i < 300; i++) {
        const v = await api.assetVersions.get(id);
        if (v.mirrorStatus === "mirrored") break;
        if (v.mirrorStatus === "failed") throw new Error(`mirror failed: ${v.mirrorError}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await page.goto(`${base}/compare?v=${ids.join(",")}`);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("video")].length === 2 &&
        [...document.querySelectorAll("video")].every((v) => v.readyState >= 3),
    );
    await page.getByTestId("compare-play").click();
    const drift = await page.evaluate(async () => {
      const vids = [...document.querySelectorAll<HTMLVideoElement>("[data-testid^=compare-video-]")];
      const out: number[] = [];
      const t0 = performance.now();
      while (performance.now() - t0 < 10_500) {
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        if (performance.now() - t0 < 500) continue; // the follower's first correction
        out.push(Math.abs(vids[0]!.currentTime - vids[1]!.currentTime));
      }
      return { samples: out, advanced: vids[0]!.currentTime };
    });
    const driftFrames = drift.samples.map((d) => d * 30);

    const median = percentile(firstCard, 50);
    const rows = [
      ["first-route JS+CSS (gzip)", `${kb.toFixed(1)} KB`, "≤ 120 KB", kb <= 120],
      ["nav → first card, 1,000 versions (median of 5)", `${median.toFixed(0)} ms`, "≤ 1000 ms", median <= 1000],
      [
        "ingest → card via SSE p95 (30)",
        `${percentile(latencies, 95).toFixed(0)} ms (p50 ${percentile(latencies, 50).toFixed(0)})`,
        "≤ 500 ms",
        percentile(latencies, 95) <= 500,
      ],
      [
        "compare drift, 2 × 30 fps, 10 s: max",
        `${Math.max(...driftFrames).toFixed(2)} frames (p95 ${percentile(driftFrames, 95).toFixed(2)}, ${drift.samples.length} samples)`,
        "≤ 1 frame",
        Math.max(...driftFrames) <= 1,
      ],
      ["render all 1,000 cards by scrolling", `${scrollMs.ms.toFixed(0)} ms (${scrollMs.cards} cards)`, "info", true],
    ] as const;
    process.stdout.write("\nweb benchmark (Chromium, loopback)\n");
    for (const [name, value, aim, ok] of rows) {
      process.stdout.write(`  ${name.padEnd(48)} ${value.padEnd(44)} aim ${aim} ${ok ? "✓" : "✗"}\n`);
    }
    await context.close();
  } finally {
    await browser.close();
    await app.close();
    await new Promise<void>((r) => files.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(clipsDir, { recursive: true, force: true });
  }
}
