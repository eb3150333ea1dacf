// `pnpm bench web` (after benchWeb, which builds the app): the editor, in Debian Chromium against a real server.
//   timeline first paint   navigation → 60 segments painted on /p/:id/edit                       aim ≤ 1 s (median of 5)
//   split → timeline       `S` keystroke → the timeline shows one more segment                   aim ≤ 200 ms p95 (20 runs)
//   grade → preview        slider change → graded 1080p frame decoded on screen (150 ms debounce) aim ≤ 400 ms p95 (20 runs)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, createToken, loadConfig } from "@dailies/server";
import { chromium, type Page } from "@playwright/test";
import { percentile, testClip } from "./clips.js";

const segmentCount = (page: Page) => page.locator("[data-testid=segment]").count();

export async function benchWebEditor(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "dailies-bench-editor-"));
  const clipsDir = mkdtempSync(join(tmpdir(), "dailies-bench-editor-clips-"));
  const app = await buildApp(loadConfig({ DAILIES_DATA_DIR: dataDir, DAILIES_LOG_LEVEL: "warn" }), { logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const user = await app.deps.repos.users.createUser({ name: "bench" });
  const token = (await createToken(app.deps.repos, user.id, "bench")).token;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const upload = async (projectId: string, file: string) => {
    const start = await call("POST", `/api/project/${projectId}/upload`, {
      file_name: "c.mp4",
      content_type: "video/mp4",
    });
    const res = await fetch(String(start.upload_url), {
      method: "PUT",
      headers: { "content-type": "video/mp4" },
      body: readFileSync(file),
    });
    if (!res.ok) throw new Error(`upload: ${res.status}`);
    return (await res.json()) as { id: string };
  };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    process.stdout.write("web editor: a 60-segment project on a 1080p clip…\n");
    const project = await call("POST", "/api/project", { name: "Bench cut" });
    const projectId = String(project.id);
    const media = await upload(projectId, testClip(clipsDir, "hd.mp4", "testsrc2", "1920x1080", 6)); // becomes segment 1
    for (let i = 1; i < 60; i++)
      await call("POST", `/api/project/${projectId}/segments`, { media_id: media.id, start_ts: 0, end_ts: 6 });

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signIn = await context.request.post(`${base}/api/auth/session`, {
      data: { token },
      headers: { origin: base, "sec-fetch-site": "same-origin" },
    });
    if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
    const page = await context.newPage();

    const paints: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${base}/p/${projectId}/edit`);
      // Polled on animation frames: the first frame on which all 60 are in the DOM (time since navigation start).
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=segment]").length >= 60, undefined, {
        polling: "raf",
      });
      paints.push(await page.evaluate(() => performance.now()));
    }

    // Split: the playhead at the middle of a segment, then `S`; measured until the timeline repaints.
    const splits: number[] = [];
    for (let i = 0; i < 20; i++) {
      const seg = page.locator("[data-testid=segment]").nth(i * 2);
      const box = await seg.boundingBox();
      if (!box) throw new Error("no segment box");
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const before = await segmentCount(page);
      const t0 = Date.now();
      await page.keyboard.press("s");
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=segment]").length > n, before, {
        polling: "raf",
      });
      splits.push(Date.now() - t0);
    }

    // Grade: a new slider value each time (the server caches by grade), until the new frame is decoded.
    await page.getByRole("tab", { name: "Grade" }).click();
    const preview = page.getByTestId("graded-preview");
    await preview.waitFor({ timeout: 30_000 });
    const grades: number[] = [];
    for (let i = 0; i < 20; i++) {
      const src = await preview.getAttribute("src");
      const t0 = Date.now();
      await page.getByTestId("grade-brightness").fill(String(-0.5 + i * 0.05));
      await page.waitForFunction(
        (old) => {
          const img = document.querySelector<HTMLImageElement>("[data-testid=graded-preview]");
          return !!img && img.getAttribute("src") !== old && img.complete && img.naturalWidth > 0;
        },
        src,
        { polling: "raf", timeout: 30_000 },
      );
      grades.push(Date.now() - t0);
    }
    await context.close();

    const median = percentile(paints, 50);
    const rows: [string, string, string, boolean][] = [
      ["timeline first paint (60 segments)", `${Math.round(median)} ms median of 5`, "≤ 1000 ms", median <= 1000],
      [
        "split keystroke → updated timeline",
        `p50 ${percentile(splits, 50)} ms, p95 ${percentile(splits, 95)} ms (20)`,
        "≤ 200 ms p95",
        percentile(splits, 95) <= 200,
      ],
      [
        "grade slider → graded 1080p preview",
        `p50 ${percentile(grades, 50)} ms, p95 ${percentile(grades, 95)} ms (20)`,
        "≤ 400 ms p95",
        percentile(grades, 95) <= 400,
      ],
    ];
    process.stdout.write("\nweb editor benchmark (Chromium, loopback)\n");
    for (const [name, value, aim, ok] of rows)
      process.stdout.write(`  ${name.padEnd(40)} ${value.padEnd(36)} aim ${aim} ${ok ? "✓" : "✗"}\n`);
  } finally {
    await browser.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(clipsDir, { recursive: true, force: true });
  }
}
