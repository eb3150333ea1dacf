import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@dailies/shared/client";
import { type Browser, chromium, expect, type Page, test } from "@playwright/test";
import { makeClip } from "../support/clips";
import { REPO_ROOT, readState } from "../support/server";

/**
 * The web app's editing half in Debian Chromium against the real server and real ffmpeg: upload two clips by the
 * file picker, split, trim by dragging, delete, reorder, undo, grade with a live preview, regenerate a region
 * with the `local` provider and accept a variant, export through the UI and check the file with ffprobe; then
 * the plan flow (topic → story → scene plan → images) with the `local` providers.
 */
let browser: Browser;
let clipsDir: string;

test.beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--autoplay-policy=no-user-gesture-required"],
  });
  clipsDir = mkdtempSync(join(tmpdir(), "dailies-editor-clips-"));
});

test.afterAll(async () => {
  await browser?.close();
  rmSync(clipsDir, { recursive: true, force: true });
});

async function signedIn(): Promise<Page> {
  const server = readState();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/signin`);
  await page.getByLabel("API token").fill(server.token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  return page;
}

const segmentIds = (page: Page) =>
  page.getByTestId("segment").evaluateAll((els) => els.map((e) => e.getAttribute("data-segment-id") ?? ""));

/** Drags from one point to another with intermediate moves (pointer events, as a hand would). */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++)
    await page.mouse.move(from.x + ((to.x - from.x) * i) / 8, from.y + ((to.y - from.y) * i) / 8);
  await page.mouse.up();
}

function ffprobeDuration(file: string): number {
  const out = execFileSync(process.env.FFPROBE_PATH ?? "ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "format=duration",
    "-of",
    "csv=p=0",
    file,
  ]).toString();
  return Number(out.trim());
}

test("editor: upload, split, trim, delete, reorder, undo, grade, regenerate a region, export", async () => {
  const server = readState();
  const api = createClient({ baseUrl: server.baseUrl, token: server.token });
  const project = await api.projects.create({ name: `Cut ${Date.now()}` });
  const a = makeClip(clipsDir, "bars.mp4", "smptebars", 4);
  const b = makeClip(clipsDir, "pattern.mp4", "testsrc2", 3);
  const page = await signedIn();

  await page.goto(`${server.baseUrl}/p/${project.id}/edit`);
  await expect(page.getByText("The timeline is empty")).toBeVisible();

  // Upload two clips by the file picker: both land on the timeline.
  await page.getByTestId("file-input").setInputFiles([a, b]);
  await expect(page.getByTestId("segment")).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId("upload-row")).toHaveCount(0);
  const uploaded = await api.projects.get(project.id);
  expect(uploaded.duration).toBeCloseTo(7, 1);

  // Playback crosses the cut: after the first clip's 4 s the viewer plays the second clip from its start.
  await page.getByRole("button", { name: "Play" }).click();
  const viewerAt = () =>
    page.getByTestId("viewer").evaluate((v: HTMLVideoElement) => ({ src: v.src, t: v.currentTime, paused: v.paused }));
  await expect.poll(async () => (await viewerAt()).src, { timeout: 20_000 }).toContain(uploaded.segments[1]!.media_id);
  const crossed = await viewerAt();
  expect(crossed.t).toBeLessThan(2);
  await expect(page.getByTestId("timecode")).toContainText(/^0:0[4-7]/);
  await page.getByRole("button", { name: "Pause" }).click();

  // Split at the playhead (click at ~2 s on the first segment, press S).
  const seg0 = page.getByTestId("segment").first();
  const box0 = (await seg0.boundingBox())!;
  await page.mouse.click(box0.x + box0.width / 2, box0.y + box0.height / 2);
  await page.keyboard.press("s");
  await expect(page.getByTestId("segment")).toHaveCount(3);
  let details = await api.projects.get(project.id);
  expect(details.segments[0]!.end_ts).toBeCloseTo(2, 0);

  // Trim by dragging the first segment's end edge to the left.
  const first = (await page.getByTestId("segment").first().boundingBox())!;
  await drag(
    page,
    { x: first.x + first.width - 2, y: first.y + first.height / 2 },
    { x: first.x + first.width * 0.5, y: first.y + first.height / 2 },
  );
  await expect.poll(async () => (await api.projects.get(project.id)).duration).toBeLessThan(6.5);
  details = await api.projects.get(project.id);
  const trimmedDuration = details.duration;
  expect(details.segments[0]!.end_ts).toBeLessThan(1.6);

  // Delete the last segment (select it, press Delete).
  const last = (await page.getByTestId("segment").last().boundingBox())!;
  await page.mouse.click(last.x + last.width / 2, last.y + last.height / 2);
  await page.keyboard.press("Delete");
  await expect(page.getByTestId("segment")).toHaveCount(2);

  // Reorder: drag the second segment in front of the first.
  const before = await segmentIds(page);
  const second = (await page.getByTestId("segment").nth(1).boundingBox())!;
  const head = (await page.getByTestId("segment").first().boundingBox())!;
  await drag(
    page,
    { x: second.x + second.width / 2, y: second.y + second.height / 2 },
    { x: head.x + 3, y: head.y + head.height / 2 },
  );
  await expect.poll(() => segmentIds(page)).toEqual([before[1], before[0]]);
  expect((await api.projects.get(project.id)).segments.map((s) => s.id)).toEqual([before[1], before[0]]);

  // Undo the reorder (Ctrl+Z), then the delete; redo the delete (Ctrl+Shift+Z).
  await page.keyboard.press("Control+z");
  await expect.poll(() => segmentIds(page)).toEqual(before);
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("segment")).toHaveCount(3);
  await page.keyboard.press("Control+Shift+z");
  await expect(page.getByTestId("segment")).toHaveCount(2);
  expect((await api.projects.get(project.id)).duration).toBeCloseTo(trimmedDuration - 3, 1);

  // An edit on a segment that another tab already removed is a 409, shown in words; the timeline reloads.
  const shown = (await api.projects.get(project.id)).segments;
  await api.segments.delete(shown[1]!.id);
  const stale = (await page.getByTestId("segment").nth(1).boundingBox())!;
  await page.mouse.click(stale.x + stale.width / 2, stale.y + stale.height / 2);
  await page.keyboard.press("s");
  await expect(page.getByRole("alert")).toContainText("no longer on the timeline");
  await expect(page.getByTestId("segment")).toHaveCount(1);

  // Grade: a slider change shows a new graded preview, apply makes a graded segment.
  await page.getByTestId("segment").first().click();
  await page.getByRole("tab", { name: "Grade" }).click();
  const preview = page.getByTestId("graded-preview");
  await expect(preview).toBeVisible({ timeout: 20_000 });
  const ungradedSrc = await preview.getAttribute("src");
  await page.getByTestId("grade-saturation").fill("-1");
  await expect.poll(() => preview.getAttribute("src")).not.toBe(ungradedSrc);
  await page.getByRole("button", { name: "Apply grade" }).click();
  await expect(page.locator('[data-testid=segment][data-source="graded"]')).toHaveCount(1, { timeout: 60_000 });

  // Regenerate a region with the offline `local` provider; accept the first variant.
  await page.getByRole("tab", { name: "Regenerate" }).click();
  await page.getByRole("button", { name: "Draw region" }).click();
  const overlay = (await page.getByTestId("viewer-overlay").boundingBox())!;
  await drag(
    page,
    { x: overlay.x + overlay.width * 0.3, y: overlay.y + overlay.height * 0.3 },
    { x: overlay.x + overlay.width * 0.7, y: overlay.y + overlay.height * 0.7 },
  );
  await expect(page.getByTestId("region-box")).toContainText("x 0.");
  await page.getByTestId("region-prompt").fill("blur the centre");
  await page.getByRole("button", { name: "Generate variants" }).click();
  await expect(page.getByTestId("variant").first()).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId("variant-score").first()).toContainText("in-region", { timeout: 60_000 });
  await expect(page.getByTestId("variant").first()).toContainText("not AI");
  await page.getByTestId("variant").first().getByRole("button", { name: "Compare" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.getByRole("button", { name: "Accept this variant" }).click();
  await expect(page.locator('[data-testid=segment][data-source="generated"]')).toHaveCount(1, { timeout: 30_000 });

  mkdirSync(join(REPO_ROOT, "docs"), { recursive: true });
  await page.getByRole("tab", { name: "Grade" }).click();
  await page.getByTestId("grade-temperature").fill("0.4");
  await expect(page.getByTestId("graded-preview")).toBeVisible({ timeout: 30_000 });
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>(".grade-frames img, .tl-strip img")];
    const video = document.querySelector<HTMLVideoElement>("[data-testid=viewer]");
    return (
      imgs.length >= 2 && imgs.every((img) => img.complete && img.naturalWidth > 0) && (video?.readyState ?? 0) >= 2
    );
  });
  await page.screenshot({ path: join(REPO_ROOT, "docs/web-editor.png"), fullPage: true });

  // Export through the UI; the file's duration equals the timeline's.
  await page.getByRole("tab", { name: "Export" }).click();
  await page.getByRole("button", { name: "Export the film (MP4)" }).click();
  await expect(page.getByTestId("export-done")).toBeVisible({ timeout: 120_000 });
  const href = await page.getByTestId("export-download").getAttribute("href");
  const res = await fetch(new URL(href!, server.baseUrl));
  expect(res.status).toBe(200);
  const file = join(clipsDir, "export.mp4");
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const timeline = (await api.projects.get(project.id)).duration;
  expect(Math.abs(ffprobeDuration(file) - timeline)).toBeLessThan(0.1);
  await expect(page.getByTestId("export-list").locator("tr")).toHaveCount(1);
  await page.context().close();
});

test("plan: topic → story → scene plan → images with the local providers", async () => {
  const server = readState();
  const api = createClient({ baseUrl: server.baseUrl, token: server.token });
  const project = await api.projects.create({ name: `Plan ${Date.now()}` });
  const page = await signedIn();
  await page.goto(`${server.baseUrl}/p/${project.id}/plan`);
  await page.getByTestId("plan-topic").fill("A lighthouse keeper finds a message in a bottle");
  await page.getByRole("button", { name: "Write the story" }).click();
  // The story arrives as a form (title, logline, characters, beats per act), not as JSON to edit.
  await expect(page.getByTestId("story-title")).not.toHaveValue("", { timeout: 60_000 });
  const beats = page.getByTestId("story-beats").first();
  const firstBeats = await beats.inputValue();
  expect(firstBeats.split("\n").length).toBeGreaterThan(0);
  // A beat added by hand (typed on a new line) reaches the scene plan.
  await beats.press("End");
  await beats.fill(`${firstBeats}\nThe keeper lights the lamp for a ship that never comes`);
  await page.getByTestId("story-title").fill("The Bottle");
  await page.getByRole("button", { name: "Plan the scenes" }).click();
  await expect(page.getByTestId("plan-total")).toContainText("scenes", { timeout: 60_000 });
  const cards = page.getByTestId("plan-scene");
  const count = await cards.count();
  expect(count).toBeGreaterThan(0);
  // The hand edits were planned: the added beat is a scene, and the prompts carry the new title.
  const added = cards.filter({ hasText: "lights the lamp for a ship that never comes" });
  await expect(added).toHaveCount(1);
  await expect(added.locator("pre")).toContainText('"The Bottle"');
  await page.getByRole("button", { name: "Generate an image per scene" }).click();
  await expect(page.getByTestId("plan-image")).toHaveCount(count, { timeout: 120_000 });
  // From the top: a full-page shot of a scrolled page paints the sticky header over the middle.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(REPO_ROOT, "docs/web-plan.png"), fullPage: true });

  // The scenes and their images are in the project.
  const session = await api.sessions.get(project.id);
  expect(session.scenes).toHaveLength(count);
  expect(session.images.length).toBeGreaterThanOrEqual(count);
  await page.goto(`${server.baseUrl}/p/${project.id}`);
  await expect(page.getByRole("link", { name: /Open scene/ })).toHaveCount(count);

  // Jobs page lists them, live.
  await page.goto(`${server.baseUrl}/jobs`);
  await expect(
    page
      .getByTestId("job-row")
      .filter({ hasText: /image.generate/i })
      .first(),
  ).toBeVisible();
  await page.context().close();
});
