import { EXTENSION_ID } from "@dailies/shared";
import { createClient } from "@dailies/shared/client";
import { configureExtension, expect, openPopup, openTab, test } from "../support/fixtures";

test("options: saves the server and token, tests the connection and names the user", async ({
  context,
  extensionId,
  worker,
  server,
  api,
}) => {
  const me = await api.me();
  // The manifest key gives the build its documented, stable id (the one the server allows by default).
  expect(extensionId).toBe(EXTENSION_ID);
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);

  // The default points at a local server.
  await expect(page.locator('input[name="serverUrl"]')).toHaveValue("http://127.0.0.1:4650");

  await page.fill('input[name="serverUrl"]', server.baseUrl);
  await page.fill('input[name="token"]', "dly_not-a-real-token");
  await page.click('button[name="test"]');
  await expect(page.getByRole("status")).toContainText("token rejected");

  await page.fill('input[name="token"]', server.token);
  await page.click('button[name="test"]');
  await expect(page.getByRole("status")).toContainText(`as ${me.name}`);

  const stored = await worker.evaluate(async () => (await chrome.storage.local.get("settings")).settings);
  expect(stored).toEqual({ serverUrl: server.baseUrl, token: server.token });

  // Reloaded, the page shows what was saved.
  await page.reload();
  await expect(page.locator('input[name="serverUrl"]')).toHaveValue(server.baseUrl);
  await expect(page.locator('input[name="token"]')).toHaveValue(server.token);
});

test("options: an unreachable server is reported as such", async ({ context, extensionId }) => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  await page.fill('input[name="serverUrl"]', "http://127.0.0.1:9");
  await page.fill('input[name="token"]', "dly_x");
  await page.click('button[name="test"]');
  await expect(page.getByRole("status")).toContainText("not reachable");
});

test("options: a shared workspace is picked once; the popup then lists its projects", async ({
  context,
  extensionId,
  worker,
  server,
  api,
}) => {
  await configureExtension(worker, server.baseUrl, server.token);
  const studio = await api.workspaces.create({ name: `Studio ${Date.now()}` });
  const shared = createClient({ baseUrl: server.baseUrl, token: server.token, workspaceId: studio.id });
  const film = await shared.projects.create({ name: `Team film ${Date.now()}` });
  await shared.projects.createScene(film.id, { sceneId: "001" });

  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  const picker = page.locator('select[name="workspace"]');
  await expect(picker).toBeVisible();
  await picker.selectOption(studio.id);
  await expect(page.getByRole("status")).toContainText(`in workspace ${studio.name}`);
  const stored = await worker.evaluate(async () => (await chrome.storage.local.get("settings")).settings);
  expect(stored).toEqual({ serverUrl: server.baseUrl, token: server.token, workspaceId: studio.id });

  // The popup lists the shared workspace's projects and says where it files.
  const { tabId } = await openTab(context, worker, "https://sora.com/library");
  const { popup } = await openPopup(context, extensionId, tabId);
  await expect(popup.locator('.conn[data-state="ok"]')).toContainText(studio.name);
  await expect(popup.locator('select[name="project"] option', { hasText: film.name })).toHaveCount(1);

  // Back to the personal workspace: the shared project is no longer offered.
  const personal = (await api.workspaces.list()).workspaces.find((w) => w.personal)!;
  await picker.selectOption(personal.id);
  await expect
    .poll(() => worker.evaluate(async () => (await chrome.storage.local.get("settings")).settings))
    .toEqual({ serverUrl: server.baseUrl, token: server.token });
  await expect(page.getByRole("status")).toContainText("Connected to Dailies");
  await expect(page.getByRole("status")).not.toContainText("in workspace");
  await popup.reload();
  await popup.locator('main.popup[data-ready="true"]').waitFor();
  await expect(popup.locator('select[name="project"] option', { hasText: film.name })).toHaveCount(0);
});
