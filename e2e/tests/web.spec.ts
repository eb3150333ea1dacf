import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@dailies/shared/client";
import { type Browser, chromium, expect, type Page, test } from "@playwright/test";
import { makeClip, serveFiles } from "../support/clips";
import { REPO_ROOT, readState, startServer, stopServer, writeState } from "../support/server";

/**
 * The web app's review flow in Debian Chromium against the real server: sign in with a token, create a project
 * and a scene, ingest two video takes through the API (mirrored from a local server), see them appear live,
 * play one, compare them in sync, step a frame, select a take, reload, sign out.
 */
const FRAME = 1 / 30;
let browser: Browser;
let clipsDir: string;
let files: Awaited<ReturnType<typeof serveFiles>>;

test.beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  clipsDir = mkdtempSync(join(tmpdir(), "dailies-web-clips-"));
  files = await serveFiles({
    "fox.mp4": makeClip(clipsDir, "fox.mp4", "testsrc2"),
    "owl.mp4": makeClip(clipsDir, "owl.mp4", "smptebars"),
  });
});

test.afterAll(async () => {
  await browser?.close();
  await files?.close();
  rmSync(clipsDir, { recursive: true, force: true });
});

async function times(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>("[data-testid^=compare-video-]")].map((v) => v.currentTime),
  );
}

test("sign in, capture live, play, compare in sync, select a take, sign out", async () => {
  const server = readState();
  const api = createClient({ baseUrl: server.baseUrl, token: server.token });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const docs = join(REPO_ROOT, "docs");
  mkdirSync(docs, { recursive: true });

  // Sign in: any page sends a signed-out visitor to /signin, and back after.
  await page.goto(`${server.baseUrl}/settings`);
  await expect(page).toHaveURL(/\/signin\?next=%2Fsettings/);
  await page.getByLabel("API token").fill("dly_wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("not valid");
  await page.getByLabel("API token").fill(server.token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "dailies_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Strict");
  await expect(page.getByTestId("live-status")).toHaveText("Live");

  // A project and a scene, through the UI.
  await page.getByRole("link", { name: "Projects" }).click();
  const name = `Review ${Date.now()}`;
  await page.getByLabel("New project name").fill(name);
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const projectId = new URL(page.url()).pathname.split("/")[2]!;
  await page.getByRole("button", { name: "New scene" }).click();
  await page.getByLabel("Scene code").fill("001");
  await page.getByLabel("Title").fill("The fox wakes");
  await page.getByRole("button", { name: "Create scene" }).click();
  await page.getByRole("link", { name: "Open scene 001" }).click();
  await expect(page.getByText("No takes in this scene yet")).toBeVisible();
  await expect(page.locator(".crumbs").getByRole("link", { name })).toBeVisible();

  // Two takes arrive through the API while the page is open: they appear live, then flip to mirrored.
  for (const [clip, prompt, platformKey] of [
    ["fox.mp4", "a red fox wakes at dawn, slow dolly in", "sora"],
    ["owl.mp4", "a grey owl wakes at dusk, slow dolly in", "runway"],
  ] as const) {
    await api.extension.ingest({
      projectId,
      sceneId: "001",
      assetType: "VIDEO",
      platformKey,
      prompt,
      outputUrl: files.url(clip),
      modelName: "test-model",
      metadata: { fps: 30 },
    });
  }
  const cards = page.getByTestId("take-card");
  await expect(cards).toHaveCount(2, { timeout: 5000 });
  await expect(page.getByRole("button", { name: "Play" })).toHaveCount(2, { timeout: 60_000 });

  // Play one inline.
  await cards.nth(0).getByRole("button", { name: "Play" }).click();
  const inline = page.getByTestId("inline-player");
  await expect
    .poll(() => inline.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 })
    .toBeGreaterThan(0.3);
  await inline.evaluate((v: HTMLVideoElement) => v.pause());

  // Add both to compare with the keyboard (focus a card, press C).
  await cards.nth(0).focus();
  await page.keyboard.press("c");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("c");
  await page.getByTestId("open-compare").click();
  await expect(page).toHaveURL(/\/compare\?v=/);
  await expect
    .poll(() => page.evaluate(() => [...document.querySelectorAll("video")].every((v) => v.readyState >= 2)))
    .toBe(true);

  // One transport: both advance together and stay within one frame while playing.
  await page.getByTestId("compare-play").click();
  // A sample every 0.2 s of playback (not of wall clock): the wait is on the clip's time, so a loaded machine
  // slows the clips, not the test's reading of them.
  const samples: number[][] = [];
  let lead = (await times(page))[0]!;
  for (let i = 0; i < 12; i++) {
    await page.waitForFunction(
      (after) => (document.querySelector<HTMLVideoElement>("[data-testid^=compare-video-]")?.currentTime ?? 0) >= after,
      lead + 0.2,
    );
    samples.push(await times(page));
    lead = samples.at(-1)![0]!;
  }
  await page.getByTestId("compare-play").click(); // pause (aligns exactly)
  const first = samples[0]!;
  const last = samples.at(-1)!;
  expect(last[0]! - first[0]!).toBeGreaterThan(1);
  expect(last[1]! - first[1]!).toBeGreaterThan(1);
  // Each sample reads both clips in the same task; the first second is the follower settling after the start.
  // Steady state is 1–3 ms apart. On a loaded 2-core machine a starved decoder can stall one clip for a moment,
  // so one sample in ten may exceed a frame (corrected within the next samples) but never three frames;
  // `pnpm bench web` reports the real maximum over 10 s.
  const drifts = samples.slice(5).map(([a, b]) => Math.abs(a! - b!));
  const within = drifts.filter((d) => d <= FRAME).length;
  expect(within / drifts.length, JSON.stringify(drifts)).toBeGreaterThanOrEqual(0.85);
  expect(Math.max(...drifts)).toBeLessThanOrEqual(3 * FRAME);

  // A frame step moves both by one frame.
  const before = await times(page);
  await page.keyboard.press("ArrowRight");
  await expect.poll(async () => (await times(page))[0]! - before[0]!).toBeGreaterThan(FRAME / 2);
  const after = await times(page);
  expect(after[0]! - before[0]!).toBeLessThan(FRAME * 1.6);
  expect(Math.abs(after[0]! - after[1]!)).toBeLessThan(FRAME / 2);

  await page.screenshot({ path: join(docs, "web-compare.png") });

  // Select the second take from compare; it persists after a reload of the scene page.
  const chosen = (await page.locator(".compare-meta").nth(1).locator(".pill").first().textContent()) ?? "";
  await page.getByTestId("compare-select-1").click();
  await expect(page.getByTestId("compare-select-1")).toHaveText("Selected take");
  await page.goto(`${server.baseUrl}/p/${projectId}/s/001`);
  await page.reload();
  await expect(page.locator(".take-selected")).toHaveCount(1);
  await expect(page.locator(".take-selected")).toContainText(chosen.trim());
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(docs, "web-scene.png") });

  // Sign out: the app is closed again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto(`${server.baseUrl}/`);
  await expect(page).toHaveURL(/\/signin/);
  await context.close();
});

