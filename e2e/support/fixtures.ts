/**
 * Playwright fixtures: a fresh Chromium profile with the built extension per test (Debian's chromium
 * or CHROMIUM_PATH, nothing downloaded), its service worker and id, the running server and a client.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type DailiesClient } from "@dailies/shared/client";
import { type BrowserContext, test as base, chromium, expect, type Page, type Worker } from "@playwright/test";
import { REPO_ROOT, readState, type ServerState } from "./server";
import { routeSites } from "./sites";

export const EXTENSION_DIR = join(REPO_ROOT, "extension/.output/chrome-mv3");

interface Fixtures {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  server: ServerState;
  api: DailiesClient;
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's dependencies from this pattern.
  context: async ({}, use) => {
    const profile = mkdtempSync(join(tmpdir(), "dailies-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: [
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    await routeSites(context);
    await use(context);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  },
  worker: async ({ context }, use) => {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
    // A first install opens the setup page. Wait for it and close it, so that it cannot open late, in the middle
    // of a test, and be taken for the tab the test just opened (seen on a busy machine).
    await expect
      .poll(() => context.pages().some((p) => p.url().endsWith("/options.html")), { timeout: 20_000 })
      .toBe(true);
    for (const page of context.pages()) if (page.url().endsWith("/options.html")) await page.close();
    await use(worker);
  },
  extensionId: async ({ worker }, use) => {
    await use(new URL(worker.url()).host);
  },
  // biome-ignore lint/correctness/noEmptyPattern: see above
  server: async ({}, use) => {
    await use(readState());
  },
  api: async ({ server }, use) => {
    await use(createClient({ baseUrl: server.baseUrl, token: server.token }));
  },
});

export { expect };

/** Points the extension at the test server (what the options page stores). */
export async function configureExtension(worker: Worker, serverUrl: string, token: string): Promise<void> {
  await worker.evaluate((settings) => chrome.storage.local.set({ settings }), { serverUrl, token });
}

/** All tab ids the extension can see. */
const tabIds = (worker: Worker) =>
  worker.evaluate(async () => (await chrome.tabs.query({})).map((t) => t.id).filter((id) => id !== undefined));

/**
 * Opens `url` in a new tab and finds its tab id: the one tab that appeared. (Tabs that the extension
 * opens itself escape Playwright's routing, so the page is opened by Playwright.)
 */
export async function openTab(
  context: BrowserContext,
  worker: Worker,
  url: string,
): Promise<{ page: Page; tabId: number }> {
  const before = new Set(await tabIds(worker));
  const page = await context.newPage();
  let tabId: number | undefined;
  await expect
    .poll(async () => {
      tabId = (await tabIds(worker)).find((id) => !before.has(id));
      return tabId;
    })
    .toBeDefined();
  await page.goto(url);
  return { page, tabId: tabId! };
}

/** The captures the background holds for a tab. */
export async function tabCaptureCount(worker: Worker, tabId: number): Promise<number> {
  return worker.evaluate(async (id) => {
    const key = `tab-${id}`;
    const stored = (await chrome.storage.session.get(key))[key] as { captures?: unknown[] } | undefined;
    return stored?.captures?.length ?? 0;
  }, tabId);
}

/** Opens the popup for a tab and waits until it is interactive; returns how long that took. */
export async function openPopup(
  context: BrowserContext,
  extensionId: string,
  tabId: number,
): Promise<{ popup: Page; readyMs: number }> {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 380, height: 700 });
  const started = Date.now();
  await popup.goto(`chrome-extension://${extensionId}/popup.html?tabId=${tabId}`);
  await popup.locator('main.popup[data-ready="true"]').waitFor();
  return { popup, readyMs: Date.now() - started };
}

/** A project with one scene, remembered as the target (what the popup or panel stores when picked). */
export async function createProjectAndScene(api: DailiesClient, name: string, sceneCode = "001", worker?: Worker) {
  const project = await api.projects.create({ name });
  const scene = await api.projects.createScene(project.id, { sceneId: sceneCode, macroScene: "Opening" });
  if (worker) {
    const target = {
      projectId: project.id,
      projectName: name,
      sceneDbId: scene.id,
      sceneId: scene.sceneId,
      shotId: null,
    };
    await worker.evaluate((t) => chrome.storage.local.set({ target: t }), target);
  }
  return { project, scene };
}

/** Opens the side panel's page for a tab (a side panel document works at its extension URL). */
export async function openPanel(context: BrowserContext, extensionId: string, tabId: number): Promise<Page> {
  const panel = await context.newPage();
  await panel.setViewportSize({ width: 420, height: 900 });
  await panel.goto(`chrome-extension://${extensionId}/sidepanel.html?tabId=${tabId}`);
  await panel.locator('main.panel[data-ready="true"]').waitFor();
  return panel;
}

/** Ingest versions of a scene, oldest first. */
export async function sceneVersions(api: DailiesClient, projectId: string, sceneId: string) {
  const { assets } = await api.extension.sceneAssets({ projectId, sceneId, limit: 100 });
  return [...assets].sort((a, b) => a.versionNumber - b.versionNumber);
}