test("the sign-in link, notes at a frame, shortcuts, 390 px, and live updates across a server restart", async () => {
  const server = readState();
  const api = createClient({ baseUrl: server.baseUrl, token: server.token });
  const project = await api.projects.create({ name: `Restart ${Date.now()}` });
  await api.projects.createScene(project.id, { sceneId: "001" });
  const first = await api.extension.ingest({
    projectId: project.id,
    sceneId: "001",
    assetType: "VIDEO",
    platformKey: "sora",
    prompt: "a heron lands",
    outputUrl: files.url("fox.mp4"),
  });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();

  // The first-start link form: the token rides in the fragment and leaves the address bar after sign-in.
  await page.goto(`${server.baseUrl}/signin?next=${encodeURIComponent(`/v/${first.asset.id}`)}#token=${server.token}`);
  await expect(page).toHaveURL(new RegExp(`/v/${first.asset.id}$`));
  expect(page.url()).not.toContain("token=");
  // Opened cold, the take's breadcrumb still names its project (not the word "Project").
  await expect(page.locator(".crumbs").getByRole("link", { name: project.name })).toBeVisible();

  // A note pinned to a time; clicking it seeks there.
  const video = page.locator(".stage video");
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await video.evaluate((v: HTMLVideoElement) => {
    v.currentTime = 2.5;
  });
  await page.getByLabel("New note").fill("Feathers smear here");
  await page.getByRole("button", { name: "Add note" }).click();
  const timeButton = page.getByRole("button", { name: "0:02.5" });
  await expect(timeButton).toBeVisible();
  await video.evaluate((v: HTMLVideoElement) => {
    v.currentTime = 0;
  });
  await timeButton.click();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(2.5, 1);
  await page.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByText("Resolved")).toBeVisible();

  // The scene at phone width, and the shortcut list.
  await page.goto(`${server.baseUrl}/p/${project.id}/s/001`);
  await expect(page.getByTestId("take-card")).toHaveCount(1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toContainText(
    "Add the focused take to compare",
  );
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("live-status")).toHaveText("Live");

  // Restart the server: the page reconnects by itself and shows a take captured after the restart.
  await stopServer(server.pid);
  await expect(page.getByTestId("live-status")).toHaveText(/Reconnecting/);
  const restarted = await startServer(server.port, server.dataDir, server.logFile);
  writeState({ ...readState(), pid: restarted.pid });
  await expect(page.getByTestId("live-status")).toHaveText("Live", { timeout: 30_000 });
  await api.extension.ingest({
    projectId: project.id,
    sceneId: "001",
    assetType: "IMAGE",
    platformKey: "midjourney",
    prompt: "a heron, still",
  });
  await expect(page.getByTestId("take-card")).toHaveCount(2, { timeout: 5000 });
  await context.close();
});
